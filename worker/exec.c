/* exec.c — the external-command runner (see exec.h): one trial.
 *
 * The template language and program lookup are common/command.c.  Here a
 * trial is checked, expanded and run once per fold, and each run's outcome
 * becomes the trial's: the verdict of a run (cancelled, diverged, timeout,
 * exec failure, exit status, no objective reported), the folds' objectives
 * summarised as mean and population std.  Its parts: exec_env.c builds the
 * environment, exec_proc.c runs the process, exec_output.c gathers what it
 * prints, exec_result.c holds the result's lifetime.
 */
#include "worker/exec.h"

#include <math.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytesize.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/protocol.h"
#include "common/pycmd.h"
#include "common/stats.h"
#include "common/strbuf.h"
#include "worker/exec_env.h"
#include "worker/exec_output.h"
#include "worker/exec_proc.h"
#include "worker/forksrv.h"

/* Chunks of the run go to the trial's accumulator. */
static void acc_sink(void *ctx, int stream, const char *data, size_t len)
{
    lrs_exec_acc_output(ctx, stream, data, len);
}

static int validate_spec(const lrs_exec_spec_t *spec, lrs_err_t *err)
{
    if (!spec->metric || !lrs_metrics_valid_name(spec->metric))
        return lrs_err_set(err, LRS_EXIT_USAGE, "metric: '%s' is not a valid metric name",
                           spec->metric ? spec->metric : "");
    if (spec->folds < 0 || spec->folds > LRS_EXEC_MAX_FOLDS)
        return lrs_err_set(err, LRS_EXIT_USAGE, "folds: %d is out of range [0, %d]", spec->folds,
                           LRS_EXEC_MAX_FOLDS);
    if (!(spec->timeout_s >= 0) || !isfinite(spec->timeout_s))
        return lrs_err_set(err, LRS_EXIT_USAGE, "timeout: expected a number of seconds >= 0");
    if (!(spec->kill_grace_s >= 0) || !isfinite(spec->kill_grace_s))
        return lrs_err_set(err, LRS_EXIT_USAGE, "kill grace: expected a number of seconds >= 0");
    for (int i = 0; i < spec->n_env; i++) {
        const char *e = spec->env[i];
        const char *eq = e ? strchr(e, '=') : NULL;
        if (!eq || eq == e)
            return lrs_err_set(err, LRS_EXIT_USAGE, "env: entry %d ('%s') is not NAME=value", i + 1,
                               e ? e : "");
        if (strncmp(e, "LRSWEEP_", 8) == 0)
            return lrs_err_set(err, LRS_EXIT_USAGE, "env: %.*s is set by lrsweep itself", (int)(eq - e),
                               e);
    }
    return 0;
}

/* ---- preload: ---------------------------------------------------------- */

enum { NOTE_SHELL, NOTE_COMMAND, NOTE_THREADS, NOTE_COUNT };

/* Why this trial's runs do not go through a preload helper: in the trial's
 * log every time, on the worker's log once per process. */
static void preload_note(lrs_exec_acc_t *a, int kind, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void preload_note(lrs_exec_acc_t *a, int kind, const char *fmt, ...)
{
    static atomic_int shown[NOTE_COUNT];
    char msg[400];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char line[420];
    int n = snprintf(line, sizeof line, "[lrsweep] %s\n", msg);
    lrs_exec_acc_log(a, line, (size_t)(n < (int)sizeof line ? n : (int)sizeof line - 1));
    if (atomic_exchange(&shown[kind], 1))
        return;
    const lrs_log_t *log = lrs_log_process();
    if (log)
        lrs_log_line(log, msg);
    else
        fprintf(stderr, "lrsweep: %s\n", msg);
}

/* With preload:, the helper that forks this trial's runs (*fs), or none
 * (the runs are processes, with a note saying why).  -1 when no helper
 * could be had (a module failed to import): the trial fails with why. */
static int take_helper(lrs_exec_acc_t *a, const char *path, char **argv, int argc, char **envp,
                       lrs_pycmd_t *py, lrs_forksrv_t **fs, int quiet)
{
    const lrs_exec_spec_t *spec = a->spec;
    char why[256];
    *fs = NULL;
    if (!spec->preload_set)
        return 0;
    if (!lrs_pycmd_plan(spec->shell, argv, argc, py, why, sizeof why)) {
        preload_note(a, spec->shell ? NOTE_SHELL : NOTE_COMMAND, "%s, so trials run as processes", why);
        return 0;
    }
    lrs_err_t e;
    lrs_err_clear(&e);
    lrs_forksrv_t *h = lrs_forksrv_take(path, argv, py, spec->preload, spec->n_preload, envp, &e);
    if (!h) {
        a->out->status = LRS_STATUS_FAILED;
        snprintf(a->out->error, sizeof a->out->error, "%.*s", (int)sizeof a->out->error - 1, e.msg);
        return -1;
    }
    if (lrs_forksrv_threads(h) > 1) {
        if (!quiet)
            preload_note(a, NOTE_THREADS, "preload: the helper runs %d threads after its imports and "
                                          "forking it is not safe, so trials run as processes",
                         lrs_forksrv_threads(h));
        lrs_forksrv_give(h);
        return 0;
    }
    *fs = h;
    return 0;
}

/* The reason the fold-th run failed, or 0 when it succeeded. */
static int run_verdict(const lrs_exec_acc_t *a, const lrs_exec_outcome_t *o, const char *prog,
                       char *msg, size_t size)
{
    if (o->cancelled)
        return snprintf(msg, size, "cancelled"), LRS_STATUS_CANCELLED;
    if (a->diverged[0])
        return snprintf(msg, size, "diverged: %s", a->diverged), LRS_STATUS_DIVERGED;
    if (o->timed_out)
        return snprintf(msg, size, "timeout"), LRS_STATUS_FAILED;
    if (o->memory_exceeded) {
        char limit[32], peak[32];
        return snprintf(msg, size, "memory limit %s exceeded (RSS %s)",
                        lrs_bytesize_show(a->spec->memory_limit, limit, sizeof limit),
                        lrs_bytesize_show(o->memory_peak, peak, sizeof peak)),
               LRS_STATUS_FAILED;
    }
    if (o->helper_lost)
        return snprintf(msg, size, "preload: the helper that forked this run died while it ran"),
               LRS_STATUS_FAILED;
    if (o->exec_stage == 1)
        return snprintf(msg, size, "workdir '%s': %s", a->spec->workdir, strerror(o->exec_errno)),
               LRS_STATUS_FAILED;
    if (o->exec_stage == 2)
        return snprintf(msg, size, "cannot run '%s': %s", prog, strerror(o->exec_errno)),
               LRS_STATUS_FAILED;
    if (o->term_signal)
        return snprintf(msg, size, "killed by signal %d", o->term_signal), LRS_STATUS_FAILED;
    if (o->exit_status != 0) {
        const char *hint = "";
        if (a->spec->shell && o->exit_status == 127)
            hint = " (command not found)";
        else if (a->spec->shell && o->exit_status == 126)
            hint = " (command not executable)";
        return snprintf(msg, size, "exit status %d%s", o->exit_status, hint), LRS_STATUS_FAILED;
    }
    if (!a->objective_seen)
        return snprintf(msg, size, "no '%s' reported", a->spec->metric), LRS_STATUS_FAILED;
    return 0;
}

/* What a run left in the trial before it started, to take back when it is
 * run again (retries:). */
typedef struct run_mark {
    size_t n_curve;
    int curve_truncated, n_names;
} run_mark_t;

static run_mark_t mark_run(const lrs_exec_acc_t *a)
{
    return (run_mark_t){a->out->n_curve, a->out->curve_truncated, a->out->n_names};
}

/* A failed run that `retries:` runs again: failed on its own (an exit
 * status, a signal not ours, no objective reported) — not a timeout, the
 * memory limit, a divergence, a cancel, a prune, a program that does not
 * start or a lost helper.  Then the note goes to the trial's log and what
 * the run reported is taken back; returns 1. */
static int retry_run(lrs_exec_acc_t *a, const lrs_exec_outcome_t *o, const char *prog, int attempt,
                     const run_mark_t *m)
{
    char msg[300];
    if (attempt >= a->spec->retries || run_verdict(a, o, prog, msg, sizeof msg) != LRS_STATUS_FAILED ||
        o->timed_out || o->memory_exceeded || o->helper_lost || o->exec_stage || o->stopped)
        return 0;
    char note[400];
    int n = snprintf(note, sizeof note, "[lrsweep] run %d of at most %d failed (%s): running it again "
                                        "with the same seed\n", attempt + 1, a->spec->retries + 1, msg);
    lrs_exec_acc_log(a, note, (size_t)(n < (int)sizeof note ? n : (int)sizeof note - 1));
    a->out->n_curve = m->n_curve;
    a->out->curve_truncated = m->curve_truncated;
    a->out->n_names = m->n_names;
    a->objective_seen = 0;
    memset(a->fold_has, 0, sizeof a->fold_has);
    a->line_len = 0;
    a->line_overlong = 0;
    return 1;
}

/* Folds one run's outcome into the trial; returns 1 to go on with the next fold. */
static int finish_run(lrs_exec_acc_t *a, const lrs_exec_outcome_t *o, const char *prog, int fold,
                      int runs, double *fold_objective)
{
    lrs_exec_result_t *out = a->out;
    out->exit_status = o->exit_status;
    out->term_signal = o->term_signal;
    for (int k = 0; k < out->n_names; k++)
        if (a->fold_has[k]) {
            a->final_sum[k] += a->fold_last[k];
            a->final_count[k]++;
        }
    char msg[400];
    int verdict = run_verdict(a, o, prog, msg, sizeof msg);
    if (verdict != 0) {
        out->status = (lrs_status_t)verdict;
        if (a->spec->folds > 1)
            snprintf(out->error, sizeof out->error, "fold %d/%d: %s", fold + 1, runs, msg);
        else
            snprintf(out->error, sizeof out->error, "%s", msg);
        return 0;
    }
    int k = lrs_exec_acc_name_index(a, a->spec->metric);
    fold_objective[fold] = k >= 0 ? a->fold_last[k] : NAN;
    return 1;
}

/* Mean and population std of the folds' objectives, and each name's final value. */
static void summarise(lrs_exec_acc_t *a, const double *fold_objective, int runs)
{
    lrs_exec_result_t *out = a->out;
    for (int k = 0; k < out->n_names; k++)
        out->finals[k] = a->final_count[k] ? a->final_sum[k] / a->final_count[k] : NAN;
    if (out->status != LRS_STATUS_COMPLETE)
        return;
    lrs_mean_pop_std(fold_objective, (size_t)runs, sizeof *fold_objective, &out->objective,
                     &out->objective_std);
}

/* After the runs of a pruning sweep's trial: waits for the answers to the
 * rungs it asked (the command trained on meanwhile, or finished), then cuts
 * a pruned trial's result at its rung whatever happened after it; a lost
 * lease leaves the trial cancelled.  -1 with err only out of memory. */
static int settle_rungs(lrs_exec_acc_t *a, lrs_err_t *err)
{
    if (a->oom)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory at a pruning rung");
    int pruned_epoch = 0;
    lrs_err_t gone;
    lrs_err_clear(&gone);
    int v = a->hooks->rung_wait(a->hooks->ctx, &pruned_epoch, &gone);
    if (v < 0) {
        a->out->status = LRS_STATUS_CANCELLED;
        snprintf(a->out->error, sizeof a->out->error, "cancelled");
    } else if (v > 0) {
        lrs_exec_cut(a->out, pruned_epoch);
    }
    return 0;
}

int lrs_exec_run(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                 uint64_t seed, const lrs_exec_hooks_t *hooks, lrs_exec_result_t *out,
                 lrs_err_t *err)
{
    lrs_exec_result_init(out);
    char **argv = NULL;
    int argc = 0, fold_at = -1;
    lrs_words_t envp = {0};
    char *path = NULL;
    lrs_exec_acc_t *a = NULL;
    lrs_forksrv_t *fs = NULL;
    int prunes = spec->pruning && spec->pruning->rule != LRS_PRUNE_NONE && hooks &&
                 hooks->rung_post && hooks->rung_wait;
    lrs_exec_runner_t runner = {.spec = spec, .cancel = hooks ? hooks->cancel : NULL,
                                .stop = prunes ? hooks->stop : NULL, .sink = acc_sink};
    double *fold_objective = NULL;
    int rc = -1;
    double started = lrs_mono_seconds();

    if (validate_spec(spec, err) < 0 || lrs_exec_expand(spec->command, lrs_exec_flags(spec), cfg, &argv, &argc, err) < 0)
        goto done;
    int runs = spec->folds > 0 ? spec->folds : 1;
    a = calloc(1, sizeof *a);
    fold_objective = calloc((size_t)runs, sizeof *fold_objective);
    if (!a || !fold_objective)
        goto oom;
    a->spec = spec;
    a->hooks = hooks;
    a->out = out;
    runner.ctx = a;
    a->ring_cap = spec->log_tail_bytes ? spec->log_tail_bytes : LRS_EXEC_DEFAULT_LOG_TAIL;
    a->ring = malloc(a->ring_cap);
    a->line = malloc(LRS_METRIC_LINE_MAX + 1);
    const char *device = hooks ? hooks->device : NULL;
    if (!a->ring || !a->line || lrs_exec_trial_env(spec, cfg, trial, seed, device, &envp, &fold_at) < 0 ||
        (prunes && lrs_exec_rungs_init(&a->rungs, spec->pruning, trial, spec->maximize, runs,
                                       spec->rung_limit) != 0))
        goto oom;

    path = lrs_exec_find_program_in(argv[0], lrs_exec_env_lookup(envp.v, envp.n, "PATH"),
                                    spec->workdir);
    if (!path) {
        snprintf(out->error, sizeof out->error, "command not found: %s", argv[0]);
        out->status = LRS_STATUS_FAILED;
        rc = 0;
        goto done;
    }

    out->status = LRS_STATUS_COMPLETE;
    lrs_pycmd_t py;
    if (take_helper(a, path, argv, argc, envp.v, &py, &fs, 0) < 0) {
        rc = 0;
        goto done;
    }
    runner.py = &py;
    runner.argc = argc;
    for (int fold = 0; fold < runs; fold++) {
        a->fold = fold;
        a->objective_seen = 0;
        memset(a->fold_has, 0, sizeof a->fold_has);
        if (fold_at >= 0) {
            char text[64];
            int n = snprintf(text, sizeof text, "LRSWEEP_FOLD=%d", fold);
            char *entry = strdup(text);
            if (!entry)
                goto oom;
            free(envp.v[fold_at]);
            envp.v[fold_at] = entry;
            n = snprintf(text, sizeof text, "[lrsweep] fold %d/%d\n", fold + 1, runs);
            lrs_exec_acc_log(a, text, (size_t)n);
        }
        lrs_exec_outcome_t o;
        for (int attempt = 0;; attempt++) {
            run_mark_t mark = mark_run(a);
            out->runs++;
            runner.fs = fs;
            if (lrs_exec_run_once(&runner, path, argv, envp.v, &o, err) < 0)
                goto done;
            if (o.helper_gone) {   /* it ended between runs: nothing ran, a new one runs it */
                lrs_forksrv_give(fs);
                if (take_helper(a, path, argv, argc, envp.v, &py, &fs, 1) < 0) {
                    fs = NULL;
                    rc = 0;
                    goto done;
                }
                runner.fs = fs;
                if (lrs_exec_run_once(&runner, path, argv, envp.v, &o, err) < 0)
                    goto done;
                if (o.helper_gone)
                    o.helper_lost = 1;
            }
            if (a->line_len > 0)
                lrs_exec_acc_line_end(a);   /* a last report without its newline still counts */
            if (a->oom)
                goto oom;
            if (!retry_run(a, &o, argv[0], attempt, &mark))
                break;
        }
        if (!finish_run(a, &o, argv[0], fold, runs, fold_objective))
            break;
    }
    summarise(a, fold_objective, runs);
    if (prunes && settle_rungs(a, err) != 0)
        goto done;
    rc = 0;
    goto done;
oom:
    rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory running the command");
done:
    lrs_forksrv_give(fs);
    if (a) {
        lrs_exec_rungs_free(&a->rungs);
        lrs_exec_acc_finish(a);
        free(a->ring);
        free(a->line);
    }
    out->elapsed_s = lrs_mono_seconds() - started;
    free(a);
    free(fold_objective);
    free(path);
    lrs_words_free(&envp);
    lrs_exec_argv_free(&argv);
    return rc;
}

/* ---- the trial's outcome ---------------------------------------------- */

static char *copy_tail(const char *p, size_t len, size_t *out_len)
{
    if (len > LRS_PROTO_MAX_TAIL) {   /* keep the end */
        p += len - LRS_PROTO_MAX_TAIL;
        len = LRS_PROTO_MAX_TAIL;
    }
    char *c = malloc(len + 1);
    if (c) {
        if (len)
            memcpy(c, p, len);
        c[len] = '\0';
        *out_len = len;
    }
    return c;
}

int lrs_exec_outcome(const lrs_exec_spec_t *spec, const lrs_exec_result_t *res,
                     lrs_trial_result_t *out)
{
    lrs_trial_result_init(out);
    out->status = res->status == LRS_STATUS_COMPLETE || res->status == LRS_STATUS_DIVERGED ||
                          res->status == LRS_STATUS_CANCELLED || res->status == LRS_STATUS_PRUNED
                      ? res->status
                      : LRS_STATUS_FAILED;
    out->pruned_epoch = res->status == LRS_STATUS_PRUNED ? res->pruned_epoch : 0;
    out->score = res->status == LRS_STATUS_COMPLETE ? res->objective : NAN;
    out->score_std = res->status == LRS_STATUS_COMPLETE ? res->objective_std : NAN;
    out->seconds = res->elapsed_s;
    if (res->error[0] && !(out->error = strdup(res->error)))
        return -1;
    lrs_command_result_t *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    out->command = e;
    e->exit_status = res->exit_status < -1 || res->exit_status > 255 ? -1 : res->exit_status;
    e->term_signal = res->term_signal < 0 || res->term_signal > 128 ? 0 : res->term_signal;
    e->curve_truncated = res->curve_truncated;
    e->stderr_tail = copy_tail(res->stderr_tail, res->stderr_tail ? res->stderr_tail_len : 0,
                               &e->stderr_len);
    e->log_tail = copy_tail(res->log, res->log ? res->log_len : 0, &e->log_len);
    int n = res->n_names < LRS_PROTO_MAX_NAMES ? res->n_names : LRS_PROTO_MAX_NAMES;
    e->finals = calloc((size_t)(n ? n : 1), sizeof *e->finals);
    e->curve.names = calloc((size_t)(n ? n : 1), sizeof *e->curve.names);
    size_t np = res->n_curve < LRS_PROTO_MAX_POINTS ? res->n_curve : LRS_PROTO_MAX_POINTS;
    e->curve.points = calloc(np ? np : 1, sizeof *e->curve.points);
    if (!e->stderr_tail || !e->log_tail || !e->finals || !e->curve.names || !e->curve.points)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!(e->curve.names[i] = strdup(res->names[i])))
            return -1;
        e->curve.n_names = i + 1;
        e->finals[i] = res->finals[i];
    }
    for (size_t i = 0; i < np; i++) {
        const lrs_exec_point_t *p = &res->curve[i];
        if (p->name < 0 || p->name >= n)
            continue;
        e->curve.points[e->curve.n_points++] =
            (lrs_curve_point_t){p->fold, p->epoch, p->name, p->value};
    }
    if (out->status == LRS_STATUS_DIVERGED)   /* the first non-finite objective value */
        for (size_t i = 0; i < res->n_curve; i++)
            if (strcmp(res->names[res->curve[i].name], spec->metric) == 0 &&
                !isfinite(res->curve[i].value)) {
                out->diverged_epoch = res->curve[i].epoch > 0 ? res->curve[i].epoch : 0;
                break;
            }
    return 0;
}
