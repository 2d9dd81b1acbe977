/* test_query.c — the read side of the results database (coordinator/query.h):
 * trials written with the store API come back through the query API in the
 * order and under the status filter asked for; the every-trial walk adds
 * running trials from leases and pending ones from the stored spec; per-epoch
 * curves, progress counts, summary groups and the sweep list agree with what
 * was written; a missing sweep, an empty database and a missing file are
 * refused with code 2; a callback can stop a walk and the handle stays usable.
 * Pruned trials (schema 006) are counted apart in progress, the sweep list
 * and summary groups, add the epochs they saved, carry their decision into
 * the walks and `export` (CSV columns at the end, JSON Lines keys for a sweep
 * that prunes) and never rank; a version-5 file, without pruned_epoch or
 * trial_rungs, still reads.  The writer stays open throughout, as a live
 * coordinator would. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>
#include <sqlite3.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/spec.h"
#include "coordinator/query.h"
#include "coordinator/store.h"
#include "coordinator/summary.h"
#include "support.h"

typedef sup_db_fixture_t fixture_t;

/* Budget 8: trials 0-4 recorded, 5 leased, 6 and 7 pending. */
static const char spec_text[] = "name: low\nseed: 3\ntrials: 8\nmodel: {type: synthetic}\n"
                                "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n"
                                "  optimizer: {sgd: {momentum: 0.9}, adam: {}}\n";

static int setup(void **state)
{
    return sup_db_setup(state, "/tmp/lrs-query-XXXXXX");
}

static int teardown(void **state)
{
    return sup_db_teardown_rm(state);
}

static lrs_query_sweep_t make_sweep(lrs_store_t *s, const char *name, int maximize)
{
    lrs_sweep_row_t row = {0};
    snprintf(row.name, sizeof row.name, "%s", name);
    row.token = 5;
    snprintf(row.space_hash, sizeof row.space_hash, "0123456789abcdef");
    row.seed = 3;
    row.trials = 8;
    snprintf(row.metric, sizeof row.metric, "val_loss");
    row.maximize = maximize;
    lrs_err_t err;
    assert_int_equal(lrs_store_sweep_create(s, &row, spec_text, &err), 0);
    lrs_query_sweep_t sw = {.id = row.id, .trials = row.trials, .maximize = maximize};
    snprintf(sw.name, sizeof sw.name, "%s", name);
    return sw;
}

static void put(lrs_store_t *s, int64_t sweep, int64_t i, lrs_status_t status, double score,
                const char *sched)
{
    static const lrs_epoch_stat_t epochs[2] = {{1, 0.1, 1.0, 1.5, 0}, {2, 0.05, 0.5, NAN, 0}};
    char params[128];
    snprintf(params, sizeof params, "{\"lr\": 0.1, \"scheduler\": \"%s\"}", sched);
    lrs_trial_result_t o = {
        .status = status, .score = score, .score_std = NAN, .seconds = 0.25,
        .error = status == LRS_STATUS_FAILED ? "boom" : NULL, .n_epochs = i == 0 ? 2 : 0,
        .epochs = (lrs_epoch_stat_t *)epochs,
    };
    lrs_store_trial_t t = {
        .sweep_id = sweep, .trial = i, .result = &o, .params_json = params, .lr = 0.1,
        .optimizer = "sgd", .scheduler = sched, .attempts = 1, .worker = "w1",
    };
    lrs_err_t err;
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
}

/* Two sweeps: "low" (minimize) and "high" (maximize, the newest), with the
 * same trials: 0 complete 0.5, 1 complete 0.2, 2 diverged, 3 failed,
 * 4 complete 0.2; trial 5 of "low" leased to w9 (attempt 2). */
static lrs_store_t *write_fixture(const char *db, lrs_query_sweep_t *low, lrs_query_sweep_t *high)
{
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    *low = make_sweep(s, "low", 0);
    *high = make_sweep(s, "high", 1);
    for (int k = 0; k < 2; k++) {
        int64_t id = k == 0 ? low->id : high->id;
        put(s, id, 0, LRS_STATUS_COMPLETE, 0.5, "cosine");
        put(s, id, 1, LRS_STATUS_COMPLETE, 0.2, "constant");
        put(s, id, 2, LRS_STATUS_DIVERGED, NAN, "cosine");
        put(s, id, 3, LRS_STATUS_FAILED, NAN, "constant");
        put(s, id, 4, LRS_STATUS_COMPLETE, 0.2, "cosine");
    }
    assert_int_equal(lrs_store_put_lease(s, low->id, 5, 2, "w9", &err), 0);
    assert_int_equal(lrs_store_put_worker(s, low->id, &(lrs_store_worker_t){.name = "w1", .host = "host", .pid = 11, .jobs = 1, .trials_added = 5}, &err), 0);
    assert_int_equal(lrs_store_put_worker(s, low->id, &(lrs_store_worker_t){.name = "w9", .host = "host", .pid = 19, .jobs = 1, .left_reason = "stopped heartbeating", .lost = 1}, &err), 0);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    return s;
}

/* write_fixture, then a reader on it beside the open writer *s. */
static lrs_query_t *open_fixture(fixture_t *f, lrs_store_t **s, lrs_query_sweep_t *low,
                                 lrs_query_sweep_t *high)
{
    lrs_err_t err;
    *s = write_fixture(f->db, low, high);
    lrs_query_t *q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    return q;
}

typedef struct seen {
    int n;
    int64_t trial[16];
    lrs_status_t status[16];
    double score[16];
    char worker[16][16];
    char error[16][16];
    char params[16][256];
    int attempts[16];
    int stop_after;   /* 0: never */
} seen_t;

static int collect(void *ctx, const lrs_query_trial_t *t)
{
    seen_t *s = ctx;
    assert_true(s->n < 16);
    assert_non_null(t->params_json);
    s->trial[s->n] = t->trial;
    s->status[s->n] = t->result.status;
    s->score[s->n] = t->result.score;
    snprintf(s->worker[s->n], sizeof s->worker[0], "%s", t->worker ? t->worker : "(null)");
    snprintf(s->error[s->n], sizeof s->error[0], "%s", t->result.error ? t->result.error : "(null)");
    snprintf(s->params[s->n], sizeof s->params[0], "%s", t->params_json);
    s->attempts[s->n] = t->attempts;
    s->n++;
    return s->stop_after && s->n == s->stop_after ? 7 : 0;
}

static void test_order_and_filter(void **state)
{
    lrs_query_sweep_t low, high;
    lrs_store_t *s;
    lrs_err_t err;
    lrs_query_t *q = open_fixture(*state, &s, &low, &high);

    /* best first, ties by trial: minimize 1, 4, 0; maximize 0, 1, 4 */
    lrs_query_select_t sel = {LRS_QUERY_BY_SCORE, LRS_STATUS_COMPLETE, 0};
    seen_t a = {0};
    assert_int_equal(lrs_query_trials(q, &low, &sel, collect, &a, &err), 0);
    assert_int_equal(a.n, 3);
    assert_int_equal(a.trial[0], 1);
    assert_int_equal(a.trial[1], 4);
    assert_int_equal(a.trial[2], 0);
    assert_true(a.score[2] == 0.5);
    seen_t b = {0};
    assert_int_equal(lrs_query_trials(q, &high, &sel, collect, &b, &err), 0);
    assert_int_equal(b.n, 3);
    assert_int_equal(b.trial[0], 0);
    assert_int_equal(b.trial[1], 1);
    assert_int_equal(b.trial[2], 4);

    sel.limit = 2;
    seen_t c = {0};
    assert_int_equal(lrs_query_trials(q, &low, &sel, collect, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.trial[1], 4);

    /* one status only */
    sel = (lrs_query_select_t){LRS_QUERY_BY_TRIAL, LRS_STATUS_FAILED, 0};
    seen_t d = {0};
    assert_int_equal(lrs_query_trials(q, &low, &sel, collect, &d, &err), 0);
    assert_int_equal(d.n, 1);
    assert_int_equal(d.trial[0], 3);
    assert_int_equal(d.status[0], LRS_STATUS_FAILED);
    assert_string_equal(d.error[0], "boom");
    assert_true(isnan(d.score[0]));

    /* every recorded trial by index, statuses as written */
    sel.status = -1;
    seen_t e = {0};
    assert_int_equal(lrs_query_trials(q, &low, &sel, collect, &e, &err), 0);
    assert_int_equal(e.n, 5);
    static const lrs_status_t want[5] = {LRS_STATUS_COMPLETE, LRS_STATUS_COMPLETE,
                                         LRS_STATUS_DIVERGED, LRS_STATUS_FAILED,
                                         LRS_STATUS_COMPLETE};
    for (int i = 0; i < 5; i++) {
        assert_int_equal(e.trial[i], i);
        assert_int_equal(e.status[i], want[i]);
        assert_string_equal(e.worker[i], "w1");
    }
    assert_string_equal(e.error[0], "(null)");

    /* a callback stops the walk with its value; the handle is reusable */
    seen_t g = {.stop_after = 2};
    assert_int_equal(lrs_query_trials(q, &low, &sel, collect, &g, &err), 7);
    assert_int_equal(g.n, 2);
    seen_t h = {0};
    assert_int_equal(lrs_query_trials(q, &low, &sel, collect, &h, &err), 0);
    assert_int_equal(h.n, 5);
    lrs_query_destroy(&q);
    assert_null(q);
    lrs_store_destroy(&s);
}

static void test_every_trial(void **state)
{
    lrs_query_sweep_t low, high;
    lrs_store_t *s;
    lrs_err_t err;
    lrs_query_t *q = open_fixture(*state, &s, &low, &high);
    seen_t a = {0};
    assert_int_equal(lrs_query_every_trial(q, &low, collect, &a, &err), 0);
    assert_int_equal(a.n, 8);
    for (int i = 0; i < 8; i++)
        assert_int_equal(a.trial[i], i);
    assert_int_equal(a.status[3], LRS_STATUS_FAILED);
    assert_string_equal(a.params[4], "{\"lr\": 0.1, \"scheduler\": \"cosine\"}");
    assert_int_equal(a.status[5], LRS_STATUS_RUNNING);
    assert_int_equal(a.attempts[5], 2);
    assert_string_equal(a.worker[5], "w9");
    assert_true(isnan(a.score[5]));
    assert_int_equal(a.status[6], LRS_STATUS_PENDING);
    assert_int_equal(a.attempts[6], 0);
    assert_string_equal(a.worker[7], "(null)");

    /* pending and running trials carry the params the stored spec gives them */
    lrs_spec_t *spec = NULL;
    assert_int_equal(lrs_spec_parse("low", spec_text, strlen(spec_text), NULL, &spec, &err), 0);
    for (int i = 5; i < 8; i++) {
        lrs_trial_cfg_t cfg;
        char json[4096];
        assert_int_equal(lrs_spec_sample(spec, (uint64_t)i, &cfg, NULL, &err), 0);
        lrs_trial_cfg_json(&cfg, json, sizeof json);
        assert_string_equal(a.params[i], json);
    }
    lrs_spec_destroy(&spec);

    /* the walk stops where the callback says */
    seen_t b = {.stop_after = 6};
    assert_int_equal(lrs_query_every_trial(q, &low, collect, &b, &err), 7);
    assert_int_equal(b.n, 6);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

typedef struct curve {
    int n;
    lrs_epoch_stat_t e[4];
} curve_t;

static int collect_epoch(void *ctx, const lrs_epoch_stat_t *e)
{
    curve_t *c = ctx;
    assert_true(c->n < 4);
    c->e[c->n++] = *e;
    return 0;
}

static void test_curves(void **state)
{
    lrs_query_sweep_t low, high;
    lrs_store_t *s;
    lrs_err_t err;
    lrs_query_t *q = open_fixture(*state, &s, &low, &high);
    curve_t c = {0};
    assert_int_equal(lrs_query_epochs(q, &low, 0, collect_epoch, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.e[0].epoch, 1);
    assert_true(c.e[0].lr == 0.1 && c.e[0].train_loss == 1.0 && c.e[0].val_loss == 1.5);
    assert_int_equal(c.e[1].epoch, 2);
    assert_true(c.e[1].lr == 0.05 && c.e[1].train_loss == 0.5);
    assert_true(isnan(c.e[1].val_loss));
    curve_t none = {0};
    assert_int_equal(lrs_query_epochs(q, &low, 1, collect_epoch, &none, &err), 0);
    assert_int_equal(none.n, 0);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

static void test_progress(void **state)
{
    lrs_query_sweep_t low, high;
    lrs_store_t *s;
    lrs_err_t err;
    lrs_query_t *q = open_fixture(*state, &s, &low, &high);
    lrs_query_progress_t p;
    assert_int_equal(lrs_query_progress(q, &low, &p, &err), 0);
    assert_int_equal(p.n[LRS_STATUS_COMPLETE], 3);
    assert_int_equal(p.n[LRS_STATUS_DIVERGED], 1);
    assert_int_equal(p.n[LRS_STATUS_FAILED], 1);
    assert_int_equal(p.n[LRS_STATUS_RUNNING], 1);
    assert_int_equal(p.n[LRS_STATUS_PENDING], 8 - 5 - 1);
    assert_int_equal(p.n[LRS_STATUS_CANCELLED], 0);
    assert_int_equal(p.recorded, 5);
    assert_int_equal(p.workers, 2);
    assert_int_equal(lrs_query_progress(q, &high, &p, &err), 0);
    assert_int_equal(p.n[LRS_STATUS_RUNNING], 0);
    assert_int_equal(p.n[LRS_STATUS_PENDING], 3);
    assert_int_equal(p.workers, 0);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

/* Rows of the group and sweep walks, with their text (value, name) copied. */
typedef struct rows {
    int n;
    char text[4][32];
    lrs_query_sweep_row_t r[4];
} rows_t;

/* The next row's index, with text kept. */
static int take(rows_t *c, const char *text)
{
    assert_true(c->n < 4);
    snprintf(c->text[c->n], sizeof c->text[0], "%s", text);
    return c->n++;
}

/* The values of one parameter, with their text copied ("(none)": NULL). */
typedef struct values {
    int n;
    char text[8][32];
    lrs_query_param_value_t v[8];
} values_t;

static int collect_value(void *ctx, const lrs_query_param_value_t *v)
{
    values_t *c = ctx;
    assert_true(c->n < 8);
    snprintf(c->text[c->n], sizeof c->text[0], "%s", v->text ? v->text : "(none)");
    c->v[c->n++] = *v;
    return 0;
}

static int collect_sweep(void *ctx, const lrs_query_sweep_row_t *r)
{
    rows_t *c = ctx;
    c->r[take(c, r->name)] = *r;
    return 0;
}

static void test_groups(void **state)
{
    lrs_query_sweep_t low, high;
    lrs_store_t *s;
    lrs_err_t err;
    lrs_query_t *q = open_fixture(*state, &s, &low, &high);
    /* every recorded trial in index order, its value as text or a number */
    values_t v = {0};
    assert_int_equal(lrs_query_param_values(q, &low, "scheduler", collect_value, &v, &err), 0);
    assert_int_equal(v.n, 5);
    for (int i = 0; i < 5; i++)
        assert_int_equal(v.v[i].trial, i);
    assert_string_equal(v.text[0], "cosine");
    assert_true(isnan(v.v[0].number) && v.v[0].score == 0.5);
    assert_int_equal(v.v[2].status, LRS_STATUS_DIVERGED);
    values_t lr = {0};
    assert_int_equal(lrs_query_param_values(q, &low, "lr", collect_value, &lr, &err), 0);
    assert_true(lr.v[3].number == 0.1);
    assert_string_equal(lr.text[3], "0.1");

    lrs_summary_t a;
    assert_int_equal(lrs_summary_load(q, &low, "scheduler", 0, &a, &err), 0);
    assert_int_equal(a.n, 2);   /* both best 0.2: by name */
    assert_string_equal(a.groups[0].label, "constant");   /* trials 1 (0.2) and 3 (failed) */
    assert_int_equal(a.groups[0].count, 2);
    assert_int_equal(a.groups[0].failed, 1);
    assert_int_equal(a.groups[0].complete, 1);
    assert_true(a.groups[0].best == 0.2 && a.groups[0].median == 0.2 && a.groups[0].iqr == 0);
    assert_string_equal(a.groups[1].label, "cosine");     /* 0 (0.5), 2 (diverged), 4 (0.2) */
    assert_int_equal(a.groups[1].count, 3);
    assert_int_equal(a.groups[1].diverged, 1);
    assert_int_equal(a.groups[1].complete, 2);
    assert_true(a.groups[1].best == 0.2);
    assert_true(fabs(a.groups[1].median - 0.35) < 1e-15);
    assert_true(fabs(a.groups[1].iqr - 0.15) < 1e-15);
    lrs_summary_clear(&a);
    lrs_summary_t b;
    assert_int_equal(lrs_summary_load(q, &high, "scheduler", 0, &b, &err), 0);
    assert_string_equal(b.groups[0].label, "cosine");   /* maximize: 0.5 first */
    assert_true(b.groups[0].best == 0.5);
    lrs_summary_clear(&b);

    /* lr: 8 log bins over the spec's [1e-4, 1]; 0.1 is the 7th's low edge */
    lrs_summary_t l;
    assert_int_equal(lrs_summary_load(q, &low, "lr", 0, &l, &err), 0);
    assert_int_equal(l.n, 8);
    assert_true(l.groups[0].low == 1e-4 && l.groups[7].high == 1.0);
    assert_string_equal(l.groups[6].label, "[0.1, 0.3162)");
    assert_int_equal(l.groups[6].count, 5);
    assert_int_equal(l.groups[5].count, 0);
    assert_true(isnan(l.groups[5].best));
    lrs_summary_clear(&l);
    assert_int_equal(lrs_summary_load(q, &low, "lr", 1001, &l, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_int_equal(lrs_summary_load(q, &low, "optimizer", 3, &l, &err), -1);
    assert_non_null(strstr(err.msg, "--bins: optimizer is not numeric"));

    /* a key no trial has: one group "-"; a key with quotes is only a value */
    lrs_summary_t c;
    assert_int_equal(lrs_summary_load(q, &low, "momentum", 0, &c, &err), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.groups[0].label, "-");
    assert_int_equal(c.groups[0].count, 5);
    lrs_summary_clear(&c);
    values_t d = {0};
    assert_int_equal(lrs_query_param_values(q, &low, "x') OR 1=1 --", collect_value, &d, &err), 0);
    assert_int_equal(d.n, 5);
    assert_string_equal(d.text[0], "(none)");
    assert_int_equal(lrs_summary_load(q, &low, "x') OR 1=1 --", 0, &c, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

static void test_sweeps_and_lookup(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;

    /* no file; then a database without sweeps */
    assert_null(lrs_query_open(f->db, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    lrs_store_t *s = lrs_store_open(f->db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    lrs_query_t *q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    lrs_query_sweep_t sw;
    assert_int_equal(lrs_query_sweep(q, NULL, &sw, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "holds no sweep yet"));
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);

    lrs_query_sweep_t low, high;
    s = write_fixture(f->db, &low, &high);
    q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    lrs_err_clear(&err);
    assert_int_equal(lrs_query_sweep(q, NULL, &sw, &err), -1);   /* two: none picked */
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "holds 2 sweeps; name one: 'low', 'high'"));
    assert_int_equal(lrs_query_sweep(q, "high", &sw, &err), 0);
    assert_string_equal(sw.name, "high");
    assert_int_equal(sw.id, high.id);
    assert_int_equal(sw.maximize, 1);
    assert_int_equal(lrs_query_sweep(q, "low", &sw, &err), 0);
    assert_int_equal(sw.id, low.id);
    assert_int_equal(sw.trials, 8);
    assert_int_equal(sw.maximize, 0);
    lrs_err_clear(&err);
    assert_int_equal(lrs_query_sweep(q, "nosuch", &sw, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "no sweep named 'nosuch'"));

    rows_t a = {0};
    assert_int_equal(lrs_query_sweeps(q, collect_sweep, &a, &err), 0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.text[0], "low");   /* oldest first */
    assert_int_equal(a.r[0].trials, 8);
    assert_int_equal(a.r[0].n[LRS_STATUS_COMPLETE], 3);
    assert_int_equal(a.r[0].n[LRS_STATUS_DIVERGED], 1);
    assert_int_equal(a.r[0].n[LRS_STATUS_FAILED], 1);
    assert_int_equal(a.r[0].n[LRS_STATUS_RUNNING], 1);
    assert_int_equal(a.r[0].n[LRS_STATUS_PENDING], 2);
    assert_true(a.r[0].best == 0.2);
    assert_true(a.r[0].created_at > 0);
    assert_int_equal(a.r[0].maximize, 0);
    assert_int_equal(a.r[1].maximize, 1);
    assert_string_equal(a.r[0].sampler, "random");   /* the spec's default */
    assert_string_equal(a.text[1], "high");
    assert_true(a.r[1].best == 0.5);
    lrs_query_destroy(&q);
    lrs_query_destroy(&q);   /* takes a cleared handle */
    lrs_store_destroy(&s);
}

/* ---- pruning (schema 006) --------------------------------------------- */

/* A minimizing sweep with a median rule, budget 8. */
static const char prune_spec_text[] = "name: prn\nseed: 3\ntrials: 8\nmodel: {type: synthetic}\n"
                                      "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n"
                                      "pruning: {rule: median}\n";

static int64_t make_prune_sweep(lrs_store_t *s, const char *name, const char *spec)
{
    lrs_sweep_row_t row = {0};
    snprintf(row.name, sizeof row.name, "%s", name);
    row.token = 6;
    snprintf(row.space_hash, sizeof row.space_hash, "fedcba9876543210");
    row.seed = 3;
    row.trials = 8;
    snprintf(row.metric, sizeof row.metric, "val_loss");
    lrs_err_t err;
    assert_int_equal(lrs_store_sweep_create(s, &row, spec, &err), 0);
    return row.id;
}

/* Trial i of sweep with params {"lr", "scheduler"[, "epochs": epochs (JSON
 * text)]}; pruned ones stop at pruned_epoch. */
static void put_pruned(lrs_store_t *s, int64_t sweep, int64_t i, lrs_status_t status,
                       double score, const char *sched, const char *epochs, int pruned_epoch)
{
    char params[160];
    if (epochs)
        snprintf(params, sizeof params, "{\"lr\": 0.1, \"scheduler\": \"%s\", \"epochs\": %s}",
                 sched, epochs);
    else
        snprintf(params, sizeof params, "{\"lr\": 0.1, \"scheduler\": \"%s\"}", sched);
    lrs_trial_result_t o = {.status = status, .score = score, .score_std = NAN, .seconds = 0.25,
                            .pruned_epoch = pruned_epoch};
    lrs_store_trial_t t = {
        .sweep_id = sweep, .trial = i, .result = &o, .params_json = params, .lr = 0.1,
        .optimizer = "sgd", .scheduler = sched, .attempts = 1, .worker = "w1",
    };
    lrs_err_t err;
    assert_int_equal(lrs_store_put_trial(s, &t, &err), 1);
}

static void put_rung(lrs_store_t *s, int64_t sweep, int64_t trial, int rung, int epoch,
                     double value, int prune, double threshold)
{
    lrs_store_rung_t r = {.sweep_id = sweep, .trial = trial, .rung = rung, .epoch = epoch,
                          .value = value, .best = value, .prune = prune,
                          .threshold = threshold, .rule = "median"};
    lrs_err_t err;
    assert_int_equal(lrs_store_put_rung(s, &r, &err), 0);
}

/* Sweep "prn" (median rule, minimize): 0 complete 0.3 (cosine), 1 pruned
 * at 3 of 10 epochs (value 0.9, bar 0.5; cosine), 2 pruned at 6 of 10 after
 * continuing at 3 (0.8 over 0.6; constant), 3 complete 0.4 after continuing
 * at 3 (constant), 4 pruned at 3 with "epochs" text, not an integer (0.7
 * over 0.55; cosine), 5 diverged (cosine); 6 and 7 pending.  Epochs saved:
 * 7 + 4 = 11.  Sweep "fresh": the same rule, nothing recorded yet. */
static lrs_store_t *write_prune_fixture(const char *db, int64_t *prn)
{
    lrs_err_t err;
    lrs_store_t *s = lrs_store_open(db, LRS_STORE_WRITE, &err);
    assert_non_null(s);
    *prn = make_prune_sweep(s, "prn", prune_spec_text);
    put_rung(s, *prn, 0, 0, 3, 0.35, 0, 0.5);
    put_pruned(s, *prn, 0, LRS_STATUS_COMPLETE, 0.3, "cosine", "10", 0);
    put_rung(s, *prn, 1, 0, 3, 0.9, 1, 0.5);
    put_pruned(s, *prn, 1, LRS_STATUS_PRUNED, NAN, "cosine", "10", 3);
    put_rung(s, *prn, 2, 0, 3, 0.45, 0, 0.5);
    put_rung(s, *prn, 2, 1, 6, 0.8, 1, 0.6);
    put_pruned(s, *prn, 2, LRS_STATUS_PRUNED, NAN, "constant", "10", 6);
    put_rung(s, *prn, 3, 0, 3, 0.42, 0, 0.5);
    put_pruned(s, *prn, 3, LRS_STATUS_COMPLETE, 0.4, "constant", "10", 0);
    put_rung(s, *prn, 4, 0, 3, 0.7, 1, 0.55);
    put_pruned(s, *prn, 4, LRS_STATUS_PRUNED, NAN, "cosine", "\"10\"", 3);
    put_pruned(s, *prn, 5, LRS_STATUS_DIVERGED, NAN, "cosine", "10", 0);
    make_prune_sweep(s, "fresh", prune_spec_text);
    assert_int_equal(lrs_store_flush(s, &err), 0);
    return s;
}

typedef struct pruned_seen {
    int n;
    int64_t trial[8];
    lrs_status_t status[8];
    int pruned_epoch[8];
    char rule[8][16];
    double value[8], threshold[8];
} pruned_seen_t;

static int collect_pruned(void *ctx, const lrs_query_trial_t *t)
{
    pruned_seen_t *c = ctx;
    assert_true(c->n < 8);
    c->trial[c->n] = t->trial;
    c->status[c->n] = t->result.status;
    c->pruned_epoch[c->n] = t->result.pruned_epoch;
    snprintf(c->rule[c->n], sizeof c->rule[0], "%s", t->prune_rule ? t->prune_rule : "(null)");
    c->value[c->n] = t->prune_value;
    c->threshold[c->n] = t->prune_threshold;
    c->n++;
    return 0;
}

static void test_pruned_counts(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    int64_t prn;
    lrs_store_t *s = write_prune_fixture(f->db, &prn);
    lrs_query_t *q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    lrs_query_sweep_t sw, fresh;
    assert_int_equal(lrs_query_sweep(q, "prn", &sw, &err), 0);
    assert_int_equal(sw.pruning, 1);
    assert_int_equal(lrs_query_sweep(q, "fresh", &fresh, &err), 0);
    assert_int_equal(fresh.pruning, 1);   /* by its spec: no rows yet */

    lrs_query_progress_t p;
    assert_int_equal(lrs_query_progress(q, &sw, &p, &err), 0);
    assert_int_equal(p.n[LRS_STATUS_COMPLETE], 2);
    assert_int_equal(p.n[LRS_STATUS_PRUNED], 3);
    assert_int_equal(p.n[LRS_STATUS_DIVERGED], 1);
    assert_int_equal(p.recorded, 6);
    assert_int_equal(p.n[LRS_STATUS_PENDING], 2);
    assert_int_equal(p.epochs_saved, 7 + 4);   /* trial 4's "epochs" is text: skipped */
    assert_int_equal(lrs_query_progress(q, &fresh, &p, &err), 0);
    assert_int_equal(p.n[LRS_STATUS_PRUNED], 0);
    assert_int_equal(p.epochs_saved, 0);

    rows_t a = {0};
    assert_int_equal(lrs_query_sweeps(q, collect_sweep, &a, &err), 0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.text[0], "prn");
    assert_int_equal(a.r[0].n[LRS_STATUS_PRUNED], 3);
    assert_int_equal(a.r[0].n[LRS_STATUS_COMPLETE], 2);
    assert_int_equal(a.r[0].n[LRS_STATUS_PENDING], 2);
    assert_true(a.r[0].best == 0.3);

    /* summary: pruned apart, never scored */
    lrs_summary_t g;
    assert_int_equal(lrs_summary_load(q, &sw, "scheduler", 0, &g, &err), 0);
    assert_int_equal(g.n, 2);
    /* cosine: 0 complete 0.3, 1 and 4 pruned, 5 diverged */
    assert_string_equal(g.groups[0].label, "cosine");
    assert_int_equal(g.groups[0].count, 4);
    assert_int_equal(g.groups[0].pruned, 2);
    assert_int_equal(g.groups[0].diverged, 1);
    assert_int_equal(g.groups[0].complete, 1);
    assert_true(g.groups[0].median == 0.3);
    assert_string_equal(g.groups[1].label, "constant");   /* 2 pruned, 3 complete 0.4 */
    assert_int_equal(g.groups[1].count, 2);
    assert_int_equal(g.groups[1].pruned, 1);
    assert_int_equal(g.groups[1].complete, 1);
    assert_true(g.groups[1].best == 0.4 && g.groups[1].median == 0.4);
    lrs_summary_clear(&g);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

static void test_pruned_trials(void **state)
{
    fixture_t *f = *state;
    lrs_err_t err;
    int64_t prn;
    lrs_store_t *s = write_prune_fixture(f->db, &prn);
    lrs_query_t *q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    lrs_query_sweep_t sw;
    assert_int_equal(lrs_query_sweep(q, "prn", &sw, &err), 0);

    /* each pruned trial carries its 'prune' decision, the others none */
    pruned_seen_t a = {0};
    assert_int_equal(lrs_query_every_trial(q, &sw, collect_pruned, &a, &err), 0);
    assert_int_equal(a.n, 8);
    assert_int_equal(a.status[1], LRS_STATUS_PRUNED);
    assert_int_equal(a.pruned_epoch[1], 3);
    assert_string_equal(a.rule[1], "median");
    assert_true(a.value[1] == 0.9 && a.threshold[1] == 0.5);
    assert_int_equal(a.pruned_epoch[2], 6);       /* the prune rung, not the continue one */
    assert_true(a.value[2] == 0.8 && a.threshold[2] == 0.6);
    assert_true(a.value[4] == 0.7 && a.threshold[4] == 0.55);
    for (int i = 0; i < 8; i++) {
        if (i == 1 || i == 2 || i == 4)
            continue;
        assert_int_equal(a.pruned_epoch[i], 0);
        assert_string_equal(a.rule[i], "(null)");   /* 0 and 3 have continue rungs */
        assert_true(isnan(a.value[i]) && isnan(a.threshold[i]));
    }

    /* best: complete trials only; unfiltered, the unscored come last */
    lrs_query_select_t sel = {LRS_QUERY_BY_SCORE, LRS_STATUS_COMPLETE, 0};
    pruned_seen_t b = {0};
    assert_int_equal(lrs_query_trials(q, &sw, &sel, collect_pruned, &b, &err), 0);
    assert_int_equal(b.n, 2);
    assert_int_equal(b.trial[0], 0);
    assert_int_equal(b.trial[1], 3);
    sel = (lrs_query_select_t){LRS_QUERY_BY_SCORE, -1, 2};
    pruned_seen_t c = {0};
    assert_int_equal(lrs_query_trials(q, &sw, &sel, collect_pruned, &c, &err), 0);
    assert_int_equal(c.n, 2);
    assert_int_equal(c.trial[0], 0);
    assert_int_equal(c.trial[1], 3);
    lrs_query_destroy(&q);
    lrs_store_destroy(&s);
}

/* The line of text starting with prefix (copied into line), or fails. */
static void line_of(const char *text, const char *prefix, char *line, size_t size)
{
    size_t n = strlen(prefix);
    for (const char *l = text; *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : l + strlen(l)) {
        if (strncmp(l, prefix, n) == 0) {
            size_t len = strcspn(l, "\n");
            assert_true(len < size);
            memcpy(line, l, len);
            line[len] = '\0';
            return;
        }
    }
    fail_msg("no line starting '%s' in:\n%s", prefix, text);
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

/* The JSON object of line i of text (0-based). */
static json_t *json_line(const char *text, int i)
{
    const char *l = text;
    for (; i > 0 && l; i--)
        l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL;
    assert_non_null(l);
    json_t *o = json_loadb(l, strcspn(l, "\n"), 0, NULL);
    assert_true(json_is_object(o));
    return o;
}

static void test_pruned_commands(void **state)
{
    fixture_t *f = *state;
    int64_t prn;
    lrs_store_t *s = write_prune_fixture(f->db, &prn);
    lrs_query_sweep_t low, high;
    lrs_store_destroy(&s);
    s = write_fixture(f->db, &low, &high);   /* "low" and "high": no pruning */
    int rc;

    /* status: pruned beside the other ends, and the epochs saved */
    char *out = sup_run_cmd(lrs_cmd_status,
                        (const char *const[]){"status", "prn", "--db", f->db, "--json", NULL}, &rc);
    assert_int_equal(rc, 0);
    json_t *o = json_line(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "pruned")), 3);
    assert_int_equal(json_integer_value(json_object_get(o, "complete")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "pending")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "epochs_saved")), 11);
    json_decref(o);
    free(out);
    out = sup_run_cmd(lrs_cmd_status, (const char *const[]){"status", "prn", "--db", f->db, NULL}, &rc);
    assert_int_equal(rc, 0);
    assert_non_null(strstr(out, "  complete 2  diverged 1  failed 0  pruned 3 (11 epochs saved)"
                                "  running 0  queued 0  pending 2\n"));
    free(out);
    out = sup_run_cmd(lrs_cmd_status,
                  (const char *const[]){"status", "low", "--db", f->db, "--json", NULL}, &rc);
    o = json_line(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "pruned")), 0);
    assert_true(json_is_null(json_object_get(o, "epochs_saved")));
    json_decref(o);
    free(out);

    /* summary: pruned counted in --json, never scored */
    out = sup_run_cmd(lrs_cmd_summary,
                  (const char *const[]){"summary", "prn", "--db", f->db, "--json", NULL}, &rc);
    assert_int_equal(rc, 0);
    o = json_line(out, 0);   /* cosine: best 0.3 */
    assert_string_equal(json_string_value(json_object_get(o, "scheduler")), "cosine");
    assert_int_equal(json_integer_value(json_object_get(o, "pruned")), 2);
    assert_int_equal(json_integer_value(json_object_get(o, "complete")), 1);
    json_decref(o);
    free(out);
    out = sup_run_cmd(lrs_cmd_summary, (const char *const[]){"summary", "prn", "--db", f->db, NULL},
                  &rc);
    char line[512];
    line_of(out, "scheduler", line, sizeof line);
    assert_non_null(strstr(line, "    count complete         best       median          IQR"));
    line_of(out, "cosine", line, sizeof line);
    assert_non_null(strstr(line, "        4        1          0.3          0.3            0"));
    free(out);

    /* export CSV: the four columns at the end, filled for pruned trials */
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "prn", "--db", f->db, "--format", "csv", NULL},
                  &rc);
    assert_int_equal(rc, 0);
    line_of(out, "trial,", line, sizeof line);
    assert_true(ends_with(line, ",attempts,worker,seconds,error,pruned_epoch,prune_rule,"
                                "prune_value,prune_threshold"));
    line_of(out, "1,pruned,", line, sizeof line);
    assert_true(ends_with(line, ",1,w1,0.25,,3,median,0.9,0.5"));
    line_of(out, "2,pruned,", line, sizeof line);
    assert_true(ends_with(line, ",6,median,0.8,0.6"));
    line_of(out, "3,complete,", line, sizeof line);
    assert_true(ends_with(line, ",1,w1,0.25,,,,,"));
    line_of(out, "7,pending,", line, sizeof line);
    assert_true(ends_with(line, ",,,,"));
    free(out);

    /* export JSON Lines: the four keys in a sweep that prunes */
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "prn", "--db", f->db, "--format", "jsonl", NULL},
                  &rc);
    assert_int_equal(rc, 0);
    o = json_line(out, 2);
    assert_int_equal(json_integer_value(json_object_get(o, "trial")), 2);
    assert_string_equal(json_string_value(json_object_get(o, "status")), "pruned");
    assert_int_equal(json_integer_value(json_object_get(o, "pruned_epoch")), 6);
    assert_string_equal(json_string_value(json_object_get(o, "prune_rule")), "median");
    assert_true(json_real_value(json_object_get(o, "prune_value")) == 0.8);
    assert_true(json_real_value(json_object_get(o, "prune_threshold")) == 0.6);
    assert_true(json_is_null(json_object_get(o, "score")));
    json_decref(o);
    o = json_line(out, 3);   /* complete: keys present, null */
    assert_non_null(json_object_get(o, "pruned_epoch"));
    assert_true(json_is_null(json_object_get(o, "pruned_epoch")));
    assert_true(json_is_null(json_object_get(o, "prune_rule")));
    json_decref(o);
    free(out);
    out = sup_run_cmd(lrs_cmd_export,
                  (const char *const[]){"export", "low", "--db", f->db, "--format", "jsonl", NULL},
                  &rc);
    o = json_line(out, 0);   /* no pruning: the keys it always had */
    assert_null(json_object_get(o, "pruned_epoch"));
    assert_null(json_object_get(o, "prune_rule"));
    json_decref(o);
    free(out);

    /* best: pruned trials never rank */
    out = sup_run_cmd(lrs_cmd_best,
                  (const char *const[]){"best", "prn", "--db", f->db, "--json", NULL}, &rc);
    assert_int_equal(rc, 0);
    o = json_line(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "trial")), 0);
    json_decref(o);
    o = json_line(out, 1);
    assert_int_equal(json_integer_value(json_object_get(o, "trial")), 3);
    json_decref(o);
    assert_null(strchr(strchr(strchr(out, '\n') + 1, '\n') + 1, '{'));   /* two lines only */
    free(out);
    lrs_store_destroy(&s);
}

/* A version-5 file (schema 001-005: no pruned_epoch, no trial_rungs, views
 * without pruned) reads without either: zeros, NULLs and no pruning. */
static void test_version_5_file(void **state)
{
    fixture_t *f = *state;
    sqlite3 *db;
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
    for (int i = 0; i < 5; i++)
        assert_int_equal(sqlite3_exec(db, lrs_schema_sql[i], NULL, NULL, NULL), SQLITE_OK);
    char sql[2048];
    snprintf(sql, sizeof sql,
             "PRAGMA user_version = 5;"
             "INSERT INTO sweeps (id, name, token, spec, space_hash, seed, trials, metric, goal,"
             " created_at, updated_at) VALUES (1, 'old', 5, '%s', '0123456789abcdef', 3, 8,"
             " 'val_loss', 'minimize', 1, 1);"
             "INSERT INTO trials (sweep_id, trial, status, score, params, attempts, finished_at,"
             " scheduler) VALUES (1, 0, 'complete', 0.5, '{\"lr\": 0.1, \"epochs\": 10}', 1, 2,"
             " 'cosine'), (1, 1, 'diverged', NULL, '{\"lr\": 0.2, \"epochs\": 10}', 1, 3,"
             " 'cosine');",
             spec_text);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s", msg);
    sqlite3_close(db);

    lrs_err_t err;
    lrs_query_t *q = lrs_query_open(f->db, &err);
    assert_non_null(q);
    lrs_query_sweep_t sw;
    assert_int_equal(lrs_query_sweep(q, NULL, &sw, &err), 0);   /* the only sweep */
    assert_string_equal(sw.name, "old");
    assert_int_equal(lrs_query_sweep(q, "old", &sw, &err), 0);
    assert_int_equal(sw.pruning, 0);
    lrs_query_progress_t p;
    assert_int_equal(lrs_query_progress(q, &sw, &p, &err), 0);
    assert_int_equal(p.n[LRS_STATUS_COMPLETE], 1);
    assert_int_equal(p.n[LRS_STATUS_PRUNED], 0);
    assert_int_equal(p.epochs_saved, 0);
    pruned_seen_t a = {0};
    assert_int_equal(lrs_query_every_trial(q, &sw, collect_pruned, &a, &err), 0);
    assert_int_equal(a.n, 8);
    assert_string_equal(a.rule[0], "(null)");
    lrs_query_select_t sel = {LRS_QUERY_BY_SCORE, LRS_STATUS_COMPLETE, 0};
    pruned_seen_t b = {0};
    assert_int_equal(lrs_query_trials(q, &sw, &sel, collect_pruned, &b, &err), 0);
    assert_int_equal(b.n, 1);
    rows_t r = {0};
    assert_int_equal(lrs_query_sweeps(q, collect_sweep, &r, &err), 0);
    assert_int_equal(r.n, 1);
    assert_int_equal(r.r[0].n[LRS_STATUS_PRUNED], 0);
    assert_int_equal(r.r[0].n[LRS_STATUS_DIVERGED], 1);
    lrs_query_destroy(&q);

    int rc;
    char *out = sup_run_cmd(lrs_cmd_export,
                        (const char *const[]){"export", "--db", f->db, "--format", "csv", NULL},
                        &rc);
    assert_int_equal(rc, 0);
    char line[512];
    line_of(out, "0,complete,0.5,", line, sizeof line);
    assert_true(ends_with(line, ",,,,"));
    free(out);
    out = sup_run_cmd(lrs_cmd_status, (const char *const[]){"status", "--db", f->db, "--json", NULL},
                  &rc);
    assert_int_equal(rc, 0);
    json_t *o = json_line(out, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "pruned")), 0);
    assert_true(json_is_null(json_object_get(o, "epochs_saved")));
    json_decref(o);
    free(out);
    assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);   /* the readers did not migrate */
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(st, 0), 5);
    sqlite3_finalize(st);
    sqlite3_close(db);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_order_and_filter, setup, teardown),
        cmocka_unit_test_setup_teardown(test_every_trial, setup, teardown),
        cmocka_unit_test_setup_teardown(test_curves, setup, teardown),
        cmocka_unit_test_setup_teardown(test_progress, setup, teardown),
        cmocka_unit_test_setup_teardown(test_groups, setup, teardown),
        cmocka_unit_test_setup_teardown(test_sweeps_and_lookup, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned_counts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned_trials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_pruned_commands, setup, teardown),
        cmocka_unit_test_setup_teardown(test_version_5_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
