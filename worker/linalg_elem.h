/* linalg_elem.h — the loops of a dense network that are no matrix product:
 * relu forward and backward, the squared error with its gradient, and the
 * column sums that are every kernel's bias gradient.
 *
 * Each runs over plain arrays, vectorised 4 lanes wide and built for AVX2 and
 * for the baseline target, picked at run time.
 */
#ifndef LRS_LINALG_ELEM_H
#define LRS_LINALG_ELEM_H

#include <stddef.h>

/* y = max(y, 0) elementwise, NaN kept (torch.relu). */
void lrs_relu_fwd(size_t count, double *y);

/* d = d where a > 0, else 0: relu's backward through its output a. */
void lrs_relu_bwd(size_t count, const double *a, double *d);

/* Σ (pred − target)² over count values, summed in four interleaved partial
 * sums; grad (may be NULL) receives scale · (pred − target). */
double lrs_squared_error(size_t count, const double *pred, const double *target, double scale,
                         double *grad);

/* db (out, overwritten) = Σ over the n rows of dY (n × out, row-major): the
 * bias gradient of a dense layer.  The naive, tiled and CBLAS kernels all sum
 * db here, so they agree on it bit for bit; linalg_ref.c spells out the
 * order. */
void lrs_column_sums(int n, int out, const double *dY, double *db);

#endif
