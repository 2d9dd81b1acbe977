/* exec.h — running the user's own training command for one trial.
 *
 * Instead of the built-in engine, a sweep may name a command template
 * (`python3 train.py --lr {lr} {args}`; its language is common/command.h).
 * For a trial, lrs_exec_run expands the template with the trial's parameters, runs it (once, or once per fold),
 * reads the metrics it prints (common/metrics.h), and turns what happened
 * into an outcome: complete, failed or diverged.
 *
 * Environment of each run: the worker's own, then spec->env ("NAME=value"
 * entries, which override; LRSWEEP_* names are refused; of a name given twice
 * the last wins), then LRSWEEP_TRIAL, LRSWEEP_SEED, LRSWEEP_PARAMS
 * (a JSON object of the parameters the trial sets, as {args} lists them) and
 * with folds LRSWEEP_FOLD (0-based) and LRSWEEP_FOLDS.  PYTHONUNBUFFERED=1 is
 * added unless spec->env sets it, so a Python script's reports arrive as
 * they are printed rather than when its pipe buffer fills.
 *
 * Process handling: each run is a new process group (its leader is the
 * command; stdin is /dev/null).  On timeout or cancel the whole group gets
 * SIGTERM, then SIGKILL after spec->kill_grace_s.  When the command ends, any
 * process it left behind in its group is killed, so a trial leaves no
 * orphans (a process that leaves the group with setsid escapes this).
 *
 * Output: stdout and stderr are read as they come, with memory bounded
 * whatever the command prints: the log keeps the last log_tail_bytes of both
 * streams interleaved, as raw bytes (non-UTF-8 bytes survive unchanged; use
 * lrs_exec_escape_text before putting them into JSON); stderr_tail keeps its
 * last LRS_EXEC_STDERR_LINES lines (each cut at LRS_EXEC_STDERR_LINE_MAX
 * bytes).  Metric lines are read from stdout only.
 *
 * Thread safety: lrs_exec_run touches no global state except what fork/exec
 * require; several threads may run trials at once (pipes are close-on-exec,
 * so one trial's child never holds another trial's pipes).  The process must
 * not set SIGCHLD to SIG_IGN: the runner waits for its own children.
 */
#ifndef LRS_EXEC_H
#define LRS_EXEC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "common/command.h"
#include "common/err.h"
#include "common/metrics.h"
#include "common/params.h"
#include "common/result.h"

#define LRS_EXEC_STDERR_LINES 20
#define LRS_EXEC_STDERR_LINE_MAX 1024
#define LRS_EXEC_MAX_NAMES 64           /* distinct metric names kept per trial */
#define LRS_EXEC_MAX_CURVE 262144       /* curve values kept per trial */

/* One curve value: metric `name` (index into lrs_exec_result.names) of a
 * line that also reported `epoch`. */
typedef struct lrs_exec_point {
    int fold;             /* 0-based; 0 without folds */
    int epoch;
    int name;
    double value;
} lrs_exec_point_t;

typedef struct lrs_exec_result {
    lrs_status_t status;
    char error[512];              /* "" when complete; "timeout", "exit status 3", ... */
    double objective;             /* mean over folds of each fold's last report; NaN if none */
    double objective_std;         /* population std over folds (0 for one run) */
    int runs;                     /* runs started (folds, or 1) */
    int exit_status;              /* last run's exit code, or -1 (killed / never ran) */
    int term_signal;              /* last run's killing signal, or 0 */
    double elapsed_s;             /* wall time of all runs */
    /* Metric names in first-seen order, and for each the mean over folds of
     * its last reported value (NaN when never reported). */
    int n_names;
    char names[LRS_EXEC_MAX_NAMES][LRS_METRIC_NAME_MAX];
    double finals[LRS_EXEC_MAX_NAMES];
    lrs_exec_point_t *curve;      /* n_curve points, in report order */
    size_t n_curve;
    int curve_truncated;          /* 1: more than LRS_EXEC_MAX_CURVE values; later ones dropped */
    char *stderr_tail;            /* last stderr lines, '\n'-separated, raw bytes, NUL-terminated */
    size_t stderr_tail_len;
    char *log;                    /* last log_tail_bytes of output, raw, NUL-terminated */
    size_t log_len;
    uint64_t output_bytes;        /* everything the runs printed */
} lrs_exec_result_t;

/* Called from inside lrs_exec_run, on its thread. */
typedef struct lrs_exec_hooks {
    /* every metric line, as soon as it is read (for live curves / pruning) */
    void (*on_metrics)(void *ctx, int fold, const lrs_metric_line_t *line);
    /* every chunk read; stream 1 stdout, 2 stderr (for `lrsweep train` streaming) */
    void (*on_output)(void *ctx, int fold, int stream, const char *data, size_t len);
    void *ctx;
    /* polled at least every 50 ms; non-zero: kill the run, status cancelled */
    const atomic_int *cancel;
} lrs_exec_hooks_t;

/* Runs the trial.  Returns 0 when the trial reached an outcome (whatever it
 * is: see out->status, out->error) and -1 with err when it could not be
 * attempted (bad template or spec: usage; pipe/fork failure: runtime).
 * out is always initialised; release it with lrs_exec_result_free.  hooks
 * may be NULL. */
int lrs_exec_run(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                 uint64_t seed, const lrs_exec_hooks_t *hooks, lrs_exec_result_t *out,
                 lrs_err_t *err);

/* Frees what lrs_exec_run allocated in r (safe twice, safe on a zeroed r). */
void lrs_exec_result_free(lrs_exec_result_t *r);

#endif
