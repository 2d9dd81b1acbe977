/* test_export.c — the stored metrics of `best` and `export`, and `export
 * --curves` (coordinator/query_metrics.h, metric_cols.h, export.h), on
 * trials written with the store API beside an open writer:
 *  - `--metrics` picks known names in its order, once each; '' and none
 *    pick none; an unknown name is refused (code 2) with the known ones;
 *  - a command's trials.metrics and the engine's fold-mean accuracy are
 *    the names (sorted) and values; score_n and repeats as stored; a
 *    pending trial has none;
 *  - the curve view gives a command's rows per fold with its other names
 *    as metrics (every digit kept: 0.1 + 0.2 is not 0.3), the engine's
 *    per repeat with no fold and no metrics, in trial, repeat, fold, epoch
 *    order, one trial alone when asked; a callback stops the walk;
 *  - `best` shows the metric columns after the score (table and JSON),
 *    `export` CSV one column per name (metrics.lr where lr is a parameter
 *    column too) and JSON Lines a metrics object, --curves both ways;
 *  - a version-7 file has no curve view: --curves says so. */
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
#include <jansson.h>
#include <sqlite3.h>

#include "common/cli.h"
#include "common/jsonout.h"
#include "coordinator/metric_cols.h"
#include "coordinator/query.h"
#include "coordinator/query_metrics.h"
#include "coordinator/store.h"
#include "support.h"

typedef sup_db_fixture_t fixture_t;

static const char engine_spec[] = "name: eng\nseed: 3\ntrials: 3\nmodel: {type: synthetic}\n"
                                  "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n";
static const char command_spec[] = "name: cmd\nseed: 1\ntrials: 3\ncommand: echo {args}\n"
                                   "metric: val_loss\nsearch:\n  lr: {log_uniform: [1.0e-3, 1.0]}\n";

static int setup(void **state) { return sup_db_setup(state, "/tmp/lrs-export-XXXXXX"); }
static int teardown(void **state) { return sup_db_teardown_rm(state); }

static int64_t make_sweep(lrs_store_t *s, const char *name, const char *spec)
{
    lrs_sweep_row_t row = {0};
    snprintf(row.name, sizeof row.name, "%s", name);
    row.token = 5;
    snprintf(row.space_hash, sizeof row.space_hash, "0123456789abcdef");
    row.seed = 3;
    row.trials = 3;
    snprintf(row.metric, sizeof row.metric, "val_loss");
    lrs_err_t err;
    assert_int_equal(lrs_store_sweep_create(s, &row, spec, &err), 0);
    return row.id;
}

/* The engine's trial 0: two repeats of two folds (accuracy 0.5, 0.75 and
 * 1.0, 0.25: mean 0.625) and three epochs each; trial 1 without accuracy. */
static void put_engine(lrs_store_t *s, int64_t sweep)
{
    lrs_fold_result_t folds[4] = {{0, 1.0, 1.1, 0.5, 0}, {1, 1.0, 1.2, 0.75, 0},
                                  {0, 0.9, 1.0, 1.0, 1}, {1, 0.9, 1.3, 0.25, 1}};
    lrs_epoch_stat_t epochs[6];
    for (int i = 0; i < 6; i++)
        epochs[i] = (lrs_epoch_stat_t){i % 3 + 1, 0.1, 1.0 / (i + 1), 2.0 / (i + 1), i / 3};
    double repeat_scores[2] = {0.4, 0.6};
    uint64_t seeds[2] = {11, 12};
    lrs_trial_result_t o = {.status = LRS_STATUS_COMPLETE, .score = 0.5, .score_std = 0.1,
                            .seconds = 1, .n_folds = 4, .folds = folds, .n_epochs = 6,
                            .epochs = epochs, .n_repeats = 2, .repeat_scores = repeat_scores};
    lrs_store_trial_t t = {.sweep_id = sweep, .trial = 0, .result = &o,
                           .params_json = "{\"lr\": 0.1}", .lr = 0.1, .attempts = 1,
                           .worker = "w1", .repeat_seeds = seeds};
    lrs_err_t err;
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
    lrs_fold_result_t plain[2] = {{0, 1.0, 1.1, NAN, 0}, {1, 1.0, 1.2, NAN, 0}};
    o = (lrs_trial_result_t){.status = LRS_STATUS_COMPLETE, .score = 0.7, .score_std = 0,
                             .seconds = 1, .n_folds = 2, .folds = plain};
    t.trial = 1;
    t.repeat_seeds = NULL;
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
}

/* The command's trial 0: val_loss, acc and lr in folds 0 and 1 at epochs
 * 1 and 2 (written out of order), acc of fold 1 epoch 2 0.1 + 0.2; trial 1
 * reports f1 alone. */
static void put_command(lrs_store_t *s, int64_t sweep)
{
    volatile double tenth = 0.1;   /* computed at run time: 0.30000000000000004 */
    char *names[3] = {"val_loss", "acc", "lr"};
    lrs_curve_point_t pts[12];
    int n = 0;
    for (int fold = 1; fold >= 0; fold--)
        for (int epoch = 2; epoch >= 1; epoch--) {
            pts[n++] = (lrs_curve_point_t){fold, epoch, 0, 1.0 / epoch + fold};
            pts[n++] = (lrs_curve_point_t){fold, epoch, 1,
                                           fold == 1 && epoch == 2 ? tenth + 0.2 : 0.5 + fold};
            pts[n++] = (lrs_curve_point_t){fold, epoch, 2, 0.01};
        }
    lrs_command_result_t cr = {.exit_status = 0, .curve = {3, names, (size_t)n, pts}};
    lrs_trial_result_t o = {.status = LRS_STATUS_COMPLETE, .score = 0.25, .score_std = 0,
                            .seconds = 1, .command = &cr};
    lrs_store_trial_t t = {.sweep_id = sweep, .trial = 0, .result = &o,
                           .params_json = "{\"lr\": 0.1}", .lr = 0.1, .attempts = 1,
                           .worker = "w1", .stderr_text = "", .log_text = "",
                           .metrics_json = "{\"val_loss\": 0.25, \"acc\": 0.9, \"lr\": 0.01}"};
    lrs_err_t err;
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
    char *f1[1] = {"f1"};
    lrs_curve_point_t one = {0, 1, 0, 0.5};
    cr.curve = (lrs_curve_t){1, f1, 1, &one};
    o.score = 0.5;
    t.trial = 1;
    t.metrics_json = "{\"f1\": 0.5}";
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
}

/* Both sweeps, the writer left open (returned). */
static lrs_store_t *write_fixture(const char *db, int64_t *eng, int64_t *cmd)
{
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    *eng = make_sweep(s, "eng", engine_spec);
    *cmd = make_sweep(s, "cmd", command_spec);
    put_engine(s, *eng);
    put_command(s, *cmd);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    return s;
}

static void assert_names(const lrs_names_t *n, const char *const *want, int count)
{
    assert_int_equal(n->n, count);
    for (int i = 0; i < count; i++)
        assert_string_equal(n->name[i], want[i]);
}

static void test_choose(void **state)
{
    (void)state;
    char *a[3] = {"acc", "f1", "val_loss"};
    const lrs_names_t known = {3, a}, none = {0, NULL};
    lrs_names_t out = {0};
    lrs_err_t err;
    assert_int_equal(lrs_metric_cols_choose(&known, NULL, "sweep 's'", &out, &err), 0);
    assert_names(&out, (const char *const[]){"acc", "f1", "val_loss"}, 3);
    lrs_names_clear(&out);
    assert_int_equal(lrs_metric_cols_choose(&known, "val_loss,acc,val_loss", "s", &out, &err), 0);
    assert_names(&out, (const char *const[]){"val_loss", "acc"}, 2);
    lrs_names_clear(&out);
    assert_int_equal(lrs_metric_cols_choose(&known, "", "s", &out, &err), 0);
    assert_int_equal(out.n, 0);
    assert_int_equal(lrs_metric_cols_choose(&known, "none", "s", &out, &err), 0);
    assert_int_equal(out.n, 0);
    lrs_err_clear(&err);
    assert_int_equal(lrs_metric_cols_choose(&known, "acc,loss", "sweep 's'", &out, &err), -1);
    assert_int_equal(err.code, 2);
    assert_string_equal(err.msg, "--metrics: no metric 'loss' in sweep 's'; its metrics: acc, "
                                 "f1, val_loss");
    lrs_names_clear(&out);
    assert_int_equal(lrs_metric_cols_choose(&known, "acc,", "s", &out, &err), -1);   /* '' */
    lrs_names_clear(&out);
    assert_int_equal(lrs_metric_cols_choose(&none, "acc", "sweep 's'", &out, &err), -1);
    assert_string_equal(err.msg, "--metrics: no metric 'acc' in sweep 's', which has none");
    lrs_names_clear(&out);
}

static void test_trial_metrics(void **state)
{
    fixture_t *f = *state;
    int64_t eng, cmd;
    lrs_store_t *s = write_fixture(f->db, &eng, &cmd);
    lrs_err_t err;
    lrs_query_t *q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    lrs_query_sweep_t sw;
    assert_int_equal(lrs_query_sweep(q, "eng", &sw, &err), 0);
    lrs_query_metrics_t *m = lrs_query_metrics_new(q, &sw, &err);
    assert_non_null(m);
    lrs_names_t names = {0};
    assert_int_equal(lrs_query_metric_names(m, &names, &err), 0);
    assert_names(&names, (const char *const[]){"accuracy"}, 1);
    lrs_names_clear(&names);
    lrs_trial_metrics_t tm;
    assert_int_equal(lrs_query_trial_metrics(m, 0, &tm, &err), 0);
    assert_true(json_real_value(json_object_get(tm.metrics, "accuracy")) == 0.625);
    assert_int_equal(json_object_size(tm.metrics), 1);
    assert_int_equal(tm.score_n, 2);
    assert_int_equal(tm.repeats, 2);
    assert_int_equal(lrs_query_trial_metrics(m, 1, &tm, &err), 0);
    assert_int_equal(json_object_size(tm.metrics), 0);   /* no accuracy stored */
    assert_int_equal(tm.score_n, 2);                     /* its folds */
    assert_int_equal(tm.repeats, 0);
    assert_int_equal(lrs_query_trial_metrics(m, 2, &tm, &err), 0);   /* pending */
    assert_int_equal(json_object_size(tm.metrics), 0);
    assert_int_equal(tm.score_n, 0);
    lrs_query_metrics_destroy(&m);
    assert_null(m);

    assert_int_equal(lrs_query_sweep(q, "cmd", &sw, &err), 0);
    m = lrs_query_metrics_new(q, &sw, &err);
    assert_int_equal(lrs_query_metric_names(m, &names, &err), 0);
    assert_names(&names, (const char *const[]){"acc", "f1", "lr", "val_loss"}, 4);
    lrs_names_clear(&names);
    assert_int_equal(lrs_query_trial_metrics(m, 0, &tm, &err), 0);
    assert_true(json_real_value(json_object_get(tm.metrics, "acc")) == 0.9);
    assert_true(json_real_value(json_object_get(tm.metrics, "val_loss")) == 0.25);
    assert_null(json_object_get(tm.metrics, "accuracy"));
    lrs_query_metrics_destroy(&m);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

typedef struct rows {
    int n, stop_after;
    lrs_curve_row_t r[32];
    double acc[32];   /* metrics' acc; NaN: none */
    int has_metrics[32];
} rows_t;

static int collect(void *ctx, const lrs_curve_row_t *row)
{
    rows_t *c = ctx;
    assert_true(c->n < 32);
    c->r[c->n] = *row;
    c->r[c->n].metrics = NULL;   /* borrowed: read it now */
    const json_t *v = json_object_get(row->metrics, "acc");
    c->acc[c->n] = v ? json_real_value(v) : NAN;
    c->has_metrics[c->n] = row->metrics != NULL;
    c->n++;
    return c->stop_after && c->n == c->stop_after ? 9 : 0;
}

static void test_curves(void **state)
{
    fixture_t *f = *state;
    int64_t eng, cmd;
    lrs_store_t *s = write_fixture(f->db, &eng, &cmd);
    lrs_err_t err;
    lrs_query_t *q = lrs_query_open(f->db, &err);
    lrs_query_sweep_t sw;
    assert_int_equal(lrs_query_sweep(q, "cmd", &sw, &err), 0);
    lrs_query_metrics_t *m = lrs_query_metrics_new(q, &sw, &err);
    lrs_names_t names = {0};
    assert_int_equal(lrs_query_curve_names(m, -1, &names, &err), 0);
    assert_names(&names, (const char *const[]){"acc", "f1"}, 2);   /* lr, val_loss are columns */
    lrs_names_clear(&names);
    assert_int_equal(lrs_query_curve_names(m, 1, &names, &err), 0);
    assert_names(&names, (const char *const[]){"f1"}, 1);
    lrs_names_clear(&names);

    rows_t c = {0};
    assert_int_equal(lrs_query_curves(m, -1, collect, &c, &err), 0);
    assert_int_equal(c.n, 5);   /* trial 0: 2 folds x 2 epochs; trial 1: 1 */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(c.r[i].trial, 0);
        assert_int_equal(c.r[i].repeat, 0);
        assert_int_equal(c.r[i].fold, i / 2);
        assert_int_equal(c.r[i].epoch, i % 2 + 1);
        assert_true(c.r[i].val_loss == 1.0 / (i % 2 + 1) + i / 2);
        assert_true(c.r[i].lr == 0.01);
        assert_true(isnan(c.r[i].train_loss));
    }
    volatile double tenth = 0.1;
    assert_true(c.acc[0] == 0.5);
    assert_true(c.acc[3] == tenth + 0.2);   /* 17 digits through the view's JSON */
    assert_false(c.acc[3] == 0.3);
    assert_int_equal(c.r[4].trial, 1);
    assert_true(isnan(c.acc[4]) && c.has_metrics[4]);   /* f1 only */
    rows_t one = {0};
    assert_int_equal(lrs_query_curves(m, 1, collect, &one, &err), 0);
    assert_int_equal(one.n, 1);
    rows_t stop = {.stop_after = 2};
    assert_int_equal(lrs_query_curves(m, -1, collect, &stop, &err), 9);
    assert_int_equal(stop.n, 2);
    lrs_query_metrics_destroy(&m);

    assert_int_equal(lrs_query_sweep(q, "eng", &sw, &err), 0);
    m = lrs_query_metrics_new(q, &sw, &err);   /* the same reader works after a stop */
    assert_int_equal(lrs_query_curve_names(m, -1, &names, &err), 0);
    assert_int_equal(names.n, 0);
    rows_t e = {0};
    assert_int_equal(lrs_query_curves(m, -1, collect, &e, &err), 0);
    assert_int_equal(e.n, 6);   /* trial 0: 2 repeats x 3 epochs; trial 1 has none */
    for (int i = 0; i < 6; i++) {
        assert_int_equal(e.r[i].fold, -1);
        assert_int_equal(e.r[i].repeat, i / 3);
        assert_int_equal(e.r[i].epoch, i % 3 + 1);
        assert_true(e.r[i].train_loss == 1.0 / (i + 1));
        assert_false(e.has_metrics[i]);
    }
    lrs_query_metrics_destroy(&m);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

/* Line i (0-based) of text, copied into line. */
static const char *line_at(const char *text, int i, char *line, size_t size)
{
    const char *l = text;
    for (; i > 0 && l; i--)
        l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL;
    assert_non_null(l);
    size_t len = strcspn(l, "\n");
    assert_true(len < size);
    memcpy(line, l, len);
    line[len] = '\0';
    return line;
}

static json_t *json_at(const char *text, int i)
{
    char line[4096];
    json_t *o = json_loads(line_at(text, i, line, sizeof line), 0, NULL);
    assert_true(json_is_object(o));
    return o;
}

static int count_lines(const char *text)
{
    int n = 0;
    for (; *text; text++)
        n += *text == '\n';
    return n;
}

/* The compact JSON text of o's member key (a static buffer). */
static const char *member_text(const json_t *o, const char *key)
{
    static char text[512];
    char *t = lrs_json_text(json_object_get(o, key));
    assert_non_null(t);
    snprintf(text, sizeof text, "%s", t);
    free(t);
    return text;
}

static void test_commands(void **state)
{
    fixture_t *f = *state;
    int64_t eng, cmd;
    lrs_store_t *s = write_fixture(f->db, &eng, &cmd);
    int rc;
    char line[4096];

    char *out = sup_run_cmd(lrs_cmd_best, (const char *const[]){"best", "eng", "--db", f->db, NULL}, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(line_at(out, 0, line, sizeof line),
                        "rank    trial        score        std     accuracy  params");
    assert_string_equal(line_at(out, 1, line, sizeof line),
                        "   1        0          0.5        0.1        0.625  lr=0.1");
    assert_string_equal(line_at(out, 2, line, sizeof line),
                        "   2        1          0.7          0            -  lr=0.1");
    free(out);
    out = sup_run_cmd(lrs_cmd_best,
                  (const char *const[]){"best", "cmd", "--db", f->db, "--json", "--metrics", "f1,acc", NULL},
                  &rc);
    assert_int_equal(rc, 0);
    json_t *o = json_at(out, 0);
    assert_string_equal(member_text(o, "metrics"), "{\"acc\":0.9}");
    json_decref(o);
    o = json_at(out, 1);
    assert_string_equal(member_text(o, "metrics"), "{\"f1\":0.5}");
    json_decref(o);
    free(out);
    out = sup_run_cmd(lrs_cmd_best,
                  (const char *const[]){"best", "cmd", "--db", f->db, "--metrics", "nope", NULL}, &rc);
    assert_int_equal(rc, 2);
    assert_string_equal(out, "");
    free(out);

    /* export CSV: a column per name, lr (a parameter column) as metrics.lr */
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "cmd", "--db", f->db, "--format", "csv", NULL}, &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(line_at(out, 0, line, sizeof line),
                        "trial,status,score,score_std,score_n,repeats,lr,attempts,worker,seconds,"
                        "error,pruned_epoch,prune_rule,prune_value,prune_threshold,acc,f1,"
                        "metrics.lr,val_loss");
    assert_string_equal(line_at(out, 1, line, sizeof line),
                        "0,complete,0.25,0.0,1,0,0.1,1,w1,1.0,,,,,,0.9,,0.01,0.25");
    assert_non_null(strstr(line_at(out, 3, line, sizeof line), "2,pending,,,,0,"));
    free(out);
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "eng", "--db", f->db, "--format", "jsonl",
                                        "--metrics", "none", NULL},
                  &rc);
    o = json_at(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "score_n")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "repeats")), 2);
    assert_int_equal(json_object_size(json_object_get(o, "metrics")), 0);
    json_decref(o);
    o = json_at(out, 2);   /* pending */
    assert_true(json_is_null(json_object_get(o, "score_n")));
    json_decref(o);
    free(out);

    /* --curves: per fold for the command, fold means (null) for the engine */
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "cmd", "--db", f->db, "--format", "csv",
                                        "--curves", NULL},
                  &rc);
    assert_int_equal(rc, 0);
    assert_string_equal(line_at(out, 0, line, sizeof line),
                        "trial,repeat,fold,epoch,lr,train_loss,val_loss,acc,f1");
    assert_string_equal(line_at(out, 4, line, sizeof line),
                        "0,0,1,2,0.01,,1.5,0.30000000000000004,");
    assert_string_equal(line_at(out, 5, line, sizeof line), "1,0,0,1,,,,,0.5");
    free(out);
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "eng", "--db", f->db, "--format", "jsonl",
                                        "--curves", "--trial", "0", NULL},
                  &rc);
    assert_int_equal(rc, 0);
    o = json_at(out, 3);
    assert_true(json_is_null(json_object_get(o, "fold")));
    assert_int_equal(json_integer_value(json_object_get(o, "repeat")), 1);
    assert_int_equal(json_integer_value(json_object_get(o, "epoch")), 1);
    assert_true(json_real_value(json_object_get(o, "train_loss")) == 0.25);
    assert_int_equal(json_object_size(json_object_get(o, "metrics")), 0);
    json_decref(o);
    assert_int_equal(count_lines(out), 6);   /* trial 0 alone: 2 repeats x 3 epochs */
    free(out);
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "cmd", "--db", f->db, "--format", "csv",
                                        "--curves", "--metrics", "lr", NULL},
                  &rc);
    assert_int_equal(rc, 2);   /* lr is a column of its own, not a metric of the view */
    free(out);
    lrs_store_destroy(&s);
}

/* A version-7 file has no curve view; the trials' export still reads. */
static void test_version_7_file(void **state)
{
    fixture_t *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    for (int i = 0; i < 7; i++)
        assert_int_equal(sqlite3_exec(db, lrs_schema_sql[i], NULL, NULL, NULL), SQLITE_OK);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "PRAGMA user_version = 7;"
             "INSERT INTO sweeps (id, name, token, spec, space_hash, seed, trials, metric, goal,"
             " created_at, updated_at) VALUES (1, 'old', 5, '%s', '0123456789abcdef', 3, 3,"
             " 'val_loss', 'minimize', 1, 1);"
             "INSERT INTO trials (sweep_id, trial, status, score, params, attempts, finished_at,"
             " metrics, score_n) VALUES (1, 0, 'complete', 0.5, '{\"lr\": 0.1}', 1, 2,"
             " '{\"acc\": 0.75}', 3);",
             engine_spec);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    int rc;
    char line[512];
    char *out = sup_run_cmd(lrs_cmd_export,
                        (const char *const[]){"export", "--db", f->db, "--format", "csv", NULL}, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(line_at(out, 1, line, sizeof line), "0,complete,0.5,,3,0,"));
    assert_true(strlen(line) > 5 && strcmp(line + strlen(line) - 5, ",0.75") == 0);
    free(out);
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "--db", f->db, "--format", "csv", "--curves", NULL},
                  &rc);
    assert_int_equal(rc, 1);
    assert_string_equal(out, "");
    free(out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_choose),
        cmocka_unit_test_setup_teardown(test_trial_metrics, setup, teardown),
        cmocka_unit_test_setup_teardown(test_curves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_7_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
