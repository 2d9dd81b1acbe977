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
 *
 * The runner's parts: exec_env.h (the environment), exec_proc.h (one run as
 * a process), exec_output.h (what the command prints), exec_result.h (the
 * result and hooks types, included here).
 */
#ifndef LRS_EXEC_H
#define LRS_EXEC_H

#include <stdint.h>

#include "common/command.h"
#include "common/err.h"
#include "common/params.h"
#include "worker/exec_result.h"

/* Runs the trial.  Returns 0 when the trial reached an outcome (whatever it
 * is: see out->status, out->error) and -1 with err when it could not be
 * attempted (bad template or spec: usage; pipe/fork failure: runtime).
 * out is always initialised; release it with lrs_exec_result_free.  hooks
 * may be NULL. */
int lrs_exec_run(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                 uint64_t seed, const lrs_exec_hooks_t *hooks, lrs_exec_result_t *out,
                 lrs_err_t *err);

/* The trial's outcome from the runner's record res: the one mapping every
 * side uses — a sweep's worker sends it, `train --spec` prints it (a
 * cancelled run stays cancelled; the worker sends none).  Complete keeps
 * the objective as the score; diverged, failed and cancelled have none, diverged names the epoch where the objective metric
 * first stopped being finite; the command's part holds exit status, signal,
 * the stderr and log tails (their last LRS_PROTO_MAX_TAIL bytes), the final
 * value of each metric and the curve.  out is (re)initialised first; 0, or
 * -1 out of memory (out holds what was made: clear it). */
int lrs_exec_outcome(const lrs_exec_spec_t *spec, const lrs_exec_result_t *res,
                     lrs_trial_result_t *out);
#endif
