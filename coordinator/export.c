/* export.c — see export.h.  Both exports are a walk of query.h or
 * query_metrics.h handing rows to an emitter; an emitter returns 0 to go
 * on, WRITE_FAILED when out failed, READ_FAILED when a look-up failed (the
 * reason in the context's err). */
#include "coordinator/export.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/jsonout.h"
#include "common/params.h"
#include "common/result.h"
#include "coordinator/metric_cols.h"
#include "coordinator/query_metrics.h"
#include "coordinator/readout.h"

enum { WRITE_FAILED = 1, READ_FAILED = 2 };

typedef struct export_ctx {
    FILE *out;
    const lrs_query_sweep_t *sw;
    lrs_metric_cols_t *cols;   /* the metric columns and their reader */
    int64_t only;            /* the one trial wanted; -1: all */
    uint64_t mask;           /* CSV: parameter columns, a bit per lrs_param_id_t */
    int csv;                 /* CSV, else JSON Lines */
    int header_done;
    lrs_err_t *err;
} export_ctx_t;

static int written(FILE *out) { return ferror(out) ? WRITE_FAILED : 0; }

/* The walk's result as export_print returns it. */
static int walk_result(int rc, lrs_err_t *err)
{
    if (rc == WRITE_FAILED)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "writing the export failed");
    return rc == 0 ? 0 : -1;
}

/* ---- trials ------------------------------------------------------------ */

/* A pruned trial's rung epoch and decision, as JSON (null for the others). */
static void set_pruning(json_t *o, const lrs_query_trial_t *t)
{
    int pruned = t->result.status == LRS_STATUS_PRUNED;
    json_object_set_new(o, "pruned_epoch", pruned && t->result.pruned_epoch > 0
                                               ? json_integer(t->result.pruned_epoch)
                                               : json_null());
    json_object_set_new(o, "prune_rule",
                        pruned && t->prune_rule ? lrs_readout_json_string(t->prune_rule) : json_null());
    json_object_set_new(o, "prune_value",
                        pruned ? lrs_json_number(t->prune_value) : json_null());
    json_object_set_new(o, "prune_threshold",
                        pruned ? lrs_json_number(t->prune_threshold) : json_null());
}

/* One line per trial; a sweep that prunes adds its four keys to every line
 * (keys of the others stay as they were). */
static int emit_jsonl(export_ctx_t *x, const lrs_query_trial_t *t, const lrs_trial_metrics_t *tm)
{
    json_t *o = json_object();
    json_object_set_new(o, "trial", json_integer(t->trial));
    json_object_set_new(o, "status", json_string(lrs_status_name(t->result.status)));
    json_object_set_new(o, "score", lrs_json_number(t->result.score));
    json_object_set_new(o, "score_std", lrs_json_number(t->result.score_std));
    json_object_set_new(o, "score_n", tm->score_n > 0 ? json_integer(tm->score_n) : json_null());
    json_object_set_new(o, "repeats", json_integer(tm->repeats));
    json_object_set_new(o, "params", lrs_readout_json_value(t->params_json));
    json_object_set_new(o, "attempts", json_integer(t->attempts));
    json_object_set_new(o, "worker", t->worker ? lrs_readout_json_string(t->worker) : json_null());
    json_object_set_new(o, "seconds", lrs_json_number(t->result.seconds));
    json_object_set_new(o, "error", t->result.error ? lrs_readout_json_string(t->result.error) : json_null());
    if (x->sw->pruning)
        set_pruning(o, t);
    json_object_set_new(o, "metrics", lrs_metric_cols_json(x->cols, tm->metrics));
    return lrs_readout_json_line(x->out, o) ? WRITE_FAILED : written(x->out);
}

/* The CSV columns before the parameters, and after them. */
static const char *const csv_head[] = {"trial", "status", "score", "score_std", "score_n",
                                       "repeats"};
static const char *const csv_tail[] = {"attempts", "worker", "seconds", "error", "pruned_epoch",
                                       "prune_rule", "prune_value", "prune_threshold"};
enum {
    CSV_HEAD = sizeof csv_head / sizeof csv_head[0],
    CSV_TAIL = sizeof csv_tail / sizeof csv_tail[0]
};

static void csv_header(export_ctx_t *x)
{
    const lrs_param_info_t *table = lrs_param_table();
    const char *taken[CSV_HEAD + LRS_P_COUNT + CSV_TAIL];
    int n = 0;
    for (int i = 0; i < CSV_HEAD; i++)
        taken[n++] = csv_head[i];
    for (int i = 0; i < LRS_P_COUNT; i++)
        if (x->mask >> i & 1)
            taken[n++] = table[i].name;
    for (int i = 0; i < CSV_TAIL; i++)
        taken[n++] = csv_tail[i];
    for (int i = 0; i < n; i++)
        fprintf(x->out, "%s%s", i ? "," : "", taken[i]);
    lrs_metric_cols_csv_header(x->out, x->cols, taken, n);
    fputc('\n', x->out);
}

static void csv_param(FILE *out, const json_t *v)
{
    if (json_is_string(v))
        lrs_readout_csv_text(out, json_string_value(v));
    else if (json_is_integer(v))
        fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    else if (json_is_real(v))
        lrs_readout_csv_number(out, json_real_value(v));
    else if (json_is_boolean(v))
        fputs(json_is_true(v) ? "true" : "false", out);
    else if (v) {
        char *s = lrs_json_text(v);
        lrs_readout_csv_text(out, s);
        free(s);
    }
}

static int emit_csv(export_ctx_t *x, const lrs_query_trial_t *t, const lrs_trial_metrics_t *tm)
{
    FILE *out = x->out;
    if (!x->header_done) {
        csv_header(x);
        x->header_done = 1;
    }
    fprintf(out, "%" PRId64 ",%s,", t->trial, lrs_status_name(t->result.status));
    lrs_readout_csv_number(out, t->result.score);
    fputc(',', out);
    lrs_readout_csv_number(out, t->result.score_std);
    fputc(',', out);
    if (tm->score_n > 0)
        fprintf(out, "%d", tm->score_n);
    fprintf(out, ",%d", tm->repeats);
    json_t *params = lrs_readout_json_value(t->params_json);
    const lrs_param_info_t *table = lrs_param_table();
    for (int i = 0; i < LRS_P_COUNT; i++) {
        if (x->mask >> i & 1) {
            fputc(',', out);
            csv_param(out, json_object_get(params, table[i].name));
        }
    }
    json_decref(params);
    fprintf(out, ",%d,", t->attempts);
    lrs_readout_csv_text(out, t->worker);
    fputc(',', out);
    lrs_readout_csv_number(out, t->result.seconds);
    fputc(',', out);
    lrs_readout_csv_text(out, t->result.error);
    fputc(',', out);
    if (t->result.status == LRS_STATUS_PRUNED) {   /* the others leave the four empty */
        if (t->result.pruned_epoch > 0)
            fprintf(out, "%d", t->result.pruned_epoch);
        fputc(',', out);
        lrs_readout_csv_text(out, t->prune_rule);
        fputc(',', out);
        lrs_readout_csv_number(out, t->prune_value);
        fputc(',', out);
        lrs_readout_csv_number(out, t->prune_threshold);
    } else {
        fputs(",,,", out);
    }
    lrs_metric_cols_csv_row(out, x->cols, tm->metrics);
    fputc('\n', out);
    return written(out);
}

/* The parameter columns: every parameter any trial has (the first pass). */
static int collect_columns(void *ctx, const lrs_query_trial_t *t)
{
    export_ctx_t *x = ctx;
    if (x->only >= 0 && t->trial != x->only)
        return 0;
    json_t *params = lrs_readout_json_value(t->params_json);
    const char *key;
    json_t *v;
    json_object_foreach(params, key, v) {
        const lrs_param_info_t *info = lrs_param_find(key);
        if (info)
            x->mask |= 1ULL << info->id;
    }
    json_decref(params);
    return 0;
}

/* The second pass: each trial with its metrics, as CSV or JSON Lines. */
static int trial_row(void *ctx, const lrs_query_trial_t *t)
{
    export_ctx_t *x = ctx;
    lrs_trial_metrics_t tm;
    if (x->only >= 0 && t->trial != x->only)
        return 0;
    if (lrs_metric_cols_trial(x->cols, t->trial, &tm, x->err) != 0)
        return READ_FAILED;
    return x->csv ? emit_csv(x, t, &tm) : emit_jsonl(x, t, &tm);
}

static int export_trials(lrs_query_t *q, export_ctx_t *x)
{
    if (x->csv && lrs_query_every_trial(q, x->sw, collect_columns, x, x->err) != 0)
        return -1;
    return walk_result(lrs_query_every_trial(q, x->sw, trial_row, x, x->err), x->err);
}

/* ---- curves ------------------------------------------------------------ */

static const char *const curve_columns[] = {"trial", "repeat", "fold", "epoch", "lr",
                                            "train_loss", "val_loss"};
enum { CURVE_NCOL = sizeof curve_columns / sizeof curve_columns[0] };

static int curve_csv(void *ctx, const lrs_curve_row_t *r)
{
    export_ctx_t *x = ctx;
    FILE *out = x->out;
    fprintf(out, "%" PRId64 ",%d,", r->trial, r->repeat);
    if (r->fold >= 0)
        fprintf(out, "%d", r->fold);
    fprintf(out, ",%d,", r->epoch);
    lrs_readout_csv_number(out, r->lr);
    fputc(',', out);
    lrs_readout_csv_number(out, r->train_loss);
    fputc(',', out);
    lrs_readout_csv_number(out, r->val_loss);
    lrs_metric_cols_csv_row(out, x->cols, r->metrics);
    fputc('\n', out);
    return written(out);
}

static int curve_jsonl(void *ctx, const lrs_curve_row_t *r)
{
    export_ctx_t *x = ctx;
    json_t *o = json_object();
    json_object_set_new(o, "trial", json_integer(r->trial));
    json_object_set_new(o, "repeat", json_integer(r->repeat));
    json_object_set_new(o, "fold", r->fold >= 0 ? json_integer(r->fold) : json_null());
    json_object_set_new(o, "epoch", json_integer(r->epoch));
    json_object_set_new(o, "lr", lrs_json_number(r->lr));
    json_object_set_new(o, "train_loss", lrs_json_number(r->train_loss));
    json_object_set_new(o, "val_loss", lrs_json_number(r->val_loss));
    json_object_set_new(o, "metrics", lrs_metric_cols_json(x->cols, r->metrics));
    return lrs_readout_json_line(x->out, o) ? WRITE_FAILED : written(x->out);
}

static int export_curves(export_ctx_t *x)
{
    int csv = x->csv;
    if (csv) {
        for (int i = 0; i < CURVE_NCOL; i++)
            fprintf(x->out, "%s%s", i ? "," : "", curve_columns[i]);
        lrs_metric_cols_csv_header(x->out, x->cols, curve_columns, CURVE_NCOL);
        fputc('\n', x->out);
    }
    lrs_query_metrics_t *reader = lrs_metric_cols_reader(x->cols);
    return walk_result(lrs_query_curves(reader, x->only, csv ? curve_csv : curve_jsonl, x, x->err),
                       x->err);
}

/* ---- the export -------------------------------------------------------- */

int lrs_export_print(lrs_query_t *q, const lrs_query_sweep_t *sw, const lrs_export_opts_t *o,
                     FILE *out, lrs_err_t *err)
{
    int csv = strcmp(o->format, "csv") == 0;
    if (!csv && strcmp(o->format, "jsonl") != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--format: expected csv or jsonl, got '%s'",
                           o->format);
    if (!o->curves && o->trial >= sw->trials)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--trial %" PRId64 ": sweep '%s' has trials 0..%"
                           PRId64, o->trial, sw->name, sw->trials - 1);
    export_ctx_t x = {.out = out, .sw = sw, .only = o->trial, .csv = csv, .err = err};
    if (!(x.cols = lrs_metric_cols_new(q, sw, o->curves, o->trial, o->metrics, err)))
        return -1;
    int rc = o->curves ? export_curves(&x) : export_trials(q, &x);
    lrs_metric_cols_destroy(&x.cols);
    return rc;
}
