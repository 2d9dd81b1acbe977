/* dataset.h — data sets: CSV loading and synthetic problems.
 *
 * A data set is a dense row-major feature matrix X (rows × n_features) and a
 * target matrix Y (rows × n_targets).  For classification there is one target
 * column holding class ids 0..n_classes-1, assigned in sorted order of the
 * labels (numeric order when every label is a number, byte order otherwise),
 * like scikit-learn's LabelEncoder.
 *
 * Both sides use it: the coordinator parses the file once to check it before
 * a sweep starts and ships its bytes; workers parse the bytes they receive.
 */
#ifndef LRS_DATASET_H
#define LRS_DATASET_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef enum { LRS_TASK_REGRESSION, LRS_TASK_CLASSIFICATION } lrs_task_t;

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

#endif
