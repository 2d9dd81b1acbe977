/* linalg_ref.h — the reference kernels: the formulas of worker/linalg.h as
 * plain loops, for tests to hold the fast kernels against.
 *
 * Every product term is added as c + a·b, or, with fused set, as
 * fma(a, b, c) — written out where the production arithmetic fuses, since
 * lrs_linalg_fused() says whether the fast kernels do on this CPU — in the
 * order the fast kernels sum, so the naive and register-tiled kernels must
 * agree with these bit for bit; CBLAS and the feature-major kernel sum in
 * other orders and agree to rounding.  Nothing here is on a hot path.
 */
#ifndef LRS_LINALG_REF_H
#define LRS_LINALG_REF_H

/* Y (n × out) = X (n × in) · Wᵀ + b (b may be NULL). */
void lrs_ref_linear_fwd(int fused, int n, int in, int out, const double *X, const double *W,
                        const double *b, double *Y);

/* dW (out × in) = dYᵀ · X; db (may be NULL) = Σ_rows dY, summed as the fast
 * kernel sums it (see linalg_ref.c). */
void lrs_ref_linear_bwd_w(int fused, int n, int in, int out, const double *dY, const double *X,
                          double *dW, double *db);

/* dX (n × in) = dY (n × out) · W. */
void lrs_ref_linear_bwd_x(int fused, int n, int in, int out, const double *dY, const double *W,
                          double *dX);

/* One linear layer under squared error on feature-major rows (XT is in × ld,
 * YT out × ld, rows 0..n-1): returns Σ (z − y)² with z = W·x + b, and when dW
 * is non-NULL, dW = Σ_rows scale·(z − y)·xᵀ and db (may be NULL) Σ_rows
 * scale·(z − y). */
double lrs_ref_linear_sse_fm(int fused, int n, int ld, int in, int out, const double *XT,
                             const double *YT, const double *W, const double *b, double scale,
                             double *dW, double *db);

#endif
