/* dataset.h — data sets: the data-set object and the synthetic problem.
 *
 * A data set is a dense row-major feature matrix X (rows × n_features) and a
 * target matrix Y (rows × n_targets).  For classification there is one target
 * column holding class ids 0..n_classes-1, assigned in sorted order of the
 * labels (numeric order when every label is a number, byte order otherwise),
 * like scikit-learn's LabelEncoder.
 *
 * A data set comes from CSV text (common/csv.h) or from the synthetic
 * generator below; either way it is freed with lrs_dataset_free.
 */
#ifndef LRS_DATASET_H
#define LRS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef enum { LRS_TASK_REGRESSION, LRS_TASK_CLASSIFICATION } lrs_task_t;

/* The most cells any data set may hold: rows × columns of a CSV file,
 * rows × max(features, outputs) (and outputs × features) of the synthetic
 * problem.  Larger requests are usage errors, never allocations. */
#define LRS_DATASET_MAX_CELLS ((size_t)1 << 31)

typedef struct lrs_dataset {
    lrs_task_t task;
    int rows, n_features, n_targets;
    double *X;              /* rows × n_features */
    double *Y;              /* rows × n_targets */
    int n_classes;          /* classification only */
    char **class_labels;    /* n_classes, sorted */
    char **feature_names;   /* n_features */
    char **target_names;    /* n_targets */
} lrs_dataset_t;

/* The synthetic regression problem: X ~ N(0,1), W ~ N(0,1) (outputs ×
 * features), Y = X·Wᵀ + noise·N(0,1), all drawn from seed. */
int lrs_dataset_synthetic(int rows, int features, int outputs, double noise, uint64_t seed,
                          lrs_dataset_t *out, lrs_err_t *err);

/* Frees X, Y and every string (each array and string is its own malloc
 * block, so a data set built elsewhere, e.g. decoded from the wire, is freed
 * the same way) and zeroes *d; d may be NULL. */
void lrs_dataset_free(lrs_dataset_t *d);

#endif
