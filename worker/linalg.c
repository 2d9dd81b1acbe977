/* linalg.c — see linalg.h.  Two of the three kernels per product — naive
 * loops (the reference; built for avx2+fma and plain targets, picked at run
 * time, see linalg_vec.h) and single cblas_dgemm calls — and the dispatchers
 * that pick one of them or the tiled kernel of linalg_blocked.c.  Which one
 * runs is decided by size, and for CBLAS by whether OpenBLAS has a kernel
 * tuned for the CPU. */
#include "worker/linalg.h"

#include <cblas.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "worker/linalg_blocked.h"
#include "worker/linalg_elem.h"
#include "worker/linalg_vec.h"


/* Kernel choice by size (see linalg.h).  Measured on a 2-core x86-64
 * (Sapphire Rapids class) against OpenBLAS 0.3.21:
 * - the tiled kernel beats the naive loops from about a hundred rows of
 *   Linear(5, 3) up, and is 4-7x faster on 64-wide layers;
 * - OpenBLAS with a kernel tuned for the CPU (SkylakeX there) is about 2x
 *   faster than the tiled kernel on products of 64 x 64 x 64 and more, but
 *   2x slower when its run-time CPU detection falls back to an SSE3 kernel
 *   (it reported "Prescott" on that very machine), so CBLAS is used only for
 *   large products and only with a tuned kernel. */
#define LRS_BLOCKED_MIN_MACS 512L
#define LRS_BLAS_MIN_MACS 262144.0   /* 64 × 64 × 64 */
#define LRS_BLAS_MIN_SIDE 32

/* Whether OpenBLAS runs a kernel tuned for this CPU rather than one of its
 * generic pre-AVX fallbacks. */
static int blas_is_tuned(void)
{
    static const char *const generic[] = {"prescott", "core2", "penryn", "dunnington", "nehalem",
                                          "atom", "katmai", "coppermine", "northwood", "banias",
                                          "opteron", "barcelona", "bobcat", "unknown"};
    const char *core = openblas_get_corename();
    if (!core)
        return 0;
    for (size_t i = 0; i < sizeof generic / sizeof generic[0]; i++)
        if (strcasecmp(core, generic[i]) == 0)
            return 0;
    return 1;
}

lrs_kernel_t lrs_linalg_kernel(int n, int in, int out)
{
    double macs = (double)n * in * out;   /* a double cannot overflow here */
    if (macs < LRS_BLOCKED_MIN_MACS)
        return LRS_KERNEL_NAIVE;
    if (macs >= LRS_BLAS_MIN_MACS && in >= LRS_BLAS_MIN_SIDE && out >= LRS_BLAS_MIN_SIDE &&
        blas_is_tuned())
        return LRS_KERNEL_BLAS;
    return LRS_KERNEL_BLOCKED;
}

int lrs_linalg_fused(void) { return LRS_FMA_AVAILABLE(); }

/* ---- forward: Y (n × out) = X (n × in) · Wᵀ (in × out) + b ---- */

LRS_INLINE void fwd_naive_body(int fused, int n, int in, int out, const double *X,
                               const double *W, const double *b, double *Y)
{
    for (int r = 0; r < n; r++) {
        const double *x = X + (size_t)r * in;
        double *y = Y + (size_t)r * out;
        for (int o = 0; o < out; o++) {
            const double *w = W + (size_t)o * in;
            double acc = 0.0;
            for (int k = 0; k < in; k++)
                MADD1(acc, x[k], w[k]);
            y[o] = b ? acc + b[o] : acc;
        }
    }
}

LRS_FUSED_VARIANTS(fwd_naive,
                   (int n, int in, int out, const double *X, const double *W, const double *b,
                    double *Y),
                   n, in, out, X, W, b, Y)

void lrs_linear_fwd_naive(int n, int in, int out, const double *X, const double *W,
                          const double *b, double *Y)
{
    fwd_naive(n, in, out, X, W, b, Y);
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
                    double *Y, double *work)
{
    switch (lrs_linalg_kernel(n, in, out)) {
    case LRS_KERNEL_NAIVE:
        lrs_linear_fwd_naive(n, in, out, X, W, b, Y);
        break;
    case LRS_KERNEL_BLOCKED:
        lrs_linear_fwd_blocked(n, in, out, X, W, b, Y, work);
        break;
    case LRS_KERNEL_BLAS:
        lrs_linear_fwd_blas(n, in, out, X, W, b, Y);
        break;
    }
}

/* ---- weight gradient: dW (out × in) = dYᵀ (out × n) · X (n × in); db = Σ_rows dY ---- */

LRS_INLINE void bwd_w_naive_body(int fused, int n, int in, int out, const double *dY,
                                 const double *X, double *dW, double *db)
{
    memset(dW, 0, (size_t)out * in * sizeof *dW);
    for (int r = 0; r < n; r++) {
        const double *x = X + (size_t)r * in;
        const double *d = dY + (size_t)r * out;
        for (int o = 0; o < out; o++) {
            double g = d[o];
            double *w = dW + (size_t)o * in;
            for (int k = 0; k < in; k++)
                MADD1(w[k], g, x[k]);
        }
    }
    if (db)
        lrs_column_sums(n, out, dY, db);
}

LRS_FUSED_VARIANTS(bwd_w_naive,
                   (int n, int in, int out, const double *dY, const double *X, double *dW,
                    double *db),
                   n, in, out, dY, X, dW, db)

void lrs_linear_bwd_w_naive(int n, int in, int out, const double *dY, const double *X,
                            double *dW, double *db)
{
    bwd_w_naive(n, in, out, dY, X, dW, db);
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
        lrs_column_sums(n, out, dY, db);
}

void lrs_linear_bwd_w(int n, int in, int out, const double *dY, const double *X, double *dW,
                      double *db)
{
    switch (lrs_linalg_kernel(n, in, out)) {
    case LRS_KERNEL_NAIVE:
        lrs_linear_bwd_w_naive(n, in, out, dY, X, dW, db);
        break;
    case LRS_KERNEL_BLOCKED:
        lrs_linear_bwd_w_blocked(n, in, out, dY, X, dW, db);
        break;
    case LRS_KERNEL_BLAS:
        lrs_linear_bwd_w_blas(n, in, out, dY, X, dW, db);
        break;
    }
}

/* ---- input gradient: dX (n × in) = dY (n × out) · W (out × in) ---- */

LRS_INLINE void bwd_x_naive_body(int fused, int n, int in, int out, const double *dY,
                                 const double *W, double *dX)
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
                MADD1(x[k], g, w[k]);
        }
    }
}

LRS_FUSED_VARIANTS(bwd_x_naive,
                   (int n, int in, int out, const double *dY, const double *W, double *dX),
                   n, in, out, dY, W, dX)

void lrs_linear_bwd_x_naive(int n, int in, int out, const double *dY, const double *W,
                            double *dX)
{
    bwd_x_naive(n, in, out, dY, W, dX);
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
    switch (lrs_linalg_kernel(n, in, out)) {
    case LRS_KERNEL_NAIVE:
        lrs_linear_bwd_x_naive(n, in, out, dY, W, dX);
        break;
    case LRS_KERNEL_BLOCKED:
        lrs_linear_bwd_x_blocked(n, in, out, dY, W, dX);
        break;
    case LRS_KERNEL_BLAS:
        lrs_linear_bwd_x_blas(n, in, out, dY, W, dX);
        break;
    }
}
