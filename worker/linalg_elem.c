/* linalg_elem.c — see linalg_elem.h.  Branch-free vector loops: the sign of
 * a unit is a coin toss, which branch predictors lose. */
#include "worker/linalg_elem.h"

#include <stddef.h>

#include "worker/linalg_vec.h"

/* Exported functions are plain wrappers around cloned static ones: clang 14
 * gives a cloned function's dispatcher a suffixed name other files cannot
 * link against. */

/* ---- relu, forward and backward ---- */

LRS_VECTOR_CLONES
static void relu_fwd(size_t count, double *y)
{
    const lrs_v4d zero = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        lrs_v4d v = LOAD4(y + i);
        lrs_v4l negative = v < zero;   /* false for NaN, which passes through as in torch */
        STORE4(y + i, (lrs_v4d)((lrs_v4l)v & ~negative));
    }
    for (; i < count; i++)
        y[i] = y[i] < 0.0 ? 0.0 : y[i];
}

void lrs_relu_fwd(size_t count, double *y) { relu_fwd(count, y); }

LRS_VECTOR_CLONES
static void relu_bwd(size_t count, const double *a, double *d)
{
    const lrs_v4d zero = {0, 0, 0, 0};
    size_t i = 0;
    for (; i + 4 <= count; i += 4) {
        lrs_v4l active = LOAD4(a + i) > zero;
        STORE4(d + i, (lrs_v4d)((lrs_v4l)LOAD4(d + i) & active));
    }
    for (; i < count; i++)
        d[i] = a[i] > 0.0 ? d[i] : 0.0;
}

void lrs_relu_bwd(size_t count, const double *a, double *d) { relu_bwd(count, a, d); }

/* ---- squared error ---- */

LRS_VECTOR_CLONES
static double squared_error(size_t count, const double *pred, const double *target, double scale,
                            double *grad)
{
    /* sixteen partial sums (four 4-lane vectors), so no add waits on the last */
    const lrs_v4d zero = {0, 0, 0, 0};
    lrs_v4d acc0 = zero, acc1 = zero, acc2 = zero, acc3 = zero;
    size_t i = 0;
    for (; i + 16 <= count; i += 16) {
        lrs_v4d d0 = LOAD4(pred + i) - LOAD4(target + i);
        lrs_v4d d1 = LOAD4(pred + i + 4) - LOAD4(target + i + 4);
        lrs_v4d d2 = LOAD4(pred + i + 8) - LOAD4(target + i + 8);
        lrs_v4d d3 = LOAD4(pred + i + 12) - LOAD4(target + i + 12);
        acc0 += d0 * d0, acc1 += d1 * d1, acc2 += d2 * d2, acc3 += d3 * d3;
        if (grad) {
            STORE4(grad + i, scale * d0), STORE4(grad + i + 4, scale * d1);
            STORE4(grad + i + 8, scale * d2), STORE4(grad + i + 12, scale * d3);
        }
    }
    for (; i + 4 <= count; i += 4) {
        lrs_v4d d0 = LOAD4(pred + i) - LOAD4(target + i);
        acc0 += d0 * d0;
        if (grad)
            STORE4(grad + i, scale * d0);
    }
    lrs_v4d acc = (acc0 + acc1) + (acc2 + acc3);
    double tail = 0.0;
    for (; i < count; i++) {
        double diff = pred[i] - target[i];
        tail += diff * diff;
        if (grad)
            grad[i] = scale * diff;
    }
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + tail;
}

double lrs_squared_error(size_t count, const double *pred, const double *target, double scale,
                         double *grad)
{
    return squared_error(count, pred, target, scale, grad);
}

/* ---- column sums ---- */

/* db = Σ_rows dY.  For out ≤ 4 a row fits one 4-lane vector and four
 * partial sums (rows r mod 4) run side by side, added pairwise at the end:
 * a single running sum per column would wait on the adder's latency every
 * row.  Lanes past out pick up the next row's values and are dropped. */
LRS_VECTOR_CLONES
static void column_sums(int n, int out, const double *dY, double *db)
{
    if (out <= 4) {
        const lrs_v4d zero = {0, 0, 0, 0};
        lrs_v4d p0 = zero, p1 = zero, p2 = zero, p3 = zero;
        size_t total = (size_t)n * out;
        int r = 0;
        for (; r + 4 <= n && (size_t)(r + 3) * out + 4 <= total; r += 4) {
            const double *d = dY + (size_t)r * out;
            p0 += LOAD4(d), p1 += LOAD4(d + out), p2 += LOAD4(d + 2 * out);
            p3 += LOAD4(d + 3 * out);
        }
        lrs_v4d sum = (p0 + p1) + (p2 + p3);
        for (; r < n; r++)
            for (int o = 0; o < out; o++)
                sum[o] += dY[(size_t)r * out + o];
        for (int o = 0; o < out; o++)
            db[o] = sum[o];
        return;
    }
    for (int o = 0; o < out; o++)
        db[o] = 0.0;
    for (int r = 0; r < n; r++) {
        const double *d = dY + (size_t)r * out;
        for (int o = 0; o < out; o++)
            db[o] += d[o];
    }
}

void lrs_column_sums(int n, int out, const double *dY, double *db) { column_sums(n, out, dY, db); }
