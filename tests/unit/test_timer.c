/* test_timer.c — deadlines as data: the sleep a loop may take, firing in
 * registration order, re-arming by the returned interval, disarming, arm-once
 * deadlines, and a failing callback stopping the run with its error. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "common/timer.h"

typedef struct probe {
    int fired;
    int64_t next;        /* what the callback returns */
    char *log;           /* shared order log */
    char tag;
} probe_t;

static int64_t on_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now;
    probe_t *p = ctx;
    p->fired++;
    size_t n = strlen(p->log);
    p->log[n] = p->tag;
    p->log[n + 1] = '\0';
    if (p->next == LRS_TIMER_FAIL)
        lrs_err_set(err, 1, "probe %c failed", p->tag);
    return p->next;
}

static void test_timeout_and_order(void **state)
{
    (void)state;
    char log[32] = "";
    probe_t a = {.next = 100, .log = log, .tag = 'a'}, b = {.next = LRS_TIMER_DISARM, .log = log, .tag = 'b'};
    lrs_timers_t ts;
    lrs_timers_init(&ts);
    int ia = lrs_timer_add(&ts, "a", on_due, &a), ib = lrs_timer_add(&ts, "b", on_due, &b);
    assert_int_equal(lrs_timers_timeout(&ts, 0, 1000), 1000);   /* nothing armed */
    lrs_timer_arm(&ts, ia, 50);
    lrs_timer_arm(&ts, ib, 30);
    assert_int_equal(lrs_timers_timeout(&ts, 0, 1000), 30);
    assert_int_equal(lrs_timers_timeout(&ts, 0, 10), 10);
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_timers_run(&ts, 29, &err), 0);
    assert_string_equal(log, "");
    assert_int_equal(lrs_timers_run(&ts, 60, &err), 0);
    assert_string_equal(log, "ab");                       /* registration order */
    assert_int_equal(lrs_timers_timeout(&ts, 60, 1000), 100);   /* a re-armed at 160, b gone */
    assert_int_equal(lrs_timers_run(&ts, 159, &err), 0);
    assert_int_equal(a.fired, 1);
    assert_int_equal(lrs_timers_run(&ts, 170, &err), 0);
    assert_int_equal(a.fired, 2);
    assert_int_equal(b.fired, 1);
    assert_int_equal(lrs_timers_timeout(&ts, 300, 1000), 0);   /* overdue: no sleep */
    lrs_timer_disarm(&ts, ia);
    assert_int_equal(lrs_timers_timeout(&ts, 300, 1000), 1000);
}

static void test_arm_once_keeps_the_first_deadline(void **state)
{
    (void)state;
    char log[8] = "";
    probe_t f = {.next = LRS_TIMER_DISARM, .log = log, .tag = 'f'};
    lrs_timers_t ts;
    lrs_timers_init(&ts);
    int id = lrs_timer_add(&ts, "flush", on_due, &f);
    lrs_timer_arm_once(&ts, id, 50);
    lrs_timer_arm_once(&ts, id, 90);   /* a later event does not push it back */
    assert_int_equal(lrs_timers_timeout(&ts, 0, 1000), 50);
    lrs_timer_arm(&ts, id, 20);        /* arm replaces */
    assert_int_equal(lrs_timers_timeout(&ts, 0, 1000), 20);
}

static void test_failure_stops_the_run(void **state)
{
    (void)state;
    char log[8] = "";
    probe_t x = {.next = LRS_TIMER_FAIL, .log = log, .tag = 'x'}, y = {.next = 5, .log = log, .tag = 'y'};
    lrs_timers_t ts;
    lrs_timers_init(&ts);
    lrs_timer_arm(&ts, lrs_timer_add(&ts, "x", on_due, &x), 0);
    lrs_timer_arm(&ts, lrs_timer_add(&ts, "y", on_due, &y), 0);
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_timers_run(&ts, 1, &err), -1);
    assert_string_equal(err.msg, "probe x failed");
    assert_string_equal(log, "x");
    assert_int_equal(y.fired, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_timeout_and_order),
        cmocka_unit_test(test_arm_once_keeps_the_first_deadline),
        cmocka_unit_test(test_failure_stops_the_run),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
