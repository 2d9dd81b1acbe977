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
 * Besides the products, one fused kernel for a single linear layer under
 * MSE over rows stored feature-major (forward, loss and weight gradient in
 * one sweep, vectorised across rows), with its naive twin; see below.
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
void lrs_linear_fwd_blocked(int n, int in, int out, const double *X, const double *W,
                            const double *b, double *Y, double *work);
void lrs_linear_fwd_blas(int n, int in, int out, const double *X, const double *W,
                         const double *b, double *Y);

/* dW = dYᵀ·X (overwritten) and db = column sums of dY (overwritten; may be
 * NULL).  db is summed by the same function in every kernel. */
void lrs_linear_bwd_w(int n, int in, int out, const double *dY, const double *X, double *dW,
                      double *db);
void lrs_linear_bwd_w_naive(int n, int in, int out, const double *dY, const double *X,
                            double *dW, double *db);
void lrs_linear_bwd_w_blocked(int n, int in, int out, const double *dY, const double *X,
                              double *dW, double *db);
void lrs_linear_bwd_w_blas(int n, int in, int out, const double *dY, const double *X,
                           double *dW, double *db);

/* dX = dY·W (overwritten). */
void lrs_linear_bwd_x(int n, int in, int out, const double *dY, const double *W, double *dX);
void lrs_linear_bwd_x_naive(int n, int in, int out, const double *dY, const double *W,
                            double *dX);
void lrs_linear_bwd_x_blocked(int n, int in, int out, const double *dY, const double *W,
                              double *dX);
void lrs_linear_bwd_x_blas(int n, int in, int out, const double *dY, const double *W, double *dX);

/* ---- one linear layer under MSE, rows stored feature-major ----
 *
 * For a narrow layer (a few inputs or outputs) the row-major kernels above
 * run dot products of a handful of elements, which fill no vector unit.
 * With each feature of a fixed set of rows stored contiguously instead,
 *   XT (in × ld): XT[k·ld + r] = X(r, k),   YT (out × ld): YT[o·ld + r] = Y(r, o),
 * every step vectorises across rows: the forward pass is out × in
 * multiply-adds of row vectors, the weight gradient out × in dot products
 * over rows, and the residual never leaves registers.  ld ≥ n rounded up to
 * a multiple of LRS_FM_ROWS, and the padding rows n .. ld−1 of XT must be
 * zero (lrs_rows_to_fm writes them). */
#define LRS_FM_ROWS 32

/* The smallest valid ld for n rows. */
int lrs_fm_ld(int n);

/* AT (cols × ld) = Aᵀ for A (n × cols, row-major), padding rows zeroed. */
void lrs_rows_to_fm(int n, int cols, const double *A, int ld, double *AT);

/* Returns Σ over the n rows and out outputs of (z − y)², z = x·Wᵀ + b (b
 * may be NULL): the numerator of the MSE.  With dW non-NULL also the MSE's
 * gradient at that numerator times scale: dW (out × in) = scale · Σ_r
 * (z − y)_o x_k, and db (out, may be NULL) = scale · Σ_r (z − y)_o, both
 * overwritten.  work: lrs_fm_work_size(in, out) doubles.  The fast kernel
 * sums in another order than the naive one, so they agree to rounding only
 * (test_linalg: 1e-12 relative). */
size_t lrs_fm_work_size(int in, int out);
double lrs_linear_sse_fm(int n, int ld, int in, int out, const double *XT, const double *YT,
                         const double *W, const double *b, double scale, double *dW, double *db,
                         double *work);
/* The builds lrs_linear_sse_fm picks from at run time (widest the CPU runs
 * first), callable one by one so that tests cover each on any machine. */
typedef enum { LRS_FM_AVX512, LRS_FM_AVX2, LRS_FM_PLAIN } lrs_fm_build_t;
int lrs_fm_build_available(lrs_fm_build_t build);
/* As lrs_linear_sse_fm in the given build, which must be available. */
double lrs_linear_sse_fm_build(lrs_fm_build_t build, int n, int ld, int in, int out,
                               const double *XT, const double *YT, const double *W,
                               const double *b, double scale, double *dW, double *db,
                               double *work);

/* y = max(y, 0) elementwise, NaN kept (torch.relu). */
void lrs_relu_fwd(size_t count, double *y);

/* d = d where a > 0, else 0: relu's backward through its output a. */
void lrs_relu_bwd(size_t count, const double *a, double *d);

/* Σ (pred − target)² over count values, summed in four interleaved partial
 * sums; grad (may be NULL) receives scale · (pred − target). */
double lrs_squared_error(size_t count, const double *pred, const double *target, double scale,
                         double *grad);

#endif
