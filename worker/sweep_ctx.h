/* sweep_ctx.h — a worker's sweep context: what it needs to run any trial of
 * the sweep the coordinator sent, and the running of one trial into a wire
 * result.
 *
 * Built once per sweep from the WELCOME (spec text, space hash) and the data
 * set's binary form, it holds the parsed spec, the data set (through validate) or the
 * user's command settings with their workdir resolved, and the trial kind
 * chosen from the spec — the built-in engine or the synthetic objective
 * (worker/trial.h), or the user's command (worker/exec.h).  It is reference
 * counted, so that trials still queued keep their sweep alive while a new
 * sweep arrives; references may be taken and dropped from any thread.
 */
#ifndef LRS_SWEEP_CTX_H
#define LRS_SWEEP_CTX_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/protocol.h"
#include "worker/exec.h"

typedef struct lrs_sweep_ctx lrs_sweep_ctx_t;

/* A sweep context for the WELCOME w, with the data set's binary form
 * (common/data_blob.h, malloc'd: taken over, and freed on failure; NULL
 * when the sweep named none) and the folder a relative workdir is taken against
 * (NULL: the current directory).  Checks that the spec hashes as on the
 * coordinator and loads the data.  Returns it with one reference, or NULL
 * with err. */
lrs_sweep_ctx_t *lrs_sweep_ctx_new(const lrs_msg_t *w, void *data, size_t data_len,
                                   const char *workdir_base, int allow_commands, lrs_err_t *err);

/* 0 when the sweep runs a user's command and the worker was not allowed to
 * run commands (--allow-commands): it must take none of its trials, and
 * lrs_sweep_ctx_run_trial refuses them.  1 otherwise. */
int lrs_sweep_ctx_may_run(const lrs_sweep_ctx_t *s);

/* Takes one more reference; returns s. */
lrs_sweep_ctx_t *lrs_sweep_ctx_ref(lrs_sweep_ctx_t *s);

/* Drops one reference (s may be NULL); the last one frees the context. */
void lrs_sweep_ctx_unref(lrs_sweep_ctx_t *s);

/* The coordinator's token of the sweep (WELCOME's sweep). */
uint64_t lrs_sweep_ctx_token(const lrs_sweep_ctx_t *s);

/* Runs the leased trial t into out (overwritten; release it with
 * lrs_wire_result_clear): samples its config, checks the seed against the
 * coordinator's and runs the sweep's trial kind.  An attempt that fails
 * becomes a result with status failed and its error.  hooks (a command's
 * metric lines and cancel flag; may be NULL) reach a user's command only.
 * Returns 0 with a result, or 1 when the command was cancelled through
 * hooks: out then holds nothing, the lease is gone. */
int lrs_sweep_ctx_run_trial(const lrs_sweep_ctx_t *s, const lrs_wire_trial_t *t,
                        const lrs_exec_hooks_t *hooks, lrs_wire_result_t *out);

#endif
