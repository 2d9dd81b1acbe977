/* exec_output.h — what a user's command prints, gathered for its result.
 *
 * Every chunk a run prints goes through lrs_exec_acc_output: into a bounded
 * log ring (both streams interleaved, the last log_tail_bytes), a ring of
 * the last LRS_EXEC_STDERR_LINES stderr lines, and the stdout line splitter,
 * whose complete lines are parsed as metric lines (common/metrics.h) into
 * per-fold last values, the curve and the divergence note.  Memory stays
 * bounded whatever the command prints.  lrs_exec_acc_finish copies the
 * tails into the result.  exec.c owns one accumulator per trial.
 */
#ifndef LRS_EXEC_OUTPUT_H
#define LRS_EXEC_OUTPUT_H

#include <stddef.h>

#include "common/command.h"
#include "worker/exec_result.h"
#include "worker/exec_rungs.h"

/* One trial's accumulator.  exec.c sets spec, hooks, out, ring (ring_cap
 * bytes) and line (LRS_METRIC_LINE_MAX + 1 bytes), resets fold,
 * objective_seen and fold_has per fold, and reads the metric sums. */
typedef struct lrs_exec_acc {
    const lrs_exec_spec_t *spec;
    const lrs_exec_hooks_t *hooks;
    lrs_exec_result_t *out;
    int fold;
    /* log ring */
    char *ring;
    size_t ring_cap, ring_head, ring_len;
    /* stderr lines: ring of LRS_EXEC_STDERR_LINES finished lines + the current one */
    char err_lines[LRS_EXEC_STDERR_LINES][LRS_EXEC_STDERR_LINE_MAX];
    size_t err_line_len[LRS_EXEC_STDERR_LINES];
    int err_first, err_count;
    char err_cur[LRS_EXEC_STDERR_LINE_MAX];
    size_t err_cur_len;
    int err_cur_open;                 /* bytes seen since the last newline */
    /* the stdout line being assembled */
    char *line;
    size_t line_len;
    int line_overlong;
    /* metrics: last value this fold, sum of per-fold last values over folds */
    double fold_last[LRS_EXEC_MAX_NAMES];
    int fold_has[LRS_EXEC_MAX_NAMES];
    double final_sum[LRS_EXEC_MAX_NAMES];
    int final_count[LRS_EXEC_MAX_NAMES];
    size_t curve_cap;
    int objective_seen;               /* this fold */
    char diverged[256];               /* first non-finite objective report, "" if none */
    lrs_exec_rungs_t rungs;           /* pruning: rungs reached go to hooks->rung_post */
    int oom;
} lrs_exec_acc_t;

/* Appends data to the log ring only (lrsweep's own notes, e.g. the fold
 * banner); the ring keeps the last ring_cap bytes. */
void lrs_exec_acc_log(lrs_exec_acc_t *a, const char *data, size_t len);

/* One chunk read from the run's stdout (stream 1) or stderr (2): counted,
 * logged, split into lines (stdout: metric lines; stderr: the line ring),
 * then passed to the on_output hook. */
void lrs_exec_acc_output(lrs_exec_acc_t *a, int stream, const char *data, size_t len);

/* Ends the stdout line being assembled (a last report without its
 * newline): parsed as a metric line unless empty or overlong. */
void lrs_exec_acc_line_end(lrs_exec_acc_t *a);

/* Index of metric `name` in a->out->names, added in first-seen order; -1
 * when LRS_EXEC_MAX_NAMES names are already kept. */
int lrs_exec_acc_name_index(lrs_exec_acc_t *a, const char *name);

/* Copies the stderr lines (the open one included) and the log ring into
 * a->out->stderr_tail and a->out->log; on allocation failure the tail is
 * left NULL. */
void lrs_exec_acc_finish(lrs_exec_acc_t *a);

#endif
