/* test_store_exec.c — what schema 002 adds to the store for sweeps of the
 * user's own command: a version-1 database migrates to the embedded version
 * keeping its rows (new columns NULL); curve points of a running trial are
 * stored (a repeated (fold, epoch, name) overwrites); the trial's result
 * replaces them with its final curve and fills exit status, signal, tails
 * and last values; a late duplicate changes nothing; a built-in trial
 * leaves the exec columns NULL. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "coordinator/store.h"
#include "support.h"

typedef sup_db_fixture_t fixture_t;

static int setup(void **state)
{
    return sup_db_setup(state, "/tmp/lrs-store-exec-XXXXXX");
}

static int teardown(void **state)
{
    return sup_db_teardown_strict(state);
}

/* The first column of the first row of sql as text ("" for NULL). */
static void text_of(lrs_store_t *s, const char *sql, char *out, size_t size)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lrs_store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        print_error("%s: %s\n", sql, sqlite3_errmsg(lrs_store_db(s)));
        fail();
    }
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    const unsigned char *t = sqlite3_column_text(st, 0);
    snprintf(out, size, "%s", t ? (const char *)t : "");
    sqlite3_finalize(st);
}

static void expect(lrs_store_t *s, const char *sql, const char *want)
{
    char got[512];
    text_of(s, sql, got, sizeof got);
    if (strcmp(got, want) != 0) {
        print_error("%s\n  got  '%s'\n  want '%s'\n", sql, got, want);
        fail();
    }
}

static int64_t make_sweep(lrs_store_t *s)
{
    lrs_sweep_row_t row = {.token = 42, .seed = 1, .trials = 10};
    snprintf(row.name, sizeof row.name, "cmd");
    snprintf(row.space_hash, sizeof row.space_hash, "00000000000000aa");
    snprintf(row.metric, sizeof row.metric, "val_loss");
    lrs_err_t err;
    assert_int_equal(lrs_store_sweep_create(s, &row, "name: cmd\n", &err), 0);
    return row.id;
}

static void test_migrates_version_1(void **state)
{
    fixture_t *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, lrs_schema_sql[0], NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(
        sqlite3_exec(db,
                     "PRAGMA user_version = 1;"
                     "INSERT INTO sweeps VALUES (1, 'old', 7, 'x', 'h', 1, 5, 'val_loss',"
                     " 'minimize', 0, 0);"
                     "INSERT INTO trials (sweep_id, trial, status, score, params, attempts,"
                     " finished_at) VALUES (1, 0, 'complete', 0.5, '{}', 1, 0);",
                     NULL, NULL, NULL),
        SQLITE_OK);
    sqlite3_close(db);
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    assert_int_equal(lrs_store_version(s), lrs_schema_count);
    assert_true(lrs_schema_count >= 2);
    expect(s, "SELECT score || ' ' || (exit_status IS NULL) || (stderr_tail IS NULL) ||"
              " (metrics IS NULL) FROM trials", "0.5 111");
    expect(s, "SELECT COUNT(*) FROM trial_metrics", "0");
    lrs_store_destroy(&s);
}

static char *names[3] = {"lr", "val_loss", "acc"};

static void test_progress_then_result(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    int64_t sweep = make_sweep(s);

    /* the curve so far, in two PROGRESS batches; epoch 2's val_loss repeated */
    lrs_curve_point_t p1[3] = {{0, 1, 0, 0.1}, {0, 1, 1, 0.9}, {0, 2, 1, 0.8}};
    lrs_curve_point_t p2[2] = {{0, 2, 1, 0.7}, {1, 1, 1, NAN}};
    lrs_curve_t c1 = {.n_names = 2, .names = names, .n_points = 3, .points = p1};
    lrs_curve_t c2 = {.n_names = 2, .names = names, .n_points = 2, .points = p2};
    assert_int_equal(lrs_store_put_points(s, sweep, 3, &c1, &err), 0);
    assert_int_equal(lrs_store_put_points(s, sweep, 3, &c2, &err), 0);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    expect(s, "SELECT COUNT(*) || ' ' || SUM(value IS NULL) FROM trial_metrics WHERE trial = 3",
           "4 1");
    expect(s, "SELECT value FROM trial_metrics WHERE trial = 3 AND fold = 0 AND epoch = 2",
           "0.7");

    /* the result: its curve replaces the one so far */
    lrs_curve_point_t fin[2] = {{0, 1, 2, 0.25}, {0, 5, 1, 0.5}};
    lrs_curve_t cf = {.n_names = 3, .names = names, .n_points = 2, .points = fin};
    lrs_command_result_t cmd = {.exit_status = 3, .term_signal = 0, .curve = cf};
    lrs_trial_result_t o = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN,
                            .seconds = 2, .error = "exit status 3", .command = &cmd};
    lrs_store_trial_t t = {
        .sweep_id = sweep, .trial = 3, .result = &o, .params_json = "{\"lr\": 0.1}", .lr = 0.1,
        .attempts = 1, .stderr_text = "oops \\xff\n", .log_text = "epoch=1 acc=0.25\n",
        .metrics_json = "{\"acc\":0.25}"};
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    expect(s, "SELECT group_concat(fold || ':' || epoch || ':' || name || '=' || value, ' ')"
              " FROM (SELECT * FROM trial_metrics WHERE trial = 3 ORDER BY epoch, name)",
           "0:1:acc=0.25 0:5:val_loss=0.5");
    expect(s, "SELECT status || '|' || error || '|' || exit_status || '|' ||"
              " (signal IS NULL) || '|' || stderr_tail || log_tail || metrics FROM trials"
              " WHERE trial = 3",
           "failed|exit status 3|3|1|oops \\xff\nepoch=1 acc=0.25\n{\"acc\":0.25}");

    /* a late duplicate changes nothing */
    lrs_command_result_t cmd_dup = {.exit_status = 9, .curve = c1};
    lrs_trial_result_t o_dup = o;
    o_dup.command = &cmd_dup;
    lrs_store_trial_t dup = t;
    dup.result = &o_dup;
    assert_int_equal(lrs_store_put_trial(s, &dup, &err), 0);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    expect(s, "SELECT exit_status FROM trials WHERE trial = 3", "3");
    expect(s, "SELECT COUNT(*) FROM trial_metrics WHERE trial = 3", "2");

    /* a built-in trial: no exec columns; killed command: signal, no exit status */
    lrs_trial_result_t ob = {.status = LRS_STATUS_COMPLETE, .score = 1, .score_std = 0};
    lrs_store_trial_t b = {.sweep_id = sweep, .trial = 4, .result = &ob, .params_json = "{}",
                           .attempts = 1};
    assert_int_equal(lrs_store_put_trial(s, &b, &err), 1);
    lrs_command_result_t killed = {.exit_status = -1, .term_signal = 9};
    lrs_trial_result_t ok = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN,
                             .command = &killed};
    lrs_store_trial_t k = {.sweep_id = sweep, .trial = 5, .result = &ok, .params_json = "{}",
                           .attempts = 1};
    assert_int_equal(lrs_store_put_trial(s, &k, &err), 1);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    expect(s, "SELECT (exit_status IS NULL) || (signal IS NULL) || (metrics IS NULL) FROM trials"
              " WHERE trial = 4", "111");
    expect(s, "SELECT (exit_status IS NULL) || '|' || signal FROM trials WHERE trial = 5", "1|9");
    lrs_store_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrates_version_1, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress_then_result, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
