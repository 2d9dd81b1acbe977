/* test_query.c — the read side of the results database (coordinator/query.h):
 * trials written with the store API come back through the query API in the
 * order and under the status filter asked for; the every-trial walk adds
 * running trials from leases and pending ones from the stored spec; per-epoch
 * curves, progress counts, summary groups and the sweep list agree with what
 * was written; a missing sweep, an empty database and a missing file are
 * refused with code 2; a callback can stop a walk and the handle stays usable.
 * The writer stays open throughout, as a live coordinator would. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/spec.h"
#include "coordinator/query.h"
#include "coordinator/store.h"
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
    static const lrs_epoch_stat_t epochs[2] = {{1, 0.1, 1.0, 1.5}, {2, 0.05, 0.5, NAN}};
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
    lrs_query_group_t g[4];
    lrs_query_sweep_row_t r[4];
} rows_t;

/* The next row's index, with text kept. */
static int take(rows_t *c, const char *text)
{
    assert_true(c->n < 4);
    snprintf(c->text[c->n], sizeof c->text[0], "%s", text);
    return c->n++;
}

static int collect_group(void *ctx, const lrs_query_group_t *g)
{
    rows_t *c = ctx;
    c->g[take(c, g->value)] = *g;
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
    rows_t a = {0};
    assert_int_equal(lrs_query_groups(q, &low, "scheduler", collect_group, &a, &err), 0);
    assert_int_equal(a.n, 2);
    assert_string_equal(a.text[0], "constant");   /* trials 1 (0.2) and 3 (failed) */
    assert_int_equal(a.g[0].trials, 2);
    assert_int_equal(a.g[0].failed, 1);
    assert_int_equal(a.g[0].scored, 1);
    assert_true(a.g[0].best == 0.2 && a.g[0].median == 0.2);
    assert_string_equal(a.text[1], "cosine");     /* 0 (0.5), 2 (diverged), 4 (0.2) */
    assert_int_equal(a.g[1].trials, 3);
    assert_int_equal(a.g[1].diverged, 1);
    assert_int_equal(a.g[1].scored, 2);
    assert_true(a.g[1].best == 0.2);
    assert_true(fabs(a.g[1].median - 0.35) < 1e-15);
    rows_t b = {0};
    assert_int_equal(lrs_query_groups(q, &high, "scheduler", collect_group, &b, &err), 0);
    assert_true(b.g[1].best == 0.5);   /* maximize */

    /* a key no trial has: one group "-"; a key with quotes is only a value */
    rows_t c = {0};
    assert_int_equal(lrs_query_groups(q, &low, "momentum", collect_group, &c, &err), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.text[0], "-");
    assert_int_equal(c.g[0].trials, 5);
    rows_t d = {0};
    assert_int_equal(lrs_query_groups(q, &low, "x') OR 1=1 --", collect_group, &d, &err), 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(d.text[0], "-");
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
    assert_int_equal(lrs_query_sweep(q, NULL, &sw, &err), 0);   /* the newest */
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
    assert_string_equal(a.text[1], "high");
    assert_true(a.r[1].best == 0.5);
    lrs_query_destroy(&q);
    lrs_query_destroy(&q);   /* takes a cleared handle */
    lrs_store_destroy(&s);
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
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
