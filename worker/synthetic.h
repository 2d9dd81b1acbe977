/* synthetic.h — the built-in `model: {type: synthetic}` objective.
 *
 * A deterministic, cheap stand-in for training, for tests and orchestration
 * benchmarks: the score is a smooth bowl in log10(lr) whose centre and floor
 * depend on the optimizer and the scheduler, plus small terms for momentum
 * and weight decay and a tiny perturbation drawn from the trial seed (so a
 * wrong seed shows).  Far above the bowl's centre the trial diverges.  The
 * per-epoch curve follows the trial's real LR schedule (worker/sched.h) and
 * ends exactly at the score.  cost_ms > 0 sleeps that long, standing in for
 * training time without using a core; a trial pruned at epoch e sleeps
 * e/epochs of it.
 */
#ifndef LRS_SYNTHETIC_H
#define LRS_SYNTHETIC_H

#include <stdint.h>

#include "common/err.h"
#include "common/params.h"
#include "worker/train.h"

/* Bowl parameters for a config: the optimum log10(lr) and the score there. */
void lrs_synthetic_optimum(const lrs_trial_cfg_t *cfg, double *best_log10_lr, double *floor);

/* Runs the objective for cfg (finalized) and seed into out (free it with
 * lrs_trial_result_clear): no folds, cfg->epochs epochs.  rungs (may be
 * NULL) is called at the trial's rungs as by lrs_train_run, with the curve's
 * val_loss as the value: a stop there leaves the first e epochs, status
 * pruned, no score; other results are the same bits as without a hook.  -1
 * with err for a bad cfg, out of memory, or a cancel from the hook. */
int lrs_synthetic_run(const lrs_trial_cfg_t *cfg, uint64_t seed, double cost_ms,
                      const lrs_rung_hook_t *rungs, lrs_trial_result_t *out, lrs_err_t *err);

#endif
