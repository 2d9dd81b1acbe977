/* linalg.c — see linalg.h.  The naive kernels keep their innermost loop on
 * contiguous memory (a dot product over a row of X and a row of W, or an axpy
 * along a row) so that the compiler can vectorise them; the CBLAS kernels are
 * single dgemm calls.  Which one runs is a size decision only. */
#include "worker/linalg.h"

#include <cblas.h>
#include <string.h>

/* Below this many multiply-adds, or with a side narrower than this, the loop
 * kernels beat a dgemm call (measured on Linear(5,3) and 20→64→64→1 MLPs). */
#define LRS_BLAS_MIN_FLOPS 8192L
#define LRS_BLAS_MIN_SIDE 8

int lrs_linalg_use_blas(int n, int in, int out)
{
    if (in < LRS_BLAS_MIN_SIDE || out < LRS_BLAS_MIN_SIDE || n < LRS_BLAS_MIN_SIDE)
        return 0;
    return (long)n * in * out >= LRS_BLAS_MIN_FLOPS;
}

/* ---- forward: Y (n × out) = X (n × in) · Wᵀ (in × out) + b ---- */

void lrs_linear_fwd_naive(int n, int in, int out, const double *X, const double *W,
                          const double *b, double *Y)
{
    for (int r = 0; r < n; r++) {
        const double *x = X + (size_t)r * in;
        double *y = Y + (size_t)r * out;
        for (int o = 0; o < out; o++) {
            const double *w = W + (size_t)o * in;
            double acc = 0.0;
            for (int k = 0; k < in; k++)
                acc += x[k] * w[k];
            y[o] = b ? acc + b[o] : acc;
        }
    }
}

void lrs_linear_fwd_blas(int n, int in, int out, const double *X, const double *W,
                         const double *b, double *Y)
{
    if (n <= 0 || out <= 0)
        return;
    double beta = 0.0;
    if (b) {
        for (int r = 0; r < n; r++)
            memcpy(Y + (size_t)r * out, b, (size_t)out * sizeof *b);
        beta = 1.0;
    }
    if (in <= 0) {
        if (!b)
            memset(Y, 0, (size_t)n * out * sizeof *Y);
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, out, in, 1.0, X, in, W, in, beta, Y,
                out);
}

void lrs_linear_fwd(int n, int in, int out, const double *X, const double *W, const double *b,
                    double *Y)
{
    if (lrs_linalg_use_blas(n, in, out))
        lrs_linear_fwd_blas(n, in, out, X, W, b, Y);
    else
        lrs_linear_fwd_naive(n, in, out, X, W, b, Y);
}

/* ---- weight gradient: dW (out × in) = dYᵀ (out × n) · X (n × in); db = Σ_rows dY ---- */

static void column_sums(int n, int out, const double *dY, double *db)
{
    for (int o = 0; o < out; o++)
        db[o] = 0.0;
    for (int r = 0; r < n; r++) {
        const double *d = dY + (size_t)r * out;
        for (int o = 0; o < out; o++)
            db[o] += d[o];
    }
}

void lrs_linear_bwd_w_naive(int n, int in, int out, const double *dY, const double *X,
                            double *dW, double *db)
{
    memset(dW, 0, (size_t)out * in * sizeof *dW);
    for (int r = 0; r < n; r++) {
        const double *x = X + (size_t)r * in;
        const double *d = dY + (size_t)r * out;
        for (int o = 0; o < out; o++) {
            double g = d[o];
            double *w = dW + (size_t)o * in;
            for (int k = 0; k < in; k++)
                w[k] += g * x[k];
        }
    }
    if (db)
        column_sums(n, out, dY, db);
}

void lrs_linear_bwd_w_blas(int n, int in, int out, const double *dY, const double *X,
                           double *dW, double *db)
{
    if (n <= 0) {
        memset(dW, 0, (size_t)out * in * sizeof *dW);
    } else if (out > 0 && in > 0) {
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, out, in, n, 1.0, dY, out, X, in, 0.0,
                    dW, in);
    }
    if (db)
        column_sums(n, out, dY, db);
}

void lrs_linear_bwd_w(int n, int in, int out, const double *dY, const double *X, double *dW,
                      double *db)
{
    if (lrs_linalg_use_blas(n, in, out))
        lrs_linear_bwd_w_blas(n, in, out, dY, X, dW, db);
    else
        lrs_linear_bwd_w_naive(n, in, out, dY, X, dW, db);
}

/* ---- input gradient: dX (n × in) = dY (n × out) · W (out × in) ---- */

void lrs_linear_bwd_x_naive(int n, int in, int out, const double *dY, const double *W,
                            double *dX)
{
    for (int r = 0; r < n; r++) {
        double *x = dX + (size_t)r * in;
        const double *d = dY + (size_t)r * out;
        for (int k = 0; k < in; k++)
            x[k] = 0.0;
        for (int o = 0; o < out; o++) {
            double g = d[o];
            const double *w = W + (size_t)o * in;
            for (int k = 0; k < in; k++)
                x[k] += g * w[k];
        }
    }
}

void lrs_linear_bwd_x_blas(int n, int in, int out, const double *dY, const double *W, double *dX)
{
    if (n <= 0 || in <= 0)
        return;
    if (out <= 0) {
        memset(dX, 0, (size_t)n * in * sizeof *dX);
        return;
    }
    cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, in, out, 1.0, dY, out, W, in, 0.0, dX,
                in);
}

void lrs_linear_bwd_x(int n, int in, int out, const double *dY, const double *W, double *dX)
{
    if (lrs_linalg_use_blas(n, in, out))
        lrs_linear_bwd_x_blas(n, in, out, dY, W, dX);
    else
        lrs_linear_bwd_x_naive(n, in, out, dY, W, dX);
}
