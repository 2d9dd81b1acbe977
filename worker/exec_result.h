/* exec_result.h — what running a user's command for one trial produces.
 *
 * The outcome of lrs_exec_run (worker/exec.h): status and error, the
 * objective over folds, every metric name with its final value, the curve
 * of values reported with an epoch, and bounded tails of the output; and
 * the hooks through which a caller watches a trial while it runs.  Kept
 * apart from exec.h so the runner's own parts (exec_output.c fills a
 * result, exec.c summarises it) can share the types without depending on
 * the runner.
 */
#ifndef LRS_EXEC_RESULT_H
#define LRS_EXEC_RESULT_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/metrics.h"
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
    int pruned_epoch;             /* pruned: the rung epoch the result is cut at; else 0 */
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
    /* the built-in engine at a pruning rung (worker/train.h's at_rung, with
     * ctx): blocks until the coordinator's VERDICT; NULL: no pruning here */
    int (*at_rung)(void *ctx, int epoch, double value, double best, lrs_err_t *err);
    /* a command at a pruning rung (it cannot wait there): rung_post asks
     * without waiting (-1: out of memory); rung_wait blocks until every
     * rung asked is answered: 1 with *pruned_epoch when one pruned the
     * trial, 0 when all went on, -1 (err set) when the lease is gone.
     * stop, set with a prune, kills the run.  NULL: no pruning here. */
    int (*rung_post)(void *ctx, int epoch, double value, double best);
    int (*rung_wait)(void *ctx, int *pruned_epoch, lrs_err_t *err);
    const atomic_int *stop;
    /* the slot's GPU (`--gpus`, common/devices.h), or NULL: the command's
     * CUDA_VISIBLE_DEVICES and LRSWEEP_GPU */
    const char *device;
} lrs_exec_hooks_t;

/* Sets r to the result of a trial that has not run yet: failed, no
 * objective (NaN), exit status -1, every final value NaN, nothing owned. */
void lrs_exec_result_init(lrs_exec_result_t *r);

/* Frees what lrs_exec_run allocated in r (safe twice, safe on a zeroed r). */
void lrs_exec_result_free(lrs_exec_result_t *r);

#endif
