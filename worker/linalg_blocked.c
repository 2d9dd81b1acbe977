/* linalg_blocked.c — see linalg_blocked.h.  The tiles, the tiled product and
 * the kernels built on it share one file: the tiles are inlined into each
 * build variant of the product (avx2+fma, avx2, plain; see linalg_vec.h), so
 * no call sits inside a loop over elements. */
#include "worker/linalg_blocked.h"

#include <stddef.h>
#include <string.h>

#include "worker/linalg_elem.h"
#include "worker/linalg_vec.h"

/* ---- the blocked kernel: C (M × N) = A · B, row-major, register-tiled ----
 *
 * A(i, k) = A[i·ars + k·aks], so one kernel serves A and Aᵀ; B(k, j) =
 * B[k·bks + j] is read along rows.  Each 4 × 8 tile of C is accumulated in
 * eight 4-wide vectors over k in the natural order (acc = acc + a·b), so
 * every element is summed exactly as the naive loops sum it, with the same
 * rounding (see "Fused multiply-add" in linalg_vec.h): the kernels agree bit
 * for bit, whatever vector width the compiler picks. */

#define LRS_TILE_K 256   /* k-slab: keeps the B rows a slab touches in L1/L2 */

/* A tile covers rows i .. i+mr of C (mr ≤ 4) and 8, 5, 4 or 1 columns.  Rows
 * past mr re-read row mr−1 of A: they cost a little arithmetic, never a
 * branch inside the k loop, and are not stored.  The accumulators start from
 * zero when k0 == 0, else continue the sums already in C.  Each is written
 * out by hand so that they live in registers. */
#define ROW_OFFSETS(mr, ars)                                                                  \
    const long r1 = ((mr) > 1 ? 1 : 0) * (ars), r2 = ((mr) > 2 ? 2 : (mr) - 1) * (ars),       \
               r3 = ((mr) > 3 ? 3 : (mr) - 1) * (ars)

LRS_INLINE void tile_8(int fused, int mr, int k0, int k1, const double *A, long ars,
                       long aks, const double *B, long ldb, double *C, long ldc)
{
    ROW_OFFSETS(mr, ars);
    const lrs_v4d zero = {0, 0, 0, 0};
    lrs_v4d c00 = zero, c01 = zero, c10 = zero, c11 = zero;
    lrs_v4d c20 = zero, c21 = zero, c30 = zero, c31 = zero;
    if (k0) {
        c00 = LOAD4(C), c01 = LOAD4(C + 4);
        if (mr > 1)
            c10 = LOAD4(C + ldc), c11 = LOAD4(C + ldc + 4);
        if (mr > 2)
            c20 = LOAD4(C + 2 * ldc), c21 = LOAD4(C + 2 * ldc + 4);
        if (mr > 3)
            c30 = LOAD4(C + 3 * ldc), c31 = LOAD4(C + 3 * ldc + 4);
    }
    for (int k = k0; k < k1; k++) {
        const lrs_v4d b0 = LOAD4(B + k * ldb), b1 = LOAD4(B + k * ldb + 4);
        const double *a = A + k * aks;
        const double a0 = a[0], a1 = a[r1], a2 = a[r2], a3 = a[r3];
        MADD4(c00, a0, b0);
        MADD4(c01, a0, b1);
        MADD4(c10, a1, b0);
        MADD4(c11, a1, b1);
        MADD4(c20, a2, b0);
        MADD4(c21, a2, b1);
        MADD4(c30, a3, b0);
        MADD4(c31, a3, b1);
    }
    STORE4(C, c00), STORE4(C + 4, c01);
    if (mr > 1)
        STORE4(C + ldc, c10), STORE4(C + ldc + 4, c11);
    if (mr > 2)
        STORE4(C + 2 * ldc, c20), STORE4(C + 2 * ldc + 4, c21);
    if (mr > 3)
        STORE4(C + 3 * ldc, c30), STORE4(C + 3 * ldc + 4, c31);
}

LRS_INLINE void tile_4(int fused, int mr, int k0, int k1, const double *A, long ars,
                       long aks, const double *B, long ldb, double *C, long ldc)
{
    ROW_OFFSETS(mr, ars);
    const lrs_v4d zero = {0, 0, 0, 0};
    lrs_v4d c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    if (k0) {
        c0 = LOAD4(C);
        if (mr > 1)
            c1 = LOAD4(C + ldc);
        if (mr > 2)
            c2 = LOAD4(C + 2 * ldc);
        if (mr > 3)
            c3 = LOAD4(C + 3 * ldc);
    }
    for (int k = k0; k < k1; k++) {
        const lrs_v4d b = LOAD4(B + k * ldb);
        const double *a = A + k * aks;
        MADD4(c0, a[0], b);
        MADD4(c1, a[r1], b);
        MADD4(c2, a[r2], b);
        MADD4(c3, a[r3], b);
    }
    STORE4(C, c0);
    if (mr > 1)
        STORE4(C + ldc, c1);
    if (mr > 2)
        STORE4(C + 2 * ldc, c2);
    if (mr > 3)
        STORE4(C + 3 * ldc, c3);
}

/* Five columns in one pass over k (a 4-lane vector and a single column): the
 * eight chains keep the adder busy where tile_4 and tile_1 each would wait on
 * it; this is the shape of Linear(5, ·)'s weight gradient. */
LRS_INLINE void tile_5(int fused, int mr, int k0, int k1, const double *A, long ars,
                       long aks, const double *B, long ldb, double *C, long ldc)
{
    ROW_OFFSETS(mr, ars);
    const lrs_v4d zero = {0, 0, 0, 0};
    lrs_v4d c0 = zero, c1 = zero, c2 = zero, c3 = zero;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0, s3 = 0.0;
    if (k0) {
        c0 = LOAD4(C), s0 = C[4];
        if (mr > 1)
            c1 = LOAD4(C + ldc), s1 = C[ldc + 4];
        if (mr > 2)
            c2 = LOAD4(C + 2 * ldc), s2 = C[2 * ldc + 4];
        if (mr > 3)
            c3 = LOAD4(C + 3 * ldc), s3 = C[3 * ldc + 4];
    }
    for (int k = k0; k < k1; k++) {
        const lrs_v4d b = LOAD4(B + k * ldb);
        const double b4 = B[k * ldb + 4];
        const double *a = A + k * aks;
        const double a0 = a[0], a1 = a[r1], a2 = a[r2], a3 = a[r3];
        MADD4(c0, a0, b);
        MADD4(c1, a1, b);
        MADD4(c2, a2, b);
        MADD4(c3, a3, b);
        MADD1(s0, a0, b4);
        MADD1(s1, a1, b4);
        MADD1(s2, a2, b4);
        MADD1(s3, a3, b4);
    }
    STORE4(C, c0), C[4] = s0;
    if (mr > 1)
        STORE4(C + ldc, c1), C[ldc + 4] = s1;
    if (mr > 2)
        STORE4(C + 2 * ldc, c2), C[2 * ldc + 4] = s2;
    if (mr > 3)
        STORE4(C + 3 * ldc, c3), C[3 * ldc + 4] = s3;
}

LRS_INLINE void tile_1(int fused, int mr, int k0, int k1, const double *A, long ars,
                       long aks, const double *B, long ldb, double *C, long ldc)
{
    ROW_OFFSETS(mr, ars);
    double c0 = 0.0, c1 = 0.0, c2 = 0.0, c3 = 0.0;
    if (k0) {
        c0 = C[0];
        if (mr > 1)
            c1 = C[ldc];
        if (mr > 2)
            c2 = C[2 * ldc];
        if (mr > 3)
            c3 = C[3 * ldc];
    }
    for (int k = k0; k < k1; k++) {
        const double b = B[k * ldb];
        const double *a = A + k * aks;
        MADD1(c0, a[0], b);
        MADD1(c1, a[r1], b);
        MADD1(c2, a[r2], b);
        MADD1(c3, a[r3], b);
    }
    C[0] = c0;
    if (mr > 1)
        C[ldc] = c1;
    if (mr > 2)
        C[2 * ldc] = c2;
    if (mr > 3)
        C[3 * ldc] = c3;
}

/* C (M × N, row stride ldc) = A·B with B(k, j) = B[k·bks + j·bjs]; the
 * vector tiles need bjs == 1, other B layouts run on single-column tiles. */
LRS_INLINE void gemm_blocked_body(int fused, int M, int N, int K, const double *A, long ars,
                                  long aks, const double *B, long bks, long bjs, double *C,
                                  long ldc)
{
    if (K == 0) {
        for (int i = 0; i < M; i++)
            memset(C + i * ldc, 0, (size_t)N * sizeof *C);
        return;
    }
    int vector_cols = bjs == 1 ? N - N % 4 : 0;
    for (int k0 = 0; k0 < K; k0 += LRS_TILE_K) {
        int k1 = K - k0 > LRS_TILE_K ? k0 + LRS_TILE_K : K;
        for (int i = 0; i < M; i += 4) {
            int mr = M - i < 4 ? M - i : 4;
            const double *a = A + i * ars;
            double *c = C + i * ldc;
            int j = 0;
            for (; j + 8 <= vector_cols; j += 8)
                tile_8(fused, mr, k0, k1, a, ars, aks, B + j, bks, c + j, ldc);
            if (j + 4 <= vector_cols && j + 5 <= N) {
                tile_5(fused, mr, k0, k1, a, ars, aks, B + j, bks, c + j, ldc);
                j += 5;
            } else if (j + 4 <= vector_cols) {
                tile_4(fused, mr, k0, k1, a, ars, aks, B + j, bks, c + j, ldc);
                j += 4;
            }
            for (; j < N; j++)
                tile_1(fused, mr, k0, k1, a, ars, aks, B + j * bjs, bks, c + j, ldc);
        }
    }
}

LRS_FUSED_VARIANTS(gemm_blocked,
                   (int M, int N, int K, const double *A, long ars, long aks, const double *B,
                    long bks, long bjs, double *C, long ldc),
                   M, N, K, A, ars, aks, B, bks, bjs, C, ldc)

/* ---- the three products on it ---- */

/* Forward for out ≤ 4: one 4-lane accumulator per row holds all its outputs,
 * against Wᵀ padded with zero columns (in × 4, in work); eight rows run side
 * by side so that no add waits on the previous one.  A row's 4-wide store spills
 * into the next row's first outputs, which that row then overwrites (rows
 * are stored in order); the last rows store lane by lane. */

/* Blocks of eight rows whose 4-wide stores all stay inside Y; returns the
 * first row not done.  with_bias is a constant after inlining. */
LRS_INLINE int narrow_blocks(int fused, int n, int in, int out, const double *X,
                             const double *work, const double *bias4, int with_bias, double *Y)
{
    const lrs_v4d zero = {0, 0, 0, 0}, bias = LOAD4(bias4);
    size_t total = (size_t)n * out;
    int r = 0;
    for (; r + 8 <= n && (size_t)(r + 7) * out + 4 <= total; r += 8) {
        /* eight chains: enough to cover the adder's latency */
        const double *x = X + (size_t)r * in;
        lrs_v4d a0 = zero, a1 = zero, a2 = zero, a3 = zero;
        lrs_v4d a4 = zero, a5 = zero, a6 = zero, a7 = zero;
        for (int k = 0; k < in; k++) {
            const lrs_v4d w = LOAD4(work + (size_t)k * 4);
            MADD4(a0, x[k], w);
            MADD4(a1, x[in + k], w);
            MADD4(a2, x[2 * in + k], w);
            MADD4(a3, x[3 * in + k], w);
            MADD4(a4, x[4 * in + k], w);
            MADD4(a5, x[5 * in + k], w);
            MADD4(a6, x[6 * in + k], w);
            MADD4(a7, x[7 * in + k], w);
        }
        if (with_bias) {
            a0 = a0 + bias, a1 = a1 + bias, a2 = a2 + bias, a3 = a3 + bias;
            a4 = a4 + bias, a5 = a5 + bias, a6 = a6 + bias, a7 = a7 + bias;
        }
        double *y = Y + (size_t)r * out;
        STORE4(y, a0), STORE4(y + out, a1), STORE4(y + 2 * out, a2), STORE4(y + 3 * out, a3);
        STORE4(y + 4 * out, a4), STORE4(y + 5 * out, a5);
        STORE4(y + 6 * out, a6), STORE4(y + 7 * out, a7);
    }
    return r;
}

LRS_INLINE void fwd_narrow_body(int fused, int n, int in, int out, const double *X,
                                const double *W, const double *b, double *Y, double *work)
{
    for (int k = 0; k < in; k++)
        for (int o = 0; o < 4; o++)
            work[(size_t)k * 4 + o] = o < out ? W[(size_t)o * in + k] : 0.0;
    double bias4[4] = {0, 0, 0, 0};
    for (int o = 0; b && o < out; o++)
        bias4[o] = b[o];
    const lrs_v4d bias = LOAD4(bias4);
    /* without a bias nothing is added: 0 + −0 would turn −0 into +0 */
    int r = b ? narrow_blocks(fused, n, in, out, X, work, bias4, 1, Y)
              : narrow_blocks(fused, n, in, out, X, work, bias4, 0, Y);
    size_t total = (size_t)n * out;
    for (; r < n; r++) {
        const double *x = X + (size_t)r * in;
        lrs_v4d acc = {0, 0, 0, 0};
        for (int k = 0; k < in; k++)
            MADD4(acc, x[k], LOAD4(work + (size_t)k * 4));
        if (b)
            acc = acc + bias;
        double *y = Y + (size_t)r * out;
        if ((size_t)r * out + 4 <= total) {
            STORE4(y, acc);
        } else {
            for (int o = 0; o < out; o++)
                y[o] = acc[o];
        }
    }
}

LRS_FUSED_VARIANTS(fwd_narrow,
                   (int n, int in, int out, const double *X, const double *W, const double *b,
                    double *Y, double *work),
                   n, in, out, X, W, b, Y, work)

void lrs_linear_fwd_blocked(int n, int in, int out, const double *X, const double *W,
                            const double *b, double *Y, double *work)
{
    if (out < 4) {
        fwd_narrow(n, in, out, X, W, b, Y, work);
        return;
    }
    /* work = Wᵀ (in × out), so that vector tiles read B along rows */
    for (int o = 0; o < out; o++)
        for (int k = 0; k < in; k++)
            work[(size_t)k * out + o] = W[(size_t)o * in + k];
    gemm_blocked(n, out, in, X, in, 1, work, out, 1, Y, out);
    if (b) {
        for (int r = 0; r < n; r++) {
            double *y = Y + (size_t)r * out;
            for (int o = 0; o < out; o++)
                y[o] = y[o] + b[o];
        }
    }
}

void lrs_linear_bwd_w_blocked(int n, int in, int out, const double *dY, const double *X,
                              double *dW, double *db)
{
    /* A = dYᵀ read in place: A(o, r) = dY[r·out + o] */
    gemm_blocked(out, in, n, dY, 1, out, X, in, 1, dW, in);
    if (db)
        lrs_column_sums(n, out, dY, db);
}

void lrs_linear_bwd_x_blocked(int n, int in, int out, const double *dY, const double *W,
                              double *dX)
{
    gemm_blocked(n, in, out, dY, out, 1, W, in, 1, dX, in);
}
