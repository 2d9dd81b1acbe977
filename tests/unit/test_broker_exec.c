/* test_broker_exec.c — the coordinator's side of sweeps that run the user's
 * own command, driven by a raw ZeroMQ client playing the worker: PROGRESS
 * is stored only from the worker holding the trial's lease, for the attempt
 * it holds (not for another attempt, another peer, a trial outside the
 * sweep, or after the result); a failed result with its exec part is the
 * trial's final outcome (recorded at attempt 1, not re-queued); a complete
 * one replaces the curve so far, fills the exec columns and trial_epochs
 * (fold means of lr / train_loss / val_loss). */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <zmq.h>

#define LRS_SUPPORT_BROKER
#include "common/proto_encode.h"
#include "support.h"

static const char spec_text[] = "name: cmd\n"
                                "seed: 4\n"
                                "trials: 2\n"
                                "command: train --lr {lr}\n"
                                "metric: val_loss\n"
                                "search:\n"
                                "  lr: {log_uniform: [1.0e-4, 1.0]}\n";

static void send_buf(void *s, const lrs_wbuf_t *b)
{
    sup_send(s, b->sb.data, b->sb.size);
}

/* Waits up to 3 s for a message of type want, skipping heartbeats. */
static void expect_msg(void *s, int want, lrs_msg_t *out)
{
    for (int i = 0; i < 30; i++) {
        int rc, type = sup_read_type(s, 100, out, &rc);
        assert_int_equal(rc, 0);
        if (type < 0)
            continue;
        if (type == want)
            return;
        lrs_msg_free(out);
    }
    print_error("no %s arrived\n", lrs_msg_name(want));
    fail();
}

static void hello(void *s, lrs_wbuf_t *b, const char *name, lrs_msg_t *welcome)
{
    lrs_proto_hello_flags(b, name, "host", 1, 1, LRS_HELLO_RUNS_COMMANDS);
    send_buf(s, b);
    expect_msg(s, LRS_MSG_WELCOME, welcome);
}

static void progress(void *s, lrs_wbuf_t *b, uint64_t sweep, uint64_t trial, uint32_t attempt,
                     double value)
{
    static char *names[1] = {"val_loss"};
    lrs_curve_point_t p = {0, 1, 0, value};
    lrs_curve_t c = {.n_names = 1, .names = names, .n_points = 1, .points = &p};
    lrs_proto_progress(b, sweep, trial, attempt, &c);
    send_buf(s, b);
}

static void query(const char *db, const char *sql, char *out, size_t size)
{
    sqlite3 *h;
    assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) != SQLITE_OK) {
        print_error("%s: %s\n", sql, sqlite3_errmsg(h));
        fail();
    }
    out[0] = '\0';
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(h);
}

static void expect_db(const char *db, const char *sql, const char *want)
{
    char got[512];
    query(db, sql, got, sizeof got);
    if (strcmp(got, want) != 0) {
        print_error("%s\n  got  '%s'\n  want '%s'\n", sql, got, want);
        fail();
    }
}

/* Waits (up to 3 s) until sql gives want: the broker commits on its own clock. */
static void await_db(const char *db, const char *sql, const char *want)
{
    char got[512] = "";
    for (int i = 0; i < 60; i++) {
        query(db, sql, got, sizeof got);
        if (strcmp(got, want) == 0)
            return;
        usleep(50000);
    }
    print_error("%s\n  got  '%s'\n  want '%s'\n", sql, got, want);
    fail();
}

static void test_exec_results(void **state)
{
    (void)state;
    sup_broker_t bc;
    sup_broker_prepare(&bc, "/tmp/lrs-bexec-XXXXXX", "e.db", "cmd.yaml", spec_text);
    const char *db = bc.db;
    bc.opts.log = tmpfile();
    sup_broker_start(&bc);   /* exec sweeps are no longer refused */

    void *zctx = zmq_ctx_new();
    void *w = sup_raw_socket(zctx, bc.endpoint, "worker/1");
    void *other = sup_raw_socket(zctx, bc.endpoint, "other/2");
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_msg_t m, m2;
    hello(w, &b, "worker", &m);
    uint64_t sweep = m.sweep;
    lrs_msg_free(&m);
    hello(other, &b, "other", &m2);
    lrs_msg_free(&m2);
    lrs_proto_ready(&b, sweep, 2);
    send_buf(w, &b);
    expect_msg(w, LRS_MSG_TRIALS, &m);
    assert_int_equal(m.n_trials, 2);
    assert_int_equal(m.trials[0].attempt, 1);
    lrs_msg_free(&m);

    /* PROGRESS: stored from the holder only, for its attempt */
    progress(w, &b, sweep, 0, 1, 0.5);
    progress(w, &b, sweep, 1, 2, 9.0);        /* wrong attempt */
    progress(w, &b, sweep, 7, 1, 9.0);        /* outside the sweep */
    progress(w, &b, sweep + 1, 1, 1, 9.0);    /* another sweep */
    progress(other, &b, sweep, 1, 1, 9.0);    /* not its lease */
    await_db(db, "SELECT group_concat(trial || ':' || value) FROM trial_metrics", "0:0.5");

    /* trial 0 failed for good: its command exited 3 */
    static char *names[3] = {"lr", "val_loss", "train_loss"};
    double finals0[2] = {0.1, NAN};
    lrs_command_result_t e0 = {.exit_status = 3, .stderr_tail = "bad\xff\n", .stderr_len = 5,
                          .log_tail = "", .finals = finals0,
                          .curve = {.n_names = 2, .names = names}};
    /* trial 1 complete, 2 folds: fold means per epoch go to trial_epochs */
    lrs_curve_point_t pts[6] = {{0, 1, 0, 0.1}, {0, 1, 1, 1.0}, {1, 1, 0, 0.1},
                               {1, 1, 1, 3.0}, {0, 2, 1, 0.5}, {1, 2, 2, 0.25}};
    double finals1[3] = {0.1, 0.75, 0.25};
    lrs_command_result_t e1 = {.exit_status = 0, .stderr_tail = "", .log_tail = "epoch=1\n",
                          .log_len = 8, .finals = finals1,
                          .curve = {.n_names = 3, .names = names, .n_points = 6, .points = pts}};
    lrs_wire_result_t r[2] = {
        {.trial = 0, .attempt = 1, .result = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN, .seconds = 1, .error = "exit status 3", .command = &e0}},
        {.trial = 1, .attempt = 1, .result = {.status = LRS_STATUS_COMPLETE, .score = 0.75, .score_std = 0.25, .seconds = 2, .command = &e1}},
    };
    lrs_proto_results_begin(&b, sweep, 2);
    lrs_proto_results_add(&b, &r[0]);
    lrs_proto_results_add(&b, &r[1]);
    send_buf(w, &b);
    expect_msg(w, LRS_MSG_ACK, &m);
    assert_int_equal(m.n_acks, 2);
    lrs_msg_free(&m);
    progress(w, &b, sweep, 1, 1, 9.0);   /* after the result: ignored */
    expect_msg(w, LRS_MSG_SHUTDOWN, &m);
    lrs_msg_free(&m);
    sup_broker_join(&bc);
    assert_int_equal(bc.rc, 0);
    FILE *log = bc.opts.log;
    sup_broker_finish(&bc);

    expect_db(db, "SELECT status || '|' || attempts || '|' || error || '|' || exit_status || '|' ||"
                  " stderr_tail || '|' || metrics FROM trials WHERE trial = 0",
              "failed|1|exit status 3|3|bad\\xff\n|{\"lr\":0.1,\"val_loss\":null}");
    expect_db(db, "SELECT COUNT(*) FROM trial_metrics WHERE trial = 0", "0");
    expect_db(db, "SELECT status || '|' || score || '|' || log_tail FROM trials WHERE trial = 1",
              "complete|0.75|epoch=1\n");
    expect_db(db, "SELECT COUNT(*) || ' ' || SUM(value) FROM trial_metrics WHERE trial = 1",
              "6 4.95");
    expect_db(db, "SELECT group_concat(epoch || ':' || quote(lr) || ':' || quote(train_loss) || ':'"
                  " || quote(val_loss), ' ') FROM (SELECT * FROM trial_epochs WHERE trial = 1"
                  " ORDER BY epoch)",
              "1:0.1:NULL:2.0 2:NULL:0.25:0.5");

    lrs_wbuf_free(&b);
    zmq_close(w);
    zmq_close(other);
    zmq_ctx_term(zctx);
    fclose(log);
    sup_rm_rf(bc.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
