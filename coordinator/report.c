/* report.c — the report's documents that read every recorded trial once
 * (see report.h): the header, the columnar trial table, parameter
 * importance and the failure groups, in one walk in index order; the
 * distributions from summary; the best-first views from report_top.
 *
 * Memory is one entry per recorded trial in the columnar arrays and one
 * value per trial and parameter for importance: for 100,000 trials of ten
 * parameters some 30 MB, freed before the page is written. */
#include "coordinator/report.h"

#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/importance.h"
#include "common/jsonout.h"
#include "common/params.h"
#include "common/sampler.h"
#include "common/spec.h"
#include "common/spec_confirm.h"
#include "common/validate.h"
#include "coordinator/query_metrics.h"
#include "coordinator/readout.h"
#include "coordinator/summary.h"

#define MAX_KEYS 128       /* parameters ranked by importance */
#define MAX_CATEGORIES 256 /* values of a categorical one; more are not grouped */

/* One parameter's values over complete trials, with their scores. */
typedef struct imp_key {
    char *name;
    int categorical;       /* decided by the first value: a JSON number or not */
    size_t n, cap;
    double *x, *y;         /* x: the number, or the category's index */
    char *cats[MAX_CATEGORIES];
    int n_cats, overflow;
} imp_key_t;

typedef struct failure {
    int status;
    char *key, *error, *worker;
    int64_t trial, count;
} failure_t;

typedef struct walk {
    lrs_report_t *r;
    json_t *trial, *status, *score, *lr, *sched, *opt;
    double compute_seconds;
    imp_key_t keys[MAX_KEYS];
    int n_keys;
    failure_t fail[LRS_REPORT_FAILURE_GROUPS];
    int n_fail;
    int64_t fail_other;
    int oom;
} walk_t;

static json_t *text_or_null(const char *s)
{
    return s ? lrs_readout_json_string(s) : json_null();
}

/* ---- importance -------------------------------------------------------- */

static imp_key_t *key_for(walk_t *w, const char *name, int categorical)
{
    for (int i = 0; i < w->n_keys; i++)
        if (strcmp(w->keys[i].name, name) == 0)
            return &w->keys[i];
    if (w->n_keys == MAX_KEYS)
        return NULL;
    imp_key_t *k = &w->keys[w->n_keys];
    memset(k, 0, sizeof *k);
    if (!(k->name = strdup(name))) {
        w->oom = 1;
        return NULL;
    }
    k->categorical = categorical;
    w->n_keys++;
    return k;
}

/* The index of category text in k, added when new; -1 beyond the cap. */
static int category(walk_t *w, imp_key_t *k, const char *text)
{
    for (int i = 0; i < k->n_cats; i++)
        if (strcmp(k->cats[i], text) == 0)
            return i;
    if (k->n_cats == MAX_CATEGORIES) {
        k->overflow = 1;
        return -1;
    }
    if (!(k->cats[k->n_cats] = strdup(text))) {
        w->oom = 1;
        return -1;
    }
    return k->n_cats++;
}

static void key_push(walk_t *w, imp_key_t *k, double x, double y)
{
    if (k->n == k->cap) {
        size_t cap = k->cap ? k->cap * 2 : 256;
        double *nx = realloc(k->x, cap * sizeof *nx);
        if (nx)
            k->x = nx;
        double *ny = nx ? realloc(k->y, cap * sizeof *ny) : NULL;
        if (ny)
            k->y = ny;
        if (!nx || !ny) {
            w->oom = 1;
            return;
        }
        k->cap = cap;
    }
    k->x[k->n] = x;
    k->y[k->n] = y;
    k->n++;
}

static void importance_add(walk_t *w, const char *params_json, double score)
{
    json_t *p = json_loads(params_json, 0, NULL);
    const char *name;
    json_t *v;
    json_object_foreach(p, name, v) {
        imp_key_t *k = key_for(w, name, !json_is_number(v));
        if (!k || k->categorical != !json_is_number(v))
            continue;
        if (!k->categorical) {
            key_push(w, k, json_number_value(v), score);
            continue;
        }
        char *text = json_is_string(v) ? strdup(json_string_value(v)) : lrs_json_text(v);
        int c = text ? category(w, k, text) : -1;
        free(text);
        if (c >= 0)
            key_push(w, k, c, score);
    }
    json_decref(p);
}

static int by_share(const void *a, const void *b)
{
    double x = json_real_value(json_object_get(*(json_t *const *)a, "share"));
    double y = json_real_value(json_object_get(*(json_t *const *)b, "share"));
    return (x < y) - (x > y);
}

static json_t *importance_doc(walk_t *w)
{
    json_t *rows[MAX_KEYS];
    int n = 0;
    for (int i = 0; i < w->n_keys; i++) {
        imp_key_t *k = &w->keys[i];
        if (k->overflow)
            continue;
        double value = NAN;
        if (k->categorical) {
            int *g = malloc((k->n ? k->n : 1) * sizeof *g);
            if (!g) {
                w->oom = 1;
                continue;
            }
            for (size_t j = 0; j < k->n; j++)
                g[j] = (int)k->x[j];
            value = lrs_eta_squared(k->n, g, k->n_cats, k->y);
            free(g);
        } else {
            value = lrs_spearman(k->n, k->x, k->y);
        }
        if (!isfinite(value))
            continue;
        rows[n++] = json_pack("{s:o,s:s,s:o,s:o,s:I}", "param", lrs_readout_json_string(k->name),
                              "method", k->categorical ? "eta_squared" : "spearman", "value",
                              lrs_json_number(value), "share",
                              json_real(k->categorical ? value : value * value), "n",
                              (json_int_t)k->n);
    }
    qsort(rows, (size_t)n, sizeof rows[0], by_share);
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, rows[i]);
    return a;
}

/* ---- failures ---------------------------------------------------------- */

/* The grouping key of an error: runs of digits as N, so errors that differ
 * only in an epoch, a line or a value are one group. */
static char *failure_key(const char *error)
{
    char *key = malloc(strlen(error) + 1), *o = key;
    if (!key)
        return NULL;
    for (const char *p = error; *p; p++) {
        if (isdigit((unsigned char)*p)) {
            if (o == key || o[-1] != 'N')
                *o++ = 'N';
            continue;
        }
        *o++ = *p;
    }
    *o = '\0';
    return key;
}

static void failure_add(walk_t *w, const lrs_query_trial_t *t)
{
    const char *error = t->result.error ? t->result.error : "";
    char *key = failure_key(error);
    if (!key) {
        w->oom = 1;
        return;
    }
    for (int i = 0; i < w->n_fail; i++)
        if (w->fail[i].status == (int)t->result.status && strcmp(w->fail[i].key, key) == 0) {
            w->fail[i].count++;
            free(key);
            return;
        }
    if (w->n_fail == LRS_REPORT_FAILURE_GROUPS) {
        w->fail_other++;
        free(key);
        return;
    }
    failure_t *f = &w->fail[w->n_fail++];
    *f = (failure_t){.status = (int)t->result.status, .key = key, .error = strdup(error),
                     .worker = t->worker ? strdup(t->worker) : NULL, .trial = t->trial,
                     .count = 1};
    if (!f->error)
        w->oom = 1;
}

static int by_count(const void *a, const void *b)
{
    const failure_t *x = a, *y = b;
    return (x->count < y->count) - (x->count > y->count);
}

static int failures_doc(walk_t *w, lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_err_t *err)
{
    qsort(w->fail, (size_t)w->n_fail, sizeof w->fail[0], by_count);
    lrs_query_metrics_t *m = lrs_query_metrics_new(q, sw, err);
    if (!m)
        return -1;
    json_t *groups = json_array();
    int rc = 0;
    for (int i = 0; i < w->n_fail && rc == 0; i++) {
        failure_t *f = &w->fail[i];
        char *tail = NULL;
        rc = lrs_query_trial_stderr(m, f->trial, &tail, err);
        json_array_append_new(
            groups, json_pack("{s:s,s:o,s:I,s:I,s:o,s:o,s:o}", "status",
                              lrs_status_name((lrs_status_t)f->status), "key",
                              lrs_readout_json_string(f->key), "count", (json_int_t)f->count,
                              "trial", (json_int_t)f->trial, "error",
                              lrs_readout_json_string(f->error), "worker",
                              text_or_null(f->worker), "stderr", text_or_null(tail)));
        free(tail);
    }
    lrs_query_metrics_destroy(&m);
    w->r->failures = json_pack("{s:o,s:I}", "groups", groups, "other", (json_int_t)w->fail_other);
    return rc;
}

/* ---- the walk ---------------------------------------------------------- */

static int name_index(const char *name, int (*from_name)(const char *))
{
    return name ? from_name(name) : -1;
}

static int trial_row(void *ctx, const lrs_query_trial_t *t)
{
    walk_t *w = ctx;
    uint64_t of;
    if (lrs_confirm_of((uint64_t)t->trial, &of))
        return 0;   /* confirmation runs are `best`'s, not the search's */
    const lrs_trial_result_t *res = &t->result;
    json_array_append_new(w->trial, json_integer(t->trial));
    json_array_append_new(w->status, json_integer(res->status));
    json_array_append_new(w->score, lrs_json_number(res->score));
    json_array_append_new(w->lr, lrs_json_number(t->lr));
    json_array_append_new(w->sched, json_integer(name_index(t->scheduler,
                                                            lrs_scheduler_from_name)));
    json_array_append_new(w->opt, json_integer(name_index(t->optimizer,
                                                          lrs_optimizer_from_name)));
    if (isfinite(res->seconds))
        w->compute_seconds += res->seconds;
    if (res->status == LRS_STATUS_COMPLETE && isfinite(res->score))
        importance_add(w, t->params_json, res->score);
    if (res->status == LRS_STATUS_FAILED || res->status == LRS_STATUS_DIVERGED)
        failure_add(w, t);
    return w->oom ? -1 : 0;
}

static json_t *name_list(int count, const char *(*name)(int))
{
    json_t *a = json_array();
    for (int i = 0; i < count; i++)
        json_array_append_new(a, json_string(name(i)));
    return a;
}

static const char *status_name_i(int i) { return lrs_status_name((lrs_status_t)i); }
static const char *sched_name_i(int i) { return lrs_scheduler_name((lrs_scheduler_t)i); }
static const char *opt_name_i(int i) { return lrs_optimizer_name((lrs_optimizer_t)i); }

static void walk_clear(walk_t *w)
{
    for (int i = 0; i < w->n_keys; i++) {
        free(w->keys[i].name);
        free(w->keys[i].x);
        free(w->keys[i].y);
        for (int c = 0; c < w->keys[i].n_cats; c++)
            free(w->keys[i].cats[c]);
    }
    for (int i = 0; i < w->n_fail; i++) {
        free(w->fail[i].key);
        free(w->fail[i].error);
        free(w->fail[i].worker);
    }
    json_decref(w->trial);
    json_decref(w->status);
    json_decref(w->score);
    json_decref(w->lr);
    json_decref(w->sched);
    json_decref(w->opt);
}

static int walk_trials(lrs_query_t *q, const lrs_query_sweep_t *sw, walk_t *w, lrs_err_t *err)
{
    w->trial = json_array();
    w->status = json_array();
    w->score = json_array();
    w->lr = json_array();
    w->sched = json_array();
    w->opt = json_array();
    lrs_query_select_t sel = {.order = LRS_QUERY_BY_TRIAL, .status = -1};
    int rc = lrs_query_trials(q, sw, &sel, trial_row, w, err);
    if (rc != 0 || w->oom)
        return w->oom ? lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory") : -1;
    w->r->trials = json_pack("{s:o,s:o,s:o,s:O,s:O,s:O,s:O,s:O,s:O}", "statuses",
                             name_list(LRS_STATUS_COUNT, status_name_i), "schedulers",
                             name_list(LRS_SCHED_COUNT, sched_name_i), "optimizers",
                             name_list(LRS_OPT_COUNT, opt_name_i), "trial", w->trial, "status",
                             w->status, "score", w->score, "lr", w->lr, "scheduler", w->sched,
                             "optimizer", w->opt);
    w->r->importance = importance_doc(w);
    return failures_doc(w, q, sw, err);
}

/* ---- header and groups ------------------------------------------------- */

/* The rows of the data the spec file at spec_path names (the database
 * keeps its content hash, not its rows), read as the sweep read it, and
 * whether its content hash is still the sweep's; nothing when the file is
 * not there, not a built-in sweep's, or does not read. */
static void data_rows(json_t *h, const char *spec_path, const char *data_hash)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    if (!spec_path || lrs_spec_load(spec_path, &spec, &err) < 0)
        return;
    const lrs_spec_info_t *info = lrs_spec_info(spec);
    lrs_dataset_t d;
    memset(&d, 0, sizeof d);
    if (!info->exec && info->data_path &&
        lrs_validate_load_data(info, info->data_path, NULL, 0, &d, &err) == 0) {
        char hash[17];
        lrs_dataset_content_hash(&d, hash);
        json_object_set_new(h, "rows", json_integer(d.rows));
        json_object_set_new(h, "data_changed", json_boolean(*data_hash && strcmp(hash, data_hash)));
        lrs_dataset_free(&d);
    }
    lrs_spec_destroy(&spec);
}

static int header_doc(lrs_query_t *q, const lrs_query_sweep_t *sw, double compute,
                      const char *spec_path, lrs_report_t *r, lrs_err_t *err)
{
    lrs_query_progress_t p;
    lrs_query_life_t life;
    if (lrs_query_progress(q, sw, &p, err) < 0 || lrs_query_life(q, sw, &life, err) < 0)
        return -1;
    json_t *h = json_object(), *counts = json_object();
    json_object_set_new(h, "sweep", lrs_readout_json_string(sw->name));
    json_object_set_new(h, "goal", json_string(sw->maximize ? "maximize" : "minimize"));
    json_object_set_new(h, "budget", json_integer(sw->trials));
    json_object_set_new(h, "data_hash", lrs_readout_json_string(sw->data_hash));
    for (int s = 0; s < LRS_STATUS_COUNT; s++)
        if (s != LRS_STATUS_CANCELLED)
            json_object_set_new(counts, lrs_status_name((lrs_status_t)s), json_integer(p.n[s]));
    json_object_set_new(h, "counts", counts);
    json_object_set_new(h, "wall_seconds", lrs_json_number(life.elapsed));
    json_object_set_new(h, "compute_seconds", lrs_json_number(compute));
    json_object_set_new(h, "pruning", json_boolean(sw->pruning));
    json_object_set_new(h, "epochs_saved", json_integer(p.epochs_saved));
    json_object_set_new(h, "ended", lrs_readout_json_string(life.ended));
    lrs_err_t spec_err;
    lrs_spec_t *spec = lrs_query_spec(q, sw, &spec_err);
    if (spec) {
        const lrs_spec_info_t *info = lrs_spec_info(spec);
        json_object_set_new(h, "metric", lrs_readout_json_string(info->metric));
        json_object_set_new(h, "sampler", json_string(lrs_sampler_kind_name(info->sampler)));
        const char *data = info->data_path;
        const char *base = data ? strrchr(data, '/') : NULL;
        json_object_set_new(h, "data", data ? lrs_readout_json_string(base ? base + 1 : data)
                                     : info->synthetic_rows ? json_string("synthetic")
                                                            : json_null());
        json_object_set_new(h, "rows", info->synthetic_rows ? json_integer(info->synthetic_rows)
                                                            : json_null());
        json_object_set_new(h, "command", json_boolean(info->exec != NULL));
        int read_rows = info->data_path != NULL;
        lrs_spec_destroy(&spec);
        if (read_rows)
            data_rows(h, spec_path, sw->data_hash);
    }
    r->header = h;
    return 0;
}

static json_t *group_doc(const lrs_summary_t *s)
{
    json_t *a = json_array();
    for (size_t i = 0; i < s->n; i++) {
        const lrs_summary_group_t *g = &s->groups[i];
        if (g->missing)
            continue;
        json_array_append_new(
            a, json_pack("{s:o,s:I,s:I,s:I,s:I,s:I,s:o,s:o,s:o,s:o}", "label",
                         lrs_readout_json_string(g->label), "count", (json_int_t)g->count,
                         "complete", (json_int_t)g->complete, "diverged", (json_int_t)g->diverged,
                         "failed", (json_int_t)g->failed, "pruned", (json_int_t)g->pruned, "best",
                         lrs_json_number(g->best), "median", lrs_json_number(g->median), "q25",
                         lrs_json_number(g->q25), "q75", lrs_json_number(g->q75)));
    }
    return a;
}

static int groups_doc(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_report_t *r,
                      lrs_err_t *err)
{
    r->groups = json_object();
    static const char *const keys[] = {"scheduler", "optimizer"};
    for (int i = 0; i < 2; i++) {
        lrs_summary_t s;
        if (lrs_summary_load(q, sw, keys[i], 0, &s, err) < 0) {
            lrs_summary_clear(&s);
            return -1;
        }
        json_object_set_new(r->groups, keys[i], group_doc(&s));
        lrs_summary_clear(&s);
    }
    return 0;
}

int lrs_report_gather(lrs_query_t *q, const lrs_query_sweep_t *sw, const lrs_report_opts_t *o,
                      lrs_report_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    walk_t *w = calloc(1, sizeof *w);
    if (!w)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    w->r = out;
    /* one snapshot, so that a live sweep's header counts what its charts draw */
    int rc = lrs_query_snapshot_begin(q, err);
    if (rc == 0)
        rc = walk_trials(q, sw, w, err);
    double compute = w->compute_seconds;
    walk_clear(w);
    free(w);
    if (rc == 0)
        rc = header_doc(q, sw, compute, o->spec_given ? o->spec_path : NULL, out, err);
    if (rc == 0)
        rc = groups_doc(q, sw, out, err);
    if (rc == 0)
        rc = lrs_report_top(q, sw, o->top, o->spec_path, &out->top, &out->curves,
                            &out->parallel, err);
    lrs_query_snapshot_end(q);
    return rc == 0 ? 0 : -1;
}

void lrs_report_clear(lrs_report_t *r)
{
    json_t **docs[] = {&r->header, &r->trials,     &r->groups, &r->curves,
                       &r->parallel, &r->importance, &r->top,  &r->failures};
    for (size_t i = 0; i < sizeof docs / sizeof docs[0]; i++) {
        json_decref(*docs[i]);
        *docs[i] = NULL;
    }
}
