/* timer.c — see timer.h.  A small array scanned linearly: loops hold a
 * handful of timers, so a heap would only add code. */
#include "common/timer.h"

#include <assert.h>
#include <string.h>

void lrs_timers_init(lrs_timers_t *ts)
{
    memset(ts, 0, sizeof *ts);
}

int lrs_timer_add(lrs_timers_t *ts, const char *name, lrs_timer_fn fn, void *ctx)
{
    assert(ts->n < LRS_TIMERS_MAX);
    lrs_timer_t *t = &ts->t[ts->n];
    t->name = name;
    t->fn = fn;
    t->ctx = ctx;
    t->armed = 0;
    t->due = 0;
    return ts->n++;
}

void lrs_timer_arm(lrs_timers_t *ts, int id, int64_t due)
{
    ts->t[id].armed = 1;
    ts->t[id].due = due;
}

void lrs_timer_arm_once(lrs_timers_t *ts, int id, int64_t due)
{
    if (!ts->t[id].armed)
        lrs_timer_arm(ts, id, due);
}

void lrs_timer_disarm(lrs_timers_t *ts, int id)
{
    ts->t[id].armed = 0;
}

long lrs_timers_timeout(const lrs_timers_t *ts, int64_t now, long max_ms)
{
    long timeout = max_ms;
    for (int i = 0; i < ts->n; i++) {
        if (!ts->t[i].armed)
            continue;
        int64_t wait = ts->t[i].due - now;
        if (wait <= 0)
            return 0;
        if (wait < timeout)
            timeout = (long)wait;
    }
    return timeout;
}

int lrs_timers_run(lrs_timers_t *ts, int64_t now, lrs_err_t *err)
{
    for (int i = 0; i < ts->n; i++) {
        lrs_timer_t *t = &ts->t[i];
        if (!t->armed || t->due > now)
            continue;
        t->armed = 0;   /* the callback may re-arm it itself */
        int64_t next = t->fn(t->ctx, now, err);
        if (next == LRS_TIMER_FAIL)
            return -1;
        if (next >= 0)
            lrs_timer_arm(ts, i, now + next);
    }
    return 0;
}
