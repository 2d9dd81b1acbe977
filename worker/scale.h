/* scale.h — per-fold standardization and row gathering for the engine.
 *
 * A fold's scaler is fit on its training rows only (sklearn's
 * StandardScaler), then applied to the rows copied out for training and
 * validation.
 */
#ifndef LRS_SCALE_H
#define LRS_SCALE_H

#include <stdint.h>

/* Per-column mean and scale over the listed rows (population std, as
 * sklearn's StandardScaler; a constant column gets scale 1). */
void lrs_standardize_fit(const double *X, int n_features, const uint32_t *rows, int n_rows,
                         double *mean, double *scale);

/* Copies the listed rows of X into out (n_rows × n_features), standardized
 * with mean/scale when they are non-NULL. */
void lrs_gather_rows(const double *X, int n_cols, const uint32_t *rows, int n_rows,
                     const double *mean, const double *scale, double *out);

#endif
