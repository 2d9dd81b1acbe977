/* exec.h — running the user's own training command for one trial.
 *
 * Instead of the built-in engine, a sweep may name a command template
 * (`python3 train.py --lr {lr} {args}`).  For a trial, lrs_exec_run expands
 * the template with the trial's parameters, runs it (once, or once per fold),
 * reads the metrics it prints (worker/metrics.h), and turns what happened
 * into an outcome: complete, failed or diverged.
 *
 * Template rules (lrs_exec_check_template, lrs_exec_expand):
 *   {name}   a parameter of common/params.h.  If it applies to the trial's
 *            optimizer / scheduler (lrs_param_active) it becomes its value as
 *            lrs_trial_cfg_format writes it (the finalized default when the
 *            trial did not set it); otherwise it becomes empty, and a word
 *            that was only that placeholder disappears.
 *   {args}   `--name value` for every parameter the trial sets (bit in
 *            cfg->set_mask) that is active and not named elsewhere in the
 *            template, in parameter-table order.  Without shell it must be a
 *            word of its own.
 *   {{ }}    a literal brace.  A '{' that does not start {identifier} (for
 *            example `${HOME}` or awk's `{print $1}`) is literal text too.
 * Without `shell`, the template is split into words as a POSIX shell would
 * split it (blanks separate words; '...' and "..." group, backslash escapes)
 * but nothing else is interpreted: no variables, globs or pipes, and a value
 * always stays inside its word, whatever characters it holds.  With `shell`,
 * the template is run by `/bin/sh -c`, each value inserted single-quoted.
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

#include "common/err.h"
#include "common/params.h"
#include "worker/metrics.h"

#define LRS_EXEC_STDERR_LINES 20
#define LRS_EXEC_STDERR_LINE_MAX 1024
#define LRS_EXEC_DEFAULT_LOG_TAIL (64 * 1024)
#define LRS_EXEC_DEFAULT_KILL_GRACE 5.0
#define LRS_EXEC_MAX_NAMES 64           /* distinct metric names kept per trial */
#define LRS_EXEC_MAX_CURVE 262144       /* curve values kept per trial */
#define LRS_EXEC_MAX_FOLDS 1000

/* What the sweep spec says about the command: plain data, borrowed. */
typedef struct lrs_exec_spec {
    const char *command;              /* the template */
    int shell;                        /* 1: run via /bin/sh -c, values single-quoted */
    const char *metric;               /* objective name, e.g. "val_loss" */
    int maximize;                     /* 1: larger is better (only recorded) */
    double timeout_s;                 /* per run (per fold); 0: none */
    int folds;                        /* 0: run once; k >= 1: once per fold */
    const char *workdir;              /* NULL: the worker's current directory */
    const char *const *env;           /* n_env "NAME=value" entries */
    int n_env;
    size_t log_tail_bytes;            /* 0: LRS_EXEC_DEFAULT_LOG_TAIL */
    double kill_grace_s;              /* TERM → KILL delay; 0: LRS_EXEC_DEFAULT_KILL_GRACE */
} lrs_exec_spec_t;

typedef enum {
    LRS_EXEC_COMPLETE,    /* every run exited 0 and reported the metric, all finite */
    LRS_EXEC_FAILED,      /* see error */
    LRS_EXEC_DIVERGED,    /* the metric was reported NaN or ±Inf */
    LRS_EXEC_CANCELLED    /* *hooks->cancel became non-zero */
} lrs_exec_status_t;

/* One curve value: metric `name` (index into lrs_exec_result.names) of a
 * line that also reported `epoch`. */
typedef struct lrs_exec_point {
    int fold;             /* 0-based; 0 without folds */
    int epoch;
    int name;
    double value;
} lrs_exec_point_t;

typedef struct lrs_exec_result {
    lrs_exec_status_t status;
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

/* Checks a template: every {name} must be a parameter or `args` ({args} at
 * most once and, without shell, a word of its own), quotes must be closed.
 * Errors (usage) name the placeholder and its 1-based column. */
int lrs_exec_check_template(const char *command, int shell, lrs_err_t *err);

/* Expands command for cfg into a NULL-terminated argv (*argv_out, *argc_out);
 * with shell, argv is {"/bin/sh", "-c", script}.  Free with lrs_exec_argv_free.
 * Fails (usage) on what lrs_exec_check_template refuses, or when no word
 * is left to run. */
int lrs_exec_expand(const char *command, int shell, const lrs_trial_cfg_t *cfg, char ***argv_out,
                    int *argc_out, lrs_err_t *err);

void lrs_exec_argv_free(char ***argv);

/* Writes the JSON object LRSWEEP_PARAMS holds for cfg into a new string
 * (free() it); NULL on allocation failure. */
char *lrs_exec_params_json(const lrs_trial_cfg_t *cfg);

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

/* "complete" | "failed" | "diverged" | "cancelled" */
const char *lrs_exec_status_name(lrs_exec_status_t s);

/* A valid UTF-8 copy of len raw bytes (free() it): valid sequences are kept,
 * every other byte becomes the four characters \xNN.  NULL on OOM. */
char *lrs_exec_escape_text(const char *data, size_t len);

/* The program a template runs — its first word, expanded with default
 * parameters — for `lrsweep validate` to look up in PATH.  A new string, or
 * NULL with shell (the shell decides) or when the template is invalid. */
char *lrs_exec_template_program(const char *command, int shell);

/* Full path of the program a run would execute: prog itself when it holds a
 * '/', else the first executable PATH entry (path_env: a PATH value, NULL:
 * the process's).  Returns a new string, or NULL when not found. */
char *lrs_exec_find_program(const char *prog, const char *path_env);

#endif
