/* scale.c — see scale.h. */
#include "worker/scale.h"

#include <math.h>
#include <string.h>

void lrs_standardize_fit(const double *X, int n_features, const uint32_t *rows, int n_rows,
                         double *mean, double *scale)
{
    /* sklearn's StandardScaler: mean, then the corrected two-pass variance
     * (Chan, Golub & LeVeque), and a column counts as constant when its
     * variance is within that algorithm's error bound of zero. */
    const double eps = 0x1.0p-52;
    for (int j = 0; j < n_features; j++) {
        if (n_rows <= 0) {
            mean[j] = 0.0;
            scale[j] = 1.0;
            continue;
        }
        double sum = 0.0;
        for (int i = 0; i < n_rows; i++)
            sum += X[(size_t)rows[i] * (size_t)n_features + (size_t)j];
        double n = (double)n_rows, m = sum / n;
        double correction = 0.0, sq = 0.0;
        for (int i = 0; i < n_rows; i++) {
            double dx = X[(size_t)rows[i] * (size_t)n_features + (size_t)j] - m;
            correction += dx;
            sq += dx * dx;
        }
        double var = (sq - correction * correction / n) / n;
        double bound = n * eps * var + (n * m * eps) * (n * m * eps);
        mean[j] = m;
        scale[j] = var <= bound ? 1.0 : sqrt(var);
    }
}

void lrs_gather_rows(const double *X, int n_cols, const uint32_t *rows, int n_rows,
                     const double *mean, const double *scale, double *out)
{
    /* out (n_rows × n_cols) = (X[rows] − mean) / scale */
    for (int i = 0; i < n_rows; i++) {
        const double *src = X + (size_t)rows[i] * (size_t)n_cols;
        double *dst = out + (size_t)i * (size_t)n_cols;
        if (!mean && !scale) {
            if (n_cols == 1)   /* a target column: no call per value */
                dst[0] = src[0];
            else
                memcpy(dst, src, (size_t)n_cols * sizeof *dst);
            continue;
        }
        for (int j = 0; j < n_cols; j++) {
            double v = src[j];
            if (mean)
                v -= mean[j];
            if (scale)
                v /= scale[j];
            dst[j] = v;
        }
    }
}
