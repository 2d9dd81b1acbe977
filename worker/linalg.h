/* linalg.h — the three matrix products a dense layer needs, forward and
 * backward, each as a naive loop kernel and a CBLAS kernel.
 *
 * All matrices are row-major doubles.  For a layer mapping in → out over n
 * rows (PyTorch's nn.Linear layout, W is out × in):
 *   forward      Y  = X·Wᵀ + b     X (n × in), W (out × in), b (out), Y (n × out)
 *   weight grad  dW = dYᵀ·X        dY (n × out), dW (out × in)
 *   input grad   dX = dY·W         dX (n × in)
 * The naive kernels are the reference the CBLAS ones are tested against, and
 * also the fast path for tiny shapes (e.g. 5 → 3), where calling into BLAS
 * costs more than the arithmetic.  The dispatching functions (no suffix) pick
 * one by size; both give the same result up to rounding.
 */
#ifndef LRS_LINALG_H
#define LRS_LINALG_H

/* Y = X·Wᵀ + b; b may be NULL (no bias). */
void lrs_linear_fwd(int n, int in, int out, const double *X, const double *W, const double *b,
                    double *Y);
void lrs_linear_fwd_naive(int n, int in, int out, const double *X, const double *W,
                          const double *b, double *Y);
void lrs_linear_fwd_blas(int n, int in, int out, const double *X, const double *W,
                         const double *b, double *Y);

/* dW = dYᵀ·X (overwritten) and db = column sums of dY (overwritten; may be NULL). */
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

/* Whether the dispatchers use CBLAS for an (n, in, out) product. */
int lrs_linalg_use_blas(int n, int in, int out);

#endif
