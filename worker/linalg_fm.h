/* linalg_fm.h — one linear layer under MSE over rows stored feature-major:
 * forward, loss and weight gradient in one sweep, vectorised across rows.
 *
 * The model's path for kept rows of a single regression layer of moderate
 * size (see worker/model.c).  Built for AVX-512, AVX2+FMA and plain targets
 * from one body, the widest the CPU runs picked at run time.
 */
#ifndef LRS_LINALG_FM_H
#define LRS_LINALG_FM_H

#include <stddef.h>

/* ---- one linear layer under MSE, rows stored feature-major ----
 *
 * For a narrow layer (a few inputs or outputs) the row-major kernels of
 * worker/linalg.h run dot products of a handful of elements, which fill no
 * vector unit.  With each feature of a fixed set of rows stored contiguously instead,
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

#endif
