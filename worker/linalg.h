/* linalg.h — the three matrix products a dense layer needs, forward and
 * backward, each in three kernels: naive loops, register-tiled loops, CBLAS.
 *
 * All matrices are row-major doubles.  For a layer mapping in → out over n
 * rows (PyTorch's nn.Linear layout, W is out × in):
 *   forward      Y  = X·Wᵀ + b     X (n × in), W (out × in), b (out), Y (n × out)
 *   weight grad  dW = dYᵀ·X        dY (n × out), dW (out × in)
 *   input grad   dX = dY·W         dX (n × in)
 * The naive kernels are the reference the others are tested against, and the
 * fast path for tiny shapes where any setup costs more than the arithmetic.
 * The tiled kernels sum every element in the same order as the naive ones,
 * with the same rounding (fused multiply-adds where the CPU has them), so the
 * two agree bit for bit; CBLAS agrees to rounding only (its summation order
 * depends on the CPU and thread count).
 * The dispatching functions (no suffix) pick a kernel by size.
 *
 * This module holds the dispatch, the naive and the CBLAS kernels; the tiled
 * ones are worker/linalg_blocked.h, relu, squared error and the bias
 * gradient's column sums worker/linalg_elem.h, and the fused feature-major
 * kernel for a single linear layer under MSE worker/linalg_fm.h.
 */
#ifndef LRS_LINALG_H
#define LRS_LINALG_H

#include <stddef.h>

typedef enum { LRS_KERNEL_NAIVE, LRS_KERNEL_BLOCKED, LRS_KERNEL_BLAS } lrs_kernel_t;

/* Whether the kernels run their avx2+fma builds on this machine (x86-64 with
 * AVX2 + FMA), in which an optimising build fuses multiply-adds: all kernels
 * do, or none, so they agree bit for bit. */
int lrs_linalg_fused(void);

/* The kernel the dispatchers use for an (n, in, out) product. */
lrs_kernel_t lrs_linalg_kernel(int n, int in, int out);

/* Y = X·Wᵀ + b; b may be NULL (no bias).  work: in × max(out, 4) doubles of
 * scratch (the tiled kernel stores Wᵀ there, padded to 4 columns). */
void lrs_linear_fwd(int n, int in, int out, const double *X, const double *W, const double *b,
                    double *Y, double *work);
void lrs_linear_fwd_naive(int n, int in, int out, const double *X, const double *W,
                          const double *b, double *Y);
void lrs_linear_fwd_blas(int n, int in, int out, const double *X, const double *W,
                         const double *b, double *Y);

/* dW = dYᵀ·X (overwritten) and db = column sums of dY (overwritten; may be
 * NULL).  db is summed by the same function in every kernel. */
void lrs_linear_bwd_w(int n, int in, int out, const double *dY, const double *X, double *dW,
                      double *db);
void lrs_linear_bwd_w_naive(int n, int in, int out, const double *dY, const double *X,
                            double *dW, double *db);
void lrs_linear_bwd_w_blas(int n, int in, int out, const double *dY, const double *X,
                           double *dW, double *db);

/* dX = dY·W (overwritten). */
void lrs_linear_bwd_x(int n, int in, int out, const double *dY, const double *W, double *dX);
void lrs_linear_bwd_x_naive(int n, int in, int out, const double *dY, const double *W,
                            double *dX);
void lrs_linear_bwd_x_blas(int n, int in, int out, const double *dY, const double *W, double *dX);

#endif
