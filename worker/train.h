/* train.h — one trial of the built-in engine: train a model under a trial
 * config on every split of a data set and score it (k-fold CV).
 *
 * Every fold starts from the same initial weights (default init drawn from the
 * trial seed, or the --init file).  Per epoch, train_loss is the
 * batch-size-weighted mean of the forward losses of that epoch (before each
 * step) and val_loss the validation loss after the epoch's updates.  The score
 * is the mean over folds of the final val_loss, with its (population) std.
 * A NaN/Inf loss, or a loss above 1e6 × the first epoch's, ends the trial as
 * `diverged` at that epoch: a result, not an error.  With standardize_target
 * the model fits (y − mean)/std of the training fold (std 0: 1, as
 * StandardScaler), and every loss — curves, folds, score, what the
 * scheduler, the divergence check and pruning see — is the MSE in the
 * target's own units: the scaled MSE × std² for one target, the mean over
 * outputs of std_k² × mse_k for several (sklearn's TransformedTargetRegressor
 * and mean_squared_error), lrs_model_loss_in_units.
 *
 * Memory: the data set plus O(parameters) plus a bounded amount.  A trial
 * whose row copies are small — each fold's training and validation rows
 * gathered (standardized) once, the model's feature-major copies of them and
 * its buffers sized for a whole fold, together at most copy_budget bytes
 * (default LRS_TRAIN_COPY_BUDGET, 32 MiB) — keeps those copies for every
 * epoch.  A larger one reads the data set in place instead: each mini-batch
 * is gathered and standardized into a batch buffer, and full-batch steps and
 * validation passes run over chunks of LRS_TRAIN_CHUNK_ROWS rows, summing
 * loss and gradient; the results agree with the copying path up to
 * summation order (mini-batch training bit for bit).  With a rung hook
 * (below) every fold also keeps its own parameters and optimizer state
 * between rungs, O(parameters × folds); the row copies stay one fold's,
 * gathered again whenever a fold resumes.
 */
#ifndef LRS_TRAIN_H
#define LRS_TRAIN_H

#include <stdint.h>

#include "common/dataset.h"
#include "common/err.h"
#include "common/params.h"
#include "common/prune.h"
#include "common/result.h"
#include "worker/model.h"


/* Pruning at rungs (common/prune.h).  When a trial runs with a hook, its
 * folds train in lock step, and after each epoch e that starts a rung of
 * the trial (lrs_prune_rung_at(spec, trial, e, cfg->epochs) ≥ 0 and not the
 * rung of epoch e-1) the engine calls at_rung with the objective's value at
 * e — the mean over folds of val_loss, or of fold accuracy when accuracy is
 * set — and the best such value over epochs 1..e by the goal (NaNs
 * skipped; NaN when all are).  at_rung returns 0 to go on, 1 to stop the
 * trial there (status pruned, pruned_epoch e, its curve and fold values up
 * to e, no score), -1 to cancel (the run returns -1 with err).  A trial
 * that is never stopped scores the same bits as without a hook, diverged
 * trials included. */
typedef struct lrs_rung_hook {
    const lrs_prune_spec_t *spec;
    uint64_t trial;
    int maximize;
    int accuracy;
    int (*at_rung)(void *ctx, int epoch, double value, double best, lrs_err_t *err);
    void *ctx;
} lrs_rung_hook_t;

typedef struct lrs_train_opts {
    lrs_model_spec_t model;   /* n_in, n_out and task are filled from the data set */
    int folds;                /* ≥ 2: k-fold; 1: holdout; 0: train on all rows */
    double holdout;           /* validation fraction when folds == 1 */
    int shuffle;              /* shuffle fold membership by seed */
    int standardize;          /* fit on each training fold, apply to both */
    int standardize_target;   /* regression: train on the target standardized by each
                                 training fold's mean/std, column by column; every
                                 loss is still reported in the target's units */
    uint64_t seed;            /* the trial's training seed */
    const char *init_path;    /* NULL: nn.Linear default init from seed */
    double copy_budget;       /* bytes of whole-fold row copies allowed; 0: always chunk */
    int *chunked_out;         /* if not NULL, set to 1 when rows were gathered chunk by
                                 chunk (copy_budget exceeded), else 0 */
    const lrs_rung_hook_t *rungs;   /* NULL: no pruning, folds one after another */
} lrs_train_opts_t;

#define LRS_TRAIN_COPY_BUDGET (32.0 * 1024 * 1024)
#define LRS_TRAIN_CHUNK_ROWS 1024

/* 1 when epoch starts a rung of h's trial of last_epoch epochs: its rung
 * (lrs_prune_rung_at) is k ≥ 0 and not the rung of epoch - 1.  Never at or
 * after last_epoch. */
int lrs_rung_due(const lrs_rung_hook_t *h, int epoch, int last_epoch);

/* Sets the engine defaults: linear model, 5 folds, shuffle, standardize,
 * copy_budget LRS_TRAIN_COPY_BUDGET. */
void lrs_train_opts_init(lrs_train_opts_t *opts);

/* Trains cfg (finalized) on d.  -1 with err only for real errors (bad
 * options, --init mismatch, out of memory); divergence is a result. */
int lrs_train_run(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                  lrs_trial_result_t *out, lrs_err_t *err);


#endif
