/* folds.h — splitting rows into training and validation sets.
 *
 * k-fold follows scikit-learn: without shuffling, fold sizes, membership and
 * order equal KFold(n_splits=k) for regression and StratifiedKFold(n_splits=k)
 * for classification; with shuffling, membership is drawn from the seed.
 * Each split lists training and validation rows in ascending row order.
 */
#ifndef LRS_FOLDS_H
#define LRS_FOLDS_H

#include <stdint.h>

#include "common/dataset.h"
#include "common/err.h"

typedef struct lrs_split {
    uint32_t *train;
    int n_train;
    uint32_t *val;    /* NULL when n_val == 0 */
    int n_val;
} lrs_split_t;

typedef struct lrs_folds {
    int count;
    lrs_split_t *splits;
} lrs_folds_t;

/* k ≥ 2 folds; stratified when d->task is classification.  Refuses k above
 * the row count and, when stratified, above the smallest class's row count
 * (stricter than scikit-learn, which only warns there). */
int lrs_folds_kfold(const lrs_dataset_t *d, int k, int shuffle, uint64_t seed, lrs_folds_t *out,
                    lrs_err_t *err);

/* One split with round(fraction × rows) validation rows (0 < fraction < 1):
 * the last rows without shuffling, a seeded random subset otherwise. */
int lrs_folds_holdout(const lrs_dataset_t *d, double fraction, int shuffle, uint64_t seed,
                      lrs_folds_t *out, lrs_err_t *err);

/* One split: every row trains, none validates. */
int lrs_folds_all(const lrs_dataset_t *d, lrs_folds_t *out, lrs_err_t *err);

/* The splits a trial validates on: folds ≥ 2 k-fold (lrs_folds_kfold), 1 a
 * holdout of fraction holdout (lrs_folds_holdout), 0 every row for training
 * and none for validation (lrs_folds_all); anything else is a usage error.
 * The one rule both the spec check and the engine apply. */
int lrs_folds_make(const lrs_dataset_t *d, int folds, double holdout, int shuffle, uint64_t seed,
                   lrs_folds_t *out, lrs_err_t *err);

void lrs_folds_free(lrs_folds_t *f);

#endif
