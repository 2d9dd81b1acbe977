/* test_store.c — the results store: schema migration to the embedded
 * version, the one-writer lock, refusal of foreign / newer / corrupt files,
 * group-committed writes that are all-or-nothing, duplicates recorded once,
 * leases, and the views users query. */
#include <fcntl.h>
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
    return sup_db_setup(state, "/tmp/lrs-store-XXXXXX");
}

static int teardown(void **state)
{
    return sup_db_teardown_rm(state);
}

static int64_t scalar(lrs_store_t *s, const char *sql)
{
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(lrs_store_db(s), sql, -1, &st, NULL) != SQLITE_OK) {
        print_error("%s: %s\n", sql, sqlite3_errmsg(lrs_store_db(s)));
        fail();
    }
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int64_t v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static int64_t make_sweep(lrs_store_t *s, const char *name, int maximize)
{
    lrs_sweep_row_t row = {0};
    snprintf(row.name, sizeof row.name, "%s", name);
    row.token = 77;
    snprintf(row.space_hash, sizeof row.space_hash, "00000000deadbeef");
    row.seed = 1;
    row.trials = 10;
    snprintf(row.metric, sizeof row.metric, "val_loss");
    row.maximize = maximize;
    lrs_err_t err;
    assert_int_equal(lrs_store_sweep_create(s, &row, "name: x\n", &err), 0);
    assert_true(row.id > 0);
    return row.id;
}

/* A complete trial i of sweep with score, its outcome in *o (which must
 * outlive the row). */
static lrs_store_trial_t trial(lrs_trial_result_t *o, int64_t sweep, int64_t i, double score,
                               const char *sched)
{
    static lrs_epoch_stat_t epochs[2] = {{1, 0.1, 1.0, 1.2, 0}, {2, 0.05, 0.5, NAN, 0}};
    static lrs_fold_result_t folds[1] = {{0, 0.4, 0.5, NAN, 0}};
    *o = (lrs_trial_result_t){.status = LRS_STATUS_COMPLETE, .score = score, .score_std = 0.01,
                              .seconds = 0.5, .n_folds = 1, .folds = folds, .n_epochs = 2,
                              .epochs = epochs};
    lrs_store_trial_t t = {
        .sweep_id = sweep, .trial = i, .result = o, .params_json = "{\"lr\": 0.1}", .lr = 0.1,
        .optimizer = "sgd", .scheduler = sched, .attempts = 1, .worker = "w",
    };
    return t;
}

static void test_migrate_and_reopen(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    assert_int_equal(lrs_store_version(s), lrs_schema_count);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM sqlite_master WHERE name IN ('sweeps',"
                               "'trials','trial_folds','trial_epochs','leases','workers',"
                               "'best_per_sweep','per_scheduler','per_optimizer','sweep_progress')"),
                     10);
    lrs_store_destroy(&s);
    assert_null(s);
    s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);   /* idempotent */
    assert_non_null(s);
    assert_int_equal(lrs_store_version(s), lrs_schema_count);
    lrs_store_destroy(&s);
    s = lrs_store_open(f->db, LRS_STORE_READ, &err);
    assert_non_null(s);
    lrs_store_destroy(&s);
    lrs_store_destroy(&s);   /* takes NULL */
}

static void test_one_writer(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    lrs_store_t *a = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(a);
    lrs_store_t *b = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_null(b);
    assert_int_equal(err.code, LRS_EXIT_RUNTIME);
    assert_non_null(strstr(err.msg, "another coordinator is using this database"));
    lrs_store_t *reader = lrs_store_open(f->db, LRS_STORE_READ, &err);   /* readers are fine */
    assert_non_null(reader);
    lrs_store_destroy(&reader);
    lrs_store_destroy(&a);
    b = lrs_store_open(f->db, LRS_STORE_WRITE, &err);   /* the lock went with its owner */
    assert_non_null(b);
    lrs_store_destroy(&b);
}

static void test_refuses_bad_files(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    char path[160];
    /* a missing file for reading */
    snprintf(path, sizeof path, "%s/missing.db", f->dir);
    assert_null(lrs_store_open(path, LRS_STORE_READ, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "missing.db"));
    /* not SQLite at all */
    snprintf(path, sizeof path, "%s/text.db", f->dir);
    FILE *t = fopen(path, "w");
    for (int i = 0; i < 200; i++)
        fputs("this is not a database. ", t);
    fclose(t);
    assert_null(lrs_store_open(path, LRS_STORE_WRITE, &err));
    assert_non_null(strstr(err.msg, "text.db"));
    /* SQLite, but somebody else's */
    snprintf(path, sizeof path, "%s/other.db", f->dir);
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "CREATE TABLE stuff (x)", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_null(lrs_store_open(path, LRS_STORE_WRITE, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "not an lrsweep database"));
    /* from a newer lrsweep */
    snprintf(path, sizeof path, "%s/newer.db", f->dir);
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA user_version = 999", NULL, NULL, NULL);
    sqlite3_close(db);
    assert_null(lrs_store_open(path, LRS_STORE_WRITE, &err));
    assert_non_null(strstr(err.msg, "newer"));
    /* a folder that does not exist */
    assert_null(lrs_store_open("/proc/no/such/dir/x.db", LRS_STORE_WRITE, &err));
    assert_int_equal(err.code, LRS_EXIT_RUNTIME);
}

static void test_writes_and_duplicates(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    int64_t id = make_sweep(s, "sw", 0);
    lrs_sweep_row_t row;
    assert_int_equal(lrs_store_sweep_get(s, "sw", &row, &err), 1);
    assert_int_equal(row.id, id);
    assert_int_equal(row.trials, 10);
    assert_string_equal(row.space_hash, "00000000deadbeef");
    assert_int_equal(lrs_store_sweep_get(s, "nope", &row, &err), 0);
    assert_int_equal(lrs_store_sweep_set_trials(s, id, 12, &err), 0);
    assert_int_equal(lrs_store_sweep_get(s, "sw", &row, &err), 1);
    assert_int_equal(row.trials, 12);

    assert_int_equal(lrs_store_put_lease(s, id, 3, 1, "w", &err), 0);
    assert_int_equal(lrs_store_put_lease(s, id, 4, 2, "w", &err), 0);
    lrs_trial_result_t o;
    lrs_store_trial_t t = trial(&o, id, 3, 0.5, "cosine");
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 0);   /* duplicate: once */
    assert_true(lrs_store_pending(s) > 0);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    assert_int_equal(lrs_store_pending(s), 0);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trials"), 1);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trial_epochs WHERE trial = 3"), 2);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trial_epochs WHERE val_loss IS NULL"), 1);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trial_folds WHERE trial = 3"), 1);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM leases"), 1);   /* trial 3's went */
    lrs_store_destroy(&s);

    s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    assert_int_equal(scalar(s, "SELECT attempt FROM leases WHERE trial = 4"), 2);
    assert_int_equal(scalar(s, "SELECT trial FROM trials"), 3);
    lrs_store_destroy(&s);
}

static void test_failed_write_rolls_back(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    int64_t id = make_sweep(s, "rb", 0);
    lrs_trial_result_t og, ob;
    lrs_store_trial_t good = trial(&og, id, 1, 0.3, "step");
    assert_int_equal(lrs_store_put_trial(s, &good, &err), 1);
    lrs_store_trial_t bad = trial(&ob, id, 2, 0.3, "step");
    ob.status = (lrs_status_t)99;   /* named "?": violates the CHECK constraint */
    assert_int_equal(lrs_store_put_trial(s, &bad, &err), -1);
    assert_non_null(strstr(err.msg, "recording a trial"));
    assert_int_equal(lrs_store_flush(s, &err), 0);   /* nothing left to commit */
    /* the whole group went: no half-written trial, no orphan epochs */
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trials"), 0);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trial_epochs"), 0);
    assert_int_equal(lrs_store_put_trial(s, &good, &err), 1);   /* and it recovers */
    assert_int_equal(lrs_store_flush(s, &err), 0);
    assert_int_equal(scalar(s, "SELECT COUNT(*) FROM trials"), 1);
    lrs_store_destroy(&s);
}

static void each_cb(void *ctx, int64_t trial, int status)
{
    (void)status;
    int64_t *sum = ctx;
    *sum += trial;
}

static void lease_cb(void *ctx, int64_t trial, int attempt, const char *worker)
{
    int64_t *sum = ctx;
    assert_string_equal(worker, "w");
    *sum += trial * 100 + attempt;
}

static void test_views_and_scans(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    int64_t lo = make_sweep(s, "low-is-good", 0), hi = make_sweep(s, "high-is-good", 1);
    double scores[5] = {0.5, 0.2, 0.9, 0.4, 0.7};
    const char *sched[5] = {"cosine", "step", "cosine", "step", "cosine"};
    for (int i = 0; i < 5; i++) {
        lrs_trial_result_t o;
        lrs_store_trial_t t = trial(&o, lo, i, scores[i], sched[i]);
        assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
        t.sweep_id = hi;
        assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
    }
    lrs_trial_result_t od;
    lrs_store_trial_t d = trial(&od, lo, 7, NAN, "step");
    od.status = LRS_STATUS_DIVERGED;
    od.diverged_epoch = 2;
    assert_int_equal(lrs_store_put_trial(s, &d, &err), 1);
    assert_int_equal(lrs_store_put_lease(s, lo, 8, 1, "w", &err), 0);
    assert_int_equal(lrs_store_put_worker(s, lo, &(lrs_store_worker_t){.name = "w", .host = "host", .jobs = 2, .trials_added = 6}, &err), 0);
    assert_int_equal(lrs_store_put_worker(s, lo, &(lrs_store_worker_t){.name = "w", .host = "host", .jobs = 2, .trials_added = 7, .idle_reason = "testing"}, &err), 0);
    assert_int_equal(lrs_store_flush(s, &err), 0);

    assert_int_equal(scalar(s, "SELECT trial FROM best_per_sweep WHERE sweep = 'low-is-good'"), 1);
    assert_int_equal(scalar(s, "SELECT trial FROM best_per_sweep WHERE sweep = 'high-is-good'"), 2);
    assert_int_equal(scalar(s, "SELECT trials FROM per_scheduler WHERE sweep = 'low-is-good' AND"
                               " scheduler = 'step'"), 3);
    assert_int_equal(scalar(s, "SELECT diverged FROM per_scheduler WHERE sweep = 'low-is-good' AND"
                               " scheduler = 'step'"), 1);
    assert_int_equal(scalar(s, "SELECT CAST(best * 10 AS INTEGER) FROM per_scheduler WHERE"
                               " sweep = 'high-is-good' AND scheduler = 'cosine'"), 9);
    assert_int_equal(scalar(s, "SELECT pending FROM sweep_progress WHERE sweep = 'low-is-good'"),
                     10 - 6 - 1);
    assert_int_equal(scalar(s, "SELECT running FROM sweep_progress WHERE sweep = 'low-is-good'"), 1);
    assert_int_equal(scalar(s, "SELECT trials_done FROM workers WHERE name = 'w'"), 13);
    assert_int_equal(scalar(s, "SELECT idle_reason = 'testing' FROM workers WHERE name = 'w'"), 1);

    int64_t sum = 0;
    assert_int_equal(lrs_store_each_done(s, lo, each_cb, &sum, &err), 0);
    assert_int_equal(sum, 0 + 1 + 2 + 3 + 4 + 7);
    sum = 0;
    assert_int_equal(lrs_store_each_lease(s, lo, lease_cb, &sum, &err), 0);
    assert_int_equal(sum, 801);
    lrs_store_destroy(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_writer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refuses_bad_files, setup, teardown),
        cmocka_unit_test_setup_teardown(test_writes_and_duplicates, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_write_rolls_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_views_and_scans, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
