/* trial.h — one trial of the built-in engine under a sweep's settings: the
 * single path from (settings, trial config, data set) to a result.
 *
 * The worker, `lrsweep train` and `lrsweep train --spec` all run a trial
 * through lrs_trial_run, so a config scores the same bits however it is
 * run: the engine options come from the settings by one mapping
 * (lrs_trial_train_opts), model type synthetic runs the synthetic objective,
 * and objective accuracy makes the score the mean fold accuracy.  The data
 * set is read and checked once per sweep by lrs_validate_load_data
 * (common/validate.h), the same way on every side.
 */
#ifndef LRS_TRIAL_H
#define LRS_TRIAL_H

#include <stdint.h>

#include "common/dataset.h"
#include "common/err.h"
#include "common/params.h"
#include "common/spec.h"
#include "worker/train.h"

/* The engine options info fixes for every trial, with training seed seed
 * (and the default copy budget, no init file). */
void lrs_trial_train_opts(const lrs_spec_info_t *info, uint64_t seed, lrs_train_opts_t *opts);

/* Trains cfg (finalized) with training seed seed on d (unused for model
 * type synthetic) under info; init_path (may be NULL) gives the initial
 * weights instead of nn.Linear's init; rungs (may be NULL: never pruned)
 * is the pruning hook both engines call at the trial's rungs (train.h).
 * out is always initialised; free it with lrs_trial_result_clear.  -1 with
 * err only for real errors, as lrs_train_run, or when the hook cancels; a
 * diverged or pruned trial is a result.  Objective accuracy scores complete
 * trials only.
 *
 * With `repeats: R` (info->repeats > 1) the trial trains R times, repeat r
 * with lrs_repeat_seed(seed, r) (its own folds, initial weights and batch
 * order): out holds every repeat's folds and epochs (marked with their
 * repeat), and a complete trial's score is the mean of the repeats' scores
 * (repeat_scores) with their population std.  The first repeat that does
 * not complete ends the trial with its status.  Only repeat 0 meets the
 * rungs: the other repeats run for a trial that passed them all. */
int lrs_trial_run(const lrs_spec_info_t *info, const lrs_dataset_t *d, const lrs_trial_cfg_t *cfg,
                  uint64_t seed, const char *init_path, const lrs_rung_hook_t *rungs,
                  lrs_trial_result_t *out, lrs_err_t *err);

#endif
