/* exec_env.h — the environment of a user's command.
 *
 * A run sees the worker's environment, then the spec's env entries (which
 * override; of a name given twice the last wins), then what lrsweep sets:
 * LRSWEEP_TRIAL, LRSWEEP_SEED, LRSWEEP_PARAMS and, with folds,
 * LRSWEEP_FOLDS and LRSWEEP_FOLD; PYTHONUNBUFFERED=1 unless the spec sets
 * it; with a slot device (--gpus), CUDA_VISIBLE_DEVICES and LRSWEEP_GPU.  worker/exec.h states the whole contract; this is where it is built.
 */
#ifndef LRS_EXEC_ENV_H
#define LRS_EXEC_ENV_H

#include <stdint.h>

#include "common/command.h"
#include "common/params.h"
#include "common/strbuf.h"

/* The value of `name` in the n "NAME=value" entries of envp, or NULL. */
const char *lrs_exec_env_lookup(char *const *envp, int n, const char *name);

/* Builds the environment of the trial's runs into envp; with folds,
 * *fold_at is the index of the LRSWEEP_FOLD entry, rewritten per run (else
 * -1).  device (NULL: none) is the slot's GPU: CUDA_VISIBLE_DEVICES and
 * LRSWEEP_GPU, over the spec's env.  -1 on allocation failure. */
int lrs_exec_trial_env(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                       uint64_t seed, const char *device, lrs_words_t *envp, int *fold_at);

#endif
