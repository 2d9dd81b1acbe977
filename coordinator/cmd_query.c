/* cmd_query.c — the read commands: `sweeps`, `status`, `best`, `summary`,
 * `export`.  Each parses its arguments, asks coordinator/query.h (which
 * opens the database read-only, so it runs beside a live coordinator) and
 * prints an aligned table, or JSON Lines / CSV.  Trials not yet recorded
 * are pending, or running when a lease exists; query.h gives them the
 * parameters the stored spec does.  `summary`'s groups are
 * coordinator/summary.h's, printed by cmd_summary.h; `export` writes
 * through coordinator/export.h, and the metric columns of `best` are
 * coordinator/metric_cols.h's, as export's are. */
#include "coordinator/cmd_query.h"
#include "coordinator/confirmed.h"

#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/devices.h"
#include "common/jsonout.h"
#include "common/log.h"
#include "common/numfmt.h"
#include "common/result.h"
#include "coordinator/cmd_summary.h"
#include "coordinator/export.h"
#include "coordinator/metric_cols.h"
#include "coordinator/query.h"
#include "coordinator/readout.h"
#include "coordinator/store.h"
#include "coordinator/summary.h"

typedef struct qargs {
    const char *cmd;
    const char *db_path;
    const char *sweep;
    int top, json, bins;   /* bins 0: not given */
    const char *by, *format;
    const char *metrics;   /* --metrics; NULL: every stored metric */
    int curves;            /* export --curves */
    int trial;             /* export --trial; -1: every trial */
} qargs_t;

static void print_num(FILE *out, int width, double v)
{
    lrs_fmt_print(out, width, LRS_FMT_VALUE_DIGITS, v);
}

/* Writes a params JSON object as `name=value` words, reals with 4
 * significant digits (the JSON outputs keep every digit). */
static void print_params(FILE *out, const char *json)
{
    json_t *p = json_loads(json, 0, NULL);
    if (!json_is_object(p)) {
        lrs_readout_text(out, 0, json);
        json_decref(p);
        return;
    }
    const char *key;
    json_t *v;
    int first = 1;
    json_object_foreach(p, key, v) {
        fputs(first ? "" : " ", out);
        lrs_readout_text(out, 0, key);
        fputc('=', out);
        first = 0;
        if (json_is_real(v))
            lrs_fmt_print(out, 0, LRS_FMT_SHORT_DIGITS, json_real_value(v));
        else if (json_is_integer(v))
            fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_string(v))
            lrs_readout_text(out, 0, json_string_value(v));
        else if (json_is_boolean(v))
            fputs(json_is_true(v) ? "true" : "false", out);
        else {
            char *s = lrs_json_text(v);
            lrs_readout_text(out, 0, s ? s : "?");
            free(s);
        }
    }
    json_decref(p);
}

/* ---- best -------------------------------------------------------------- */

typedef struct best_ctx {
    FILE *out;
    int json, rank;
    lrs_metric_cols_t *cols;
    lrs_err_t *err;
} best_ctx_t;

static int best_row(void *ctx, const lrs_query_trial_t *t)
{
    best_ctx_t *c = ctx;
    lrs_trial_metrics_t tm;
    if (lrs_metric_cols_trial(c->cols, t->trial, &tm, c->err) != 0)
        return -1;
    c->rank++;
    if (c->json) {
        json_t *o = json_object();
        json_object_set_new(o, "rank", json_integer(c->rank));
        json_object_set_new(o, "trial", json_integer(t->trial));
        json_object_set_new(o, "score", lrs_json_number(t->result.score));
        json_object_set_new(o, "score_std", lrs_json_number(t->result.score_std));
        json_object_set_new(o, "params", lrs_readout_json_value(t->params_json));
        json_object_set_new(o, "attempts", json_integer(t->attempts));
        json_object_set_new(o, "worker", lrs_readout_json_string(t->worker ? t->worker : ""));
        json_object_set_new(o, "seconds", lrs_json_number(t->result.seconds));
        json_object_set_new(o, "metrics", lrs_metric_cols_json(c->cols, tm.metrics));
        lrs_readout_json_line(c->out, o);
    } else {
        fprintf(c->out, "%4d %8" PRId64 " ", c->rank, t->trial);
        print_num(c->out, 12, t->result.score);
        fputc(' ', c->out);
        lrs_fmt_print(c->out, 10, LRS_FMT_SHORT_DIGITS, t->result.score_std);
        lrs_metric_cols_table_row(c->out, c->cols, tm.metrics);
        fputs("  ", c->out);
        print_params(c->out, t->params_json);
        fputc('\n', c->out);
    }
    return 0;
}

/* The top complete trials of sw, best first: a table, or JSON Lines; the
 * confirmed configs first when the sweep has confirmation runs. */
static int print_best(lrs_query_t *q, const lrs_query_sweep_t *sw, int top, int json,
                      const char *metrics, FILE *out, lrs_err_t *err)
{
    const lrs_query_select_t sel = {LRS_QUERY_BY_SCORE, LRS_STATUS_COMPLETE, top};
    best_ctx_t c = {.out = out, .json = json, .err = err};
    lrs_confirmed_list_t confirmed;
    if (lrs_confirmed_read(q, sw, &confirmed, err) != 0)
        return -1;
    lrs_confirmed_print(&confirmed, top, json, out, print_params);
    lrs_confirmed_free(&confirmed);
    if (!(c.cols = lrs_metric_cols_new(q, sw, 0, -1, metrics, err)))
        return -1;
    if (!json) {   /* the stored metrics after the score */
        fprintf(out, "%4s %8s %12s %10s", "rank", "trial", "score", "std");
        lrs_metric_cols_table_header(out, c.cols);
        fprintf(out, "  %s\n", "params");
    }
    int rc = lrs_query_trials(q, sw, &sel, best_row, &c, err) != 0 ? -1 : 0;
    if (rc == 0 && !json && c.rank == 0)
        fprintf(out, "   (no complete trial yet)\n");
    lrs_metric_cols_destroy(&c.cols);
    return rc;
}

int lrs_best_print(const char *db_path, const char *sweep, int top, FILE *out, lrs_err_t *err)
{
    lrs_query_t *q = lrs_query_open(db_path, err);
    if (!q)
        return -1;
    lrs_query_sweep_t sw;
    int rc = lrs_query_sweep(q, sweep, &sw, err);
    if (rc == 0)
        rc = print_best(q, &sw, top, 0, NULL, out, err);
    lrs_query_destroy(&q);
    return rc;
}

/* ---- sweeps ------------------------------------------------------------ */

static int sweeps_row(void *ctx, const lrs_query_sweep_row_t *r)
{
    const qargs_t *q = ctx;
    if (q->json) {
        lrs_readout_json_line(stdout, lrs_readout_sweep_json(r));
    } else {
        char created[64], done[48];
        lrs_log_time(r->created_at, created);
        if (strlen(created) > 19)   /* to the second: "2026-01-31T12:00:00Z" */
            snprintf(created + 19, sizeof created - 19, "Z");
        snprintf(done, sizeof done, "%" PRId64 "/%" PRId64, lrs_readout_sweep_done(r), r->trials);
        lrs_readout_text(stdout, 24, r->name);
        putchar(' ');
        lrs_readout_text(stdout, 12, r->metric);
        printf(" %-8s %-7s %13s ", r->maximize ? "maximize" : "minimize",
               r->sampler ? r->sampler : "-", done);
        print_num(stdout, 12, r->best);
        printf("  %s\n", created);
    }
    return 0;
}

static int cmd_sweeps(lrs_query_t *db, const qargs_t *q, lrs_err_t *err)
{
    if (!q->json) {
        printf("%-24s %-12s %-8s %-7s %13s %12s  %s\n", "sweep", "metric", "goal", "sampler",
               "done/trials", "best", "created (UTC)");
    }
    return lrs_query_sweeps(db, sweeps_row, (void *)q, err);
}

/* ---- status ------------------------------------------------------------ */

/* A worker the coordinator sends no trials: a line, or an element of the
 * JSON array ctx (when not NULL). */
static int idle_row(void *ctx, const char *name, const char *host, const char *reason)
{
    if (ctx) {
        json_t *o = json_object();
        json_object_set_new(o, "name", lrs_readout_json_string(name));
        json_object_set_new(o, "host", host ? lrs_readout_json_string(host) : json_null());
        json_object_set_new(o, "reason", lrs_readout_json_string(reason));
        return json_array_append_new(ctx, o) == 0 ? 0 : -1;
    }
    fputs("  worker ", stdout);
    lrs_readout_text(stdout, 0, name);
    fputs(" gets no trials: ", stdout);
    lrs_readout_text(stdout, 0, reason);
    fputc('\n', stdout);
    return 0;
}

static const char *const coordinator_states[] = {
    [LRS_COORD_NONE] = "none", [LRS_COORD_RUNNING] = "running", [LRS_COORD_GONE] = "gone",
    [LRS_COORD_EXITED] = "exited"};

static json_t *time_or_null(double t) { return isnan(t) ? json_null() : lrs_json_number(t); }

/* The state a worker row shows: as the coordinator last wrote it, unless
 * that coordinator died with the worker marked connected. */
static const char *worker_state(const lrs_query_worker_t *w, lrs_coordinator_state_t cs)
{
    if (strcmp(w->state, "connected") == 0 && cs == LRS_COORD_GONE)
        return "unknown";
    return w->state[0] ? w->state : "-";
}

typedef struct workers_out {
    lrs_coordinator_state_t cs;
    json_t *arr;    /* JSON: the array; text: NULL */
    int n;
} workers_out_t;

static int worker_row(void *ctx, const lrs_query_worker_t *w)
{
    workers_out_t *o = ctx;
    const char *state = worker_state(w, o->cs);
    lrs_devices_t devices = {0};   /* a stored list is one the coordinator checked */
    char why[160];
    if (w->gpus && lrs_devices_parse(w->gpus, &devices, why, sizeof why) != 0)
        devices.n = 0;
    if (o->arr) {
        json_t *j = json_object();
        json_object_set_new(j, "name", lrs_readout_json_string(w->name));
        json_object_set_new(j, "host", w->host ? lrs_readout_json_string(w->host) : json_null());
        json_object_set_new(j, "pid", json_integer(w->pid));
        json_object_set_new(j, "jobs", json_integer(w->jobs));
        json_object_set_new(j, "trials_done", json_integer(w->trials_done));
        json_object_set_new(j, "last_seen", time_or_null(w->last_seen));
        json_object_set_new(j, "state", json_string(state));
        json_object_set_new(j, "left_reason",
                            w->left_reason ? lrs_readout_json_string(w->left_reason) : json_null());
        json_object_set_new(j, "idle_reason",
                            w->idle_reason ? lrs_readout_json_string(w->idle_reason) : json_null());
        json_t *gpus = w->gpus ? json_array() : json_null();
        for (int i = 0; w->gpus && i < devices.n; i++)
            json_array_append_new(gpus, json_string(devices.id[i]));
        json_object_set_new(j, "gpus", gpus);
        return json_array_append_new(o->arr, j) == 0 ? 0 : -1;
    }
    if (o->n++ == 0)
        printf("  workers:\n    %-24s %-16s %8s %5s %7s  %-24s %s\n", "name", "host", "pid", "jobs",
               "trials", "last seen", "state");
    char seen[64];
    lrs_log_time(w->last_seen, seen);
    fputs("    ", stdout);
    lrs_readout_text(stdout, 24, w->name);
    fputc(' ', stdout);
    lrs_readout_text(stdout, 16, w->host ? w->host : "-");
    printf(" %8" PRId64 " %5d %7" PRId64 "  %-24s %s", w->pid, w->jobs, w->trials_done, seen,
           state);
    if (w->left_reason && strcmp(state, "unknown") != 0) {
        fputs(" (", stdout);
        lrs_readout_text(stdout, 0, w->left_reason);
        fputc(')', stdout);
    } else if (strcmp(state, "unknown") == 0) {
        fputs(" (its coordinator is gone)", stdout);
    }
    if (devices.n > 0) {
        char list[LRS_DEVICES_TEXT_MAX + 1];
        printf("; gpus %s", lrs_devices_text(&devices, list, sizeof list));
        if (w->jobs > devices.n)
            printf(" (%d slots share them round robin)", w->jobs);
    }
    fputc('\n', stdout);
    return 0;
}

/* The sweep's end and its coordinator: a JSON object's members, or lines. */
static void life_out(const lrs_query_sweep_t *sw, const lrs_query_life_t *l,
                     lrs_coordinator_state_t cs, double now, json_t *o)
{
    if (o) {
        json_object_set_new(o, "ended", l->ended[0] ? json_string(l->ended) : json_null());
        json_object_set_new(o, "end_reason",
                            l->ended[0] ? lrs_readout_json_string(l->end_reason) : json_null());
        json_object_set_new(o, "ended_at", time_or_null(l->ended_at));
        json_object_set_new(o, "elapsed_s", lrs_json_number(l->elapsed));
        json_t *c = json_object();
        json_object_set_new(c, "state", json_string(coordinator_states[cs]));
        if (l->has_coordinator) {
            json_object_set_new(c, "host", lrs_readout_json_string(l->host));
            json_object_set_new(c, "pid", json_integer(l->pid));
            json_object_set_new(c, "started_at", time_or_null(l->started_at));
            json_object_set_new(c, "beat_at", time_or_null(l->beat_at));
            json_object_set_new(c, "exited_at", time_or_null(l->exited_at));
            json_object_set_new(c, "exit_status", isnan(l->exited_at)
                                                       ? json_null() : json_integer(l->exit_status));
        }
        json_object_set_new(o, "coordinator", c);
        return;
    }
    char t[64];
    if (l->ended[0]) {
        lrs_log_time(l->ended_at, t);
        fputs("  sweep ", stdout);
        lrs_readout_text(stdout, 0, sw->name);
        fputc(' ', stdout);
        lrs_readout_text(stdout, 0, l->end_reason);
        printf(" (%s)\n", t);
    }
    if (!l->has_coordinator)
        return;
    fputs("  coordinator: ", stdout);
    if (cs == LRS_COORD_RUNNING) {
        lrs_log_time(l->started_at, t);
        printf("running, pid %" PRId64 " on ", l->pid);
        lrs_readout_text(stdout, 0, l->host);
        printf(" since %s (last beat %.1f s ago)\n", t, now - l->beat_at);
    } else if (cs == LRS_COORD_GONE) {
        lrs_log_time(l->beat_at, t);
        printf("gone: pid %" PRId64 " on ", l->pid);
        lrs_readout_text(stdout, 0, l->host);
        printf(" last beat at %s (%.0f s ago) and recorded no exit; the sweep goes on when a "
               "coordinator runs it again\n", t, now - l->beat_at);
    } else {
        lrs_log_time(l->exited_at, t);
        printf("exited with status %d at %s (pid %" PRId64 " on ", l->exit_status, t, l->pid);
        lrs_readout_text(stdout, 0, l->host);
        printf(")\n");
    }
}

static int cmd_status(lrs_query_t *db, const qargs_t *q, const lrs_query_sweep_t *sw,
                      lrs_err_t *err)
{
    lrs_query_life_t life;
    if (lrs_query_life(db, sw, &life, err) != 0)
        return -1;
    double now = lrs_store_now();
    workers_out_t wo = {.cs = lrs_query_coordinator_state(&life, now)};
    static const lrs_status_t ended[] = {LRS_STATUS_COMPLETE, LRS_STATUS_DIVERGED,
                                         LRS_STATUS_FAILED, LRS_STATUS_PRUNED};
    enum { N_ENDED = sizeof ended / sizeof ended[0] };
    lrs_query_progress_t p;
    if (lrs_query_progress(db, sw, &p, err) != 0)
        return -1;
    if (q->json) {
        json_t *o = json_object();
        json_object_set_new(o, "sweep", lrs_readout_json_string(sw->name));
        json_object_set_new(o, "trials", json_integer(sw->trials));
        for (int i = 0; i < N_ENDED; i++)
            json_object_set_new(o, lrs_status_name(ended[i]), json_integer(p.n[ended[i]]));
        json_object_set_new(o, "epochs_saved", sw->pruning ? json_integer(p.epochs_saved)
                                                           : json_null());
        json_object_set_new(o, "running", json_integer(p.n[LRS_STATUS_RUNNING] - p.queued));
        json_object_set_new(o, "queued", json_integer(p.queued));
        json_object_set_new(o, "pending", json_integer(p.n[LRS_STATUS_PENDING]));
        json_object_set_new(o, "confirmed", json_integer(p.confirmed));
        json_object_set_new(o, "confirming", json_integer(p.confirming));
        json_object_set_new(o, "workers_seen", json_integer(p.workers));
        json_object_set_new(o, "trials_per_s", lrs_json_number(p.trials_per_s));
        json_object_set_new(o, "trials_per_s_last_minute",
                            lrs_json_number(p.trials_per_s_recent));
        json_object_set_new(o, "transport", sw->transport[0] ? json_string(sw->transport)
                                                              : json_null());
        json_object_set_new(o, "data_hash", sw->data_hash[0] ? json_string(sw->data_hash)
                                                              : json_null());
        json_t *idle = json_array();
        if (lrs_query_idle_workers(db, sw, idle_row, idle, err) != 0) {
            json_decref(idle);
            json_decref(o);
            return -1;
        }
        json_object_set_new(o, "idle_workers", idle);
        life_out(sw, &life, wo.cs, now, o);
        wo.arr = json_array();
        if (lrs_query_workers(db, sw, worker_row, &wo, err) != 0) {
            json_decref(wo.arr);
            json_decref(o);
            return -1;
        }
        json_object_set_new(o, "workers", wo.arr);
        lrs_readout_json_line(stdout, o);
    } else {
        fputs("sweep ", stdout);
        lrs_readout_text(stdout, 0, sw->name);
        printf(": %" PRId64 " of %" PRId64 " trials recorded\n", p.recorded, sw->trials);
        life_out(sw, &life, wo.cs, now, NULL);
        if (strcmp(sw->transport, "insecure") == 0)
            printf("  warning: this sweep's coordinator accepts workers without keys "
                   "(--insecure)\n");
        for (int i = 0; i < N_ENDED; i++)
            printf("  %s %" PRId64, lrs_status_name(ended[i]), p.n[ended[i]]);
        if (sw->pruning)
            printf(" (%" PRId64 " epochs saved)", p.epochs_saved);
        printf("  running %" PRId64 "  queued %" PRId64 "  pending %" PRId64 "\n",
               p.n[LRS_STATUS_RUNNING] - p.queued, p.queued, p.n[LRS_STATUS_PENDING]);
        if (p.confirmed || p.confirming)
            printf("  confirmation runs: %" PRId64 " recorded, %" PRId64 " running\n",
                   p.confirmed, p.confirming);
        printf("  workers seen %" PRId64, p.workers);
        if (isnan(p.trials_per_s))
            printf("  throughput -\n");
        else
            printf("  throughput %.1f trials/s overall, %.1f in the last minute of results\n",
                   p.trials_per_s, p.trials_per_s_recent);
        if (lrs_query_idle_workers(db, sw, idle_row, NULL, err) != 0 ||
            lrs_query_workers(db, sw, worker_row, &wo, err) != 0)
            return -1;
        printf("  best so far:\n");
    }
    return print_best(db, sw, 1, q->json, NULL, stdout, err);
}

/* ---- argument handling ------------------------------------------------- */

enum { Q_SWEEPS, Q_STATUS, Q_BEST, Q_SUMMARY, Q_EXPORT };
/* Each command's options beyond --db, --help: usage lists them, parsing refuses others. */
static const char *const own_opts[] = {[Q_SWEEPS] = "j", [Q_STATUS] = "j", [Q_BEST] = "jtm",
                                       [Q_SUMMARY] = "jbn", [Q_EXPORT] = "fmci"};

static void usage(FILE *out, int which)
{
    static const char *const lines[] = {
        [Q_SWEEPS] = "usage: lrsweep sweeps [--db FILE] [--json]\n\n"
                     "Lists the sweeps in the database, oldest first: name, objective metric\n"
                     "and goal, sampler, trials done (complete, diverged, failed or pruned)\n"
                     "of the budget, best score, created (UTC).  --json lines also carry\n"
                     "the count of each status.\n",
        [Q_STATUS] = "usage: lrsweep status [SWEEP] [--db FILE] [--json]\n\n"
                     "Counts by state (with pruning, also the epochs pruned trials saved), how the sweep ended (complete, stopped, budget used\n"
                     "up), its coordinator (running, gone without a trace: it died, or\n"
                     "exited), its workers (name, host, pid, jobs, trials done, last seen,\n"
                     "state: connected, lost or left), throughput and the best trial\n"
                     "so far.  Works while the sweep runs.\n",
        [Q_BEST] = "usage: lrsweep best [SWEEP] [--db FILE] [--top K] [--metrics NAMES] [--json]\n\n"
                   "The K best complete trials (default 10): score, std, every stored\n"
                   "metric (a user's command's last value of each name it reported, the\n"
                   "mean over folds; the built-in engine's accuracy, the mean over folds,\n"
                   "for classification) and the parameters.  --json lines carry them\n"
                   "in a `metrics` object.\n",
        [Q_SUMMARY] = "usage: lrsweep summary [SWEEP] [--db FILE] [--by PARAM] [--bins N] [--json]\n\n"
                      "The recorded trials grouped by one parameter: per group the trials\n"
                      "recorded (count), the complete ones, and of their scores the best,\n"
                      "the median and the IQR (q75 - q25, numpy.percentile's linear rule);\n"
                      "'-' where a group has no complete trial.  A numeric parameter is cut\n"
                      "into N bins [low, high) over its range in the spec (log-spaced for\n"
                      "log_uniform and int_log_uniform; the recorded min..max when the spec\n"
                      "gives no range), in numeric order, empty bins shown with count 0;\n"
                      "other parameters have one group per value, best first.  Trials\n"
                      "without the parameter are the group '-', last.  --json lines add\n"
                      "diverged, failed, pruned, q25, q75, and a bin's low and high.\n",
        [Q_EXPORT] = "usage: lrsweep export [SWEEP] [--db FILE] --format csv|jsonl [--metrics NAMES]\n"
                     "                      [--curves] [--trial I]\n\n"
                     "Every trial of the sweep, pending and running ones too.  JSON Lines keys:\n"
                     "trial, status, score, score_std, score_n (how many values the score is\n"
                     "the mean of: repeats, or folds; null unless complete), repeats (the\n"
                     "repeats recorded; 0 for one run), params, attempts, worker, seconds,\n"
                     "error, for a sweep that prunes pruned_epoch, prune_rule, prune_value,\n"
                     "prune_threshold (null unless pruned), and metrics: an object of the\n"
                     "trial's stored metrics (a user's command's last value of each name it\n"
                     "reported, the mean over folds; the built-in engine's accuracy, the\n"
                     "mean over folds, for classification).  CSV: trial, status, score,\n"
                     "score_std, score_n, repeats, one column per parameter, attempts,\n"
                     "worker, seconds, error, pruned_epoch, prune_rule, prune_value,\n"
                     "prune_threshold (empty unless pruned), then one column per metric\n"
                     "name any trial stored, sorted (metrics.NAME where NAME is another\n"
                     "column's name).\n\n"
                     "--curves: one row per epoch instead, from the database's curve view\n"
                     "(trial_curves), ordered by trial, repeat, fold, epoch and written as\n"
                     "read, so any size streams: trial, repeat, fold, epoch, lr, train_loss,\n"
                     "val_loss and the metrics reported at that epoch (CSV one column per\n"
                     "name, JSON Lines a metrics object).  A user's command's rows are per\n"
                     "fold (fold is the fold); the built-in engine's are the mean over the\n"
                     "folds (fold empty in CSV, null in JSON Lines; no metrics).\n",
    };
    fputs(lines[which], out);
    if (which != Q_SWEEPS)
        fputs("\nSWEEP may be left out when the database holds one sweep; with several,\n"
              "the command lists their names and exits 2.\n", out);
    fputs("\n  --db FILE    results database (default lrsweep.db)\n", out);
    if (strchr(own_opts[which], 'j'))
        fputs("  --json       one JSON object per line instead of the table\n", out);
    if (strchr(own_opts[which], 't'))
        fputs("  --top K      how many trials, best first (default 10, at most 1000000)\n", out);
    if (strchr(own_opts[which], 'b'))
        fputs("  --by PARAM   the parameter to group by: scheduler, optimizer or any\n"
              "               name `lrsweep params` lists, or a command sweep's\n"
              "               own parameter (default scheduler)\n"
              "  --bins N     bins of a numeric PARAM, 1..1000 (default 8); refused\n"
              "               for one that is not numeric\n", out);
    if (strchr(own_opts[which], 'f'))
        fputs("  --format F   csv or jsonl (required)\n", out);
    if (strchr(own_opts[which], 'm'))
        fputs("  --metrics NAMES  the stored metrics to show, comma-separated (default\n"
              "               all; '' or none: none); an unknown name exits 2 and\n"
              "               lists the known ones\n", out);
    if (strchr(own_opts[which], 'c'))
        fputs("  --curves     per-epoch rows (see above) instead of one row per trial\n"
              "  --trial I    only trial I\n", out);
    fputs("  --help       this text\n", out);
}

static int query_main(int argc, char **argv, int which)
{
    static const char *const names[] = {"sweeps", "status", "best", "summary", "export"};
    static const struct option long_opts[] = {
        {"db", required_argument, NULL, 'd'},     {"top", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},         {"by", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
        {"bins", required_argument, NULL, 'n'},   {"metrics", required_argument, NULL, 'm'},
        {"curves", no_argument, NULL, 'c'},       {"trial", required_argument, NULL, 'i'},
        {NULL, 0, NULL, 0},
    };
    qargs_t q = {.cmd = names[which], .db_path = "lrsweep.db", .top = 10, .trial = -1};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "d:t:jb:f:n:m:ci:h", long_opts, NULL)) != -1) {
        const struct option *o;
        for (o = long_opts; o->name && o->val != c; o++) {}
        if (o->name && strchr("tjbfnmci", c) && !strchr(own_opts[which], c)) {
            fprintf(stderr, "lrsweep %s: --%s is not an option of %s\n\n", q.cmd, o->name, q.cmd);
            c = '?';
        }
        switch (c) {
        case 'd': q.db_path = optarg; break;
        case 't':
            if (lrs_cli_int_option(q.cmd, "--top", optarg, 1, 1000000, &q.top) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'j': q.json = 1; break;
        case 'b': q.by = optarg; break;
        case 'n':
            if (lrs_cli_int_option(q.cmd, "--bins", optarg, 1, LRS_SUMMARY_BINS_MAX, &q.bins) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'f': q.format = optarg; break;
        case 'm': q.metrics = optarg; break;
        case 'c': q.curves = 1; break;
        case 'i':
            if (lrs_cli_int_option(q.cmd, "--trial", optarg, 0, INT_MAX, &q.trial) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'h': usage(stdout, which); return lrs_cli_finish(0);
        default: usage(stderr, which); return LRS_EXIT_USAGE;
        }
    }
    int max_pos = which == Q_SWEEPS ? 0 : 1;
    if (argc - optind > max_pos) {
        fprintf(stderr, "lrsweep %s: unexpected argument '%s'\n\n", q.cmd, argv[optind + max_pos]);
        usage(stderr, which);
        return LRS_EXIT_USAGE;
    }
    if (optind < argc)
        q.sweep = argv[optind];
    if (which == Q_EXPORT && !q.format) {
        fprintf(stderr, "lrsweep export: --format csv|jsonl is required\n");
        return LRS_EXIT_USAGE;
    }
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_query_t *db = lrs_query_open(q.db_path, &err);
    int rc = -1;
    if (db) {
        lrs_query_sweep_t sw;
        if (which == Q_SWEEPS)
            rc = cmd_sweeps(db, &q, &err);
        else if (lrs_query_sweep(db, q.sweep, &sw, &err) == 0)
            rc = which == Q_STATUS    ? cmd_status(db, &q, &sw, &err)
                 : which == Q_BEST    ? print_best(db, &sw, q.top, q.json, q.metrics, stdout, &err)
                 : which == Q_SUMMARY ? lrs_summary_print(db, &sw, q.by ? q.by : "scheduler",
                                                        q.bins, q.json, stdout, &err)
                                      : lrs_export_print(db, &sw,
                                                         &(lrs_export_opts_t){q.format, q.metrics,
                                                                              q.curves, q.trial},
                                                         stdout, &err);
        lrs_query_destroy(&db);
    }
    if (rc != 0) {
        lrs_cli_report(q.cmd, &err);
        return lrs_cli_finish(err.code ? err.code : LRS_EXIT_RUNTIME);
    }
    return lrs_cli_finish(0);
}

int lrs_cmd_sweeps(int argc, char **argv) { return query_main(argc, argv, Q_SWEEPS); }
int lrs_cmd_status(int argc, char **argv) { return query_main(argc, argv, Q_STATUS); }
int lrs_cmd_best(int argc, char **argv) { return query_main(argc, argv, Q_BEST); }
int lrs_cmd_summary(int argc, char **argv) { return query_main(argc, argv, Q_SUMMARY); }
int lrs_cmd_export(int argc, char **argv) { return query_main(argc, argv, Q_EXPORT); }
