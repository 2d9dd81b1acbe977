/* train.h — one trial of the built-in engine: train a model under a trial
 * config on every split of a data set and score it (k-fold CV).
 *
 * Every fold starts from the same initial weights (default init drawn from the
 * trial seed, or the --init file).  Per epoch, train_loss is the
 * batch-size-weighted mean of the forward losses of that epoch (before each
 * step) and val_loss the validation loss after the epoch's updates.  The score
 * is the mean over folds of the final val_loss, with its (population) std.
 * A NaN/Inf loss, or a loss above 1e6 × the first epoch's, ends the trial as
 * `diverged` at that epoch: a result, not an error.
 */
#ifndef LRS_TRAIN_H
#define LRS_TRAIN_H

#include <stdint.h>

#include "common/err.h"
#include "common/params.h"
#include "worker/data.h"
#include "worker/model.h"

typedef enum { LRS_TRIAL_COMPLETE, LRS_TRIAL_DIVERGED } lrs_trial_status_t;

typedef struct lrs_train_opts {
    lrs_model_spec_t model;   /* n_in, n_out and task are filled from the data set */
    int folds;                /* ≥ 2: k-fold; 1: holdout; 0: train on all rows */
    double holdout;           /* validation fraction when folds == 1 */
    int shuffle;              /* shuffle fold membership by seed */
    int standardize;          /* fit on each training fold, apply to both */
    uint64_t seed;            /* the trial's training seed */
    const char *init_path;    /* NULL: nn.Linear default init from seed */
} lrs_train_opts_t;

typedef struct lrs_fold_result {
    int fold;
    double train_loss, val_loss;   /* last epoch; val_loss NaN without validation */
    double accuracy;               /* classification; NaN otherwise */
} lrs_fold_result_t;

typedef struct lrs_epoch_stat {
    int epoch;                       /* 1-based */
    double lr;
    double train_loss, val_loss;     /* means over folds; val_loss NaN without validation */
} lrs_epoch_stat_t;

typedef struct lrs_train_result {
    lrs_trial_status_t status;
    double score, score_std;          /* NaN when diverged or without validation */
    int diverged_epoch;               /* 0 unless diverged */
    int n_folds;
    lrs_fold_result_t *folds;
    int n_epochs;                     /* epochs run (fewer when diverged) */
    lrs_epoch_stat_t *epochs;
    double seconds;
} lrs_train_result_t;

/* Sets the engine defaults: linear model, 5 folds, shuffle, standardize. */
void lrs_train_opts_init(lrs_train_opts_t *opts);

/* Trains cfg (finalized) on d.  -1 with err only for real errors (bad
 * options, --init mismatch, out of memory); divergence is a result. */
int lrs_train_run(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                  lrs_train_result_t *out, lrs_err_t *err);

void lrs_train_result_free(lrs_train_result_t *r);

#endif
