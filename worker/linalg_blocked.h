/* linalg_blocked.h — the register-tiled kernels of the three dense-layer
 * products (see worker/linalg.h for the shapes and the dispatch).
 *
 * One tiled C = A·B, on 4-lane vectors, serves all three products by its
 * strides; a forward pass with fewer than four outputs has a kernel of its
 * own.  Every element is summed in the order the naive kernels sum it, with
 * the same rounding, so the two agree bit for bit (test_linalg checks it).
 */
#ifndef LRS_LINALG_BLOCKED_H
#define LRS_LINALG_BLOCKED_H

/* Y = X·Wᵀ + b (b may be NULL).  work: in × max(out, 4) doubles of scratch
 * (Wᵀ is stored there, padded to 4 columns). */
void lrs_linear_fwd_blocked(int n, int in, int out, const double *X, const double *W,
                            const double *b, double *Y, double *work);

/* dW = dYᵀ·X (overwritten) and db = column sums of dY (overwritten; may be
 * NULL), summed by lrs_column_sums as in every kernel. */
void lrs_linear_bwd_w_blocked(int n, int in, int out, const double *dY, const double *X,
                              double *dW, double *db);

/* dX = dY·W (overwritten). */
void lrs_linear_bwd_x_blocked(int n, int in, int out, const double *dY, const double *W,
                              double *dX);

#endif
