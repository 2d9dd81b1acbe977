/* data.h — data sets: CSV loading, synthetic problems, standardization.
 *
 * A data set is a dense row-major feature matrix X (rows × n_features) and a
 * target matrix Y (rows × n_targets).  For classification there is one target
 * column holding class ids 0..n_classes-1, assigned in sorted order of the
 * labels (numeric order when every label is a number, byte order otherwise),
 * like scikit-learn's LabelEncoder.
 */
#ifndef LRS_DATA_H
#define LRS_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "worker/model.h"

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

/* Loads CSV text (header row; `targets` named columns are targets, every
 * other column a numeric feature; Y's columns follow the order of `targets`,
 * X's the file's order).  `name` is used in messages
 * ("wine.csv:17:4: ..."); errors are usage errors (exit 2).  task_hint < 0
 * infers the task: classification when a target column is non-numeric. */
int lrs_dataset_parse_csv(const char *name, const char *text, size_t len,
                          const char *const *targets, int n_targets, int task_hint,
                          lrs_dataset_t *out, lrs_err_t *err);

/* Reads the file, then lrs_dataset_parse_csv. */
int lrs_dataset_load_csv(const char *path, const char *const *targets, int n_targets,
                         int task_hint, lrs_dataset_t *out, lrs_err_t *err);

/* The synthetic regression problem: X ~ N(0,1), W ~ N(0,1) (outputs ×
 * features), Y = X·Wᵀ + noise·N(0,1), all drawn from seed. */
int lrs_dataset_synthetic(int rows, int features, int outputs, double noise, uint64_t seed,
                          lrs_dataset_t *out, lrs_err_t *err);

/* Frees X, Y and every string (each array and string is its own malloc
 * block, so a data set built elsewhere, e.g. decoded from the wire, is freed
 * the same way) and zeroes *d; d may be NULL. */
void lrs_dataset_free(lrs_dataset_t *d);

/* Per-column mean and scale over the listed rows (population std, as
 * sklearn's StandardScaler; a constant column gets scale 1). */
void lrs_standardize_fit(const double *X, int n_features, const uint32_t *rows, int n_rows,
                         double *mean, double *scale);

/* Copies the listed rows of X into out (n_rows × n_features), standardized
 * with mean/scale when they are non-NULL. */
void lrs_gather_rows(const double *X, int n_cols, const uint32_t *rows, int n_rows,
                     const double *mean, const double *scale, double *out);

#endif
