/* lrfind_run.h — the range test on the built-in engine: one short run on the
 * training rows of the first split (all rows with folds 0), the lr set per
 * batch by lrfind.h's schedule, the optimizer taking it with each step.
 */
#ifndef LRS_LRFIND_RUN_H
#define LRS_LRFIND_RUN_H

#include "common/dataset.h"
#include "common/err.h"
#include "common/params.h"
#include "worker/lrfind.h"
#include "worker/train.h"

/* Runs the test of cfg (finalized; its scheduler is ignored) under opts
 * (lrs_trial_train_opts) on d, filling curve (initialised here; clear it
 * with lrs_lrfind_curve_clear).  0, or -1 with err. */
int lrs_lrfind_run(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                   const lrs_lrfind_cfg_t *lf, lrs_lrfind_curve_t *curve, lrs_err_t *err);

#endif
