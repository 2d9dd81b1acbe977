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
    void *values_block;     /* NULL, or the one block X and Y point into (a binary form
                               the data set was decoded in place from: common/data_blob.h),
                               freed in their place */
} lrs_dataset_t;

/* The synthetic regression problem: X ~ N(0,1), W ~ N(0,1) (outputs ×
 * features), Y = X·Wᵀ + noise·N(0,1), all drawn from seed. */
int lrs_dataset_synthetic(int rows, int features, int outputs, double noise, uint64_t seed,
                          lrs_dataset_t *out, lrs_err_t *err);

/* The content hash of d as decoded — what training reads, not how a file
 * spells it — as 16 hex digits and a NUL: 64-bit FNV-1a (common/fnv.h)
 * over the bytes
 *     "lrsweep-data-1", then as u64 little-endian: task (0 regression,
 *     1 classification), rows, n_features, n_targets, n_classes;
 *     each class label in class-id order: its length (u64 LE), its bytes;
 *     X row-major, then Y row-major, each value as its IEEE-754 binary64
 *     bits in little-endian order (-0 written as +0).
 * So re-saving a CSV with other number spellings ("1.50" / "1.5"), line
 * endings, quoting or a byte-order mark keeps the hash; any value, label,
 * row or column order changes it.  Column names are left out: training
 * never reads a feature's name, and the target columns are named by the
 * spec (whose own hash covers them), so renaming a header cell changes
 * no result. */
void lrs_dataset_content_hash(const lrs_dataset_t *d, char out[17]);

/* Bytes of d's values as float64 (rows × (features + targets) × 8): its
 * size in memory and on the wire, names aside. */
uint64_t lrs_dataset_value_bytes(const lrs_dataset_t *d);

/* One line for a person: "178 rows, 13 features, target class (3 classes),
 * 19.5 KiB as float64" (names are the data's own: the caller escapes the
 * line if it prints untrusted names). */
void lrs_dataset_describe(const lrs_dataset_t *d, char *out, size_t size);

/* Frees X and Y (or the values block they point into) and every string
 * (each array and string is its own malloc block, so a data set built
 * elsewhere, e.g. decoded from the wire, is freed the same way) and zeroes
 * *d; d may be NULL. */
void lrs_dataset_free(lrs_dataset_t *d);

#endif
