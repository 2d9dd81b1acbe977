/* linalg.c — see linalg.h.  Three kernels per product: naive loops (the
 * reference), register-tiled loops on 4-lane vectors (GCC vector extensions,
 * so one source serves SSE2, AVX2 and AVX2+FMA builds picked at run time),
 * and single cblas_dgemm calls.  Which one runs is decided by size, and for
 * CBLAS by whether OpenBLAS has a kernel tuned for the CPU.  At the end, the
 * fused feature-major MSE kernel, built for AVX-512, AVX2+FMA and plain
 * targets from one macro-written body. */
#include "worker/linalg.h"

#include <assert.h>
#include <cblas.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>   /* the fused vector multiply-add of the feature-major kernel */
#endif

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

/* ---- the blocked kernel: C (M × N) = A · B, row-major, register-tiled ----
 *
 * A(i, k) = A[i·ars + k·aks], so one kernel serves A and Aᵀ; B(k, j) =
 * B[k·bks + j] is read along rows.  Each 4 × 8 tile of C is accumulated in
 * eight 4-wide vectors over k in the natural order (acc = acc + a·b), so
 * every element is summed exactly as the naive loops sum it, with the same
 * rounding (see "Fused multiply-add" below): the kernels agree bit for bit,
 * whatever vector width the compiler picks. */

#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__)) && defined(__has_attribute)
#if __has_attribute(target_clones)
#define LRS_VECTOR_CLONES __attribute__((target_clones("avx2", "default")))
#endif
#endif
#ifndef LRS_VECTOR_CLONES
#define LRS_VECTOR_CLONES
#endif

/* Fused multiply-add.  Where the CPU has AVX2 + FMA, every kernel (naive ones
 * included) runs a copy of its body built for avx2+fma whose multiply-adds
 * are explicit fma() (fused: one rounding); elsewhere a copy whose a·b + c
 * rounds twice.  The compiler may not contract a·b + c by itself in this file,
 * so the choice is ours alone, and all kernels agree bit for bit on a given
 * machine whatever the optimisation level (test_linalg checks it). */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#elif defined(__GNUC__)
#pragma GCC optimize("fp-contract=off")
#endif
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define LRS_FMA_TARGET __attribute__((target("avx2,fma")))
#define LRS_FMA_AVAILABLE() (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
#else
#define LRS_FMA_TARGET
#define LRS_FMA_AVAILABLE() 0
#endif

int lrs_linalg_fused(void) { return LRS_FMA_AVAILABLE(); }

/* Defines name(params) running name##_body(fused, args…) built for avx2+fma
 * with fused = 1 where the CPU has both, else built plain (and cloned for
 * AVX2 without FMA) with fused = 0.  Every kernel goes through this. */
#define LRS_FUSED_VARIANTS(name, params, ...)                                                \
    LRS_FMA_TARGET static void name##_fused params { name##_body(1, __VA_ARGS__); }          \
    LRS_VECTOR_CLONES static void name##_unfused params { name##_body(0, __VA_ARGS__); }     \
    static void name params                                                                  \
    {                                                                                        \
        if (LRS_FMA_AVAILABLE())                                                             \
            name##_fused(__VA_ARGS__);                                                       \
        else                                                                                 \
            name##_unfused(__VA_ARGS__);                                                     \
    }

/* c ← c + a·b for a scalar c, and for a 4-lane vector c and b with a scalar
 * a: fused (one rounding) when the variable `fused` is set, a constant in
 * every build variant.  Compilers turn the four lane fma()s into one vector
 * instruction from -O2 on. */
#define MADD1(c, a, b) ((c) = fused ? __builtin_fma((a), (b), (c)) : (c) + (a) * (b))
#define MADD4(c, a, b)                                                                       \
    do {                                                                                     \
        const double a_ = (a);                                                               \
        const lrs_v4d b_ = (b);                                                              \
        if (fused) {                                                                         \
            lrs_v4d r_ = {__builtin_fma(a_, b_[0], (c)[0]), __builtin_fma(a_, b_[1], (c)[1]),  \
                          __builtin_fma(a_, b_[2], (c)[2]), __builtin_fma(a_, b_[3], (c)[3])}; \
            (c) = r_;                                                                        \
        } else {                                                                             \
            (c) = (c) + a_ * b_;                                                             \
        }                                                                                    \
    } while (0)

/* Inlined into each build variant of the kernel that calls it. */
#define LRS_INLINE static inline __attribute__((always_inline))

typedef double lrs_v4d __attribute__((vector_size(32), aligned(8), may_alias));

#define LRS_TILE_K 256   /* k-slab: keeps the B rows a slab touches in L1/L2 */

/* Macros, not functions: a 32-byte vector may not cross a call in the default
 * (SSE) ABI. */
#define LOAD4(p) (*(const lrs_v4d *)(p))
#define STORE4(p, v) (*(lrs_v4d *)(p) = (v))

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
        column_sums(n, out, dY, db);
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
        column_sums(n, out, dY, db);
}

void lrs_linear_bwd_w_blocked(int n, int in, int out, const double *dY, const double *X,
                              double *dW, double *db)
{
    /* A = dYᵀ read in place: A(o, r) = dY[r·out + o] */
    gemm_blocked(out, in, n, dY, 1, out, X, in, 1, dW, in);
    if (db)
        column_sums(n, out, dY, db);
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

void lrs_linear_bwd_x_blocked(int n, int in, int out, const double *dY, const double *W,
                              double *dX)
{
    gemm_blocked(n, in, out, dY, out, 1, W, in, 1, dX, in);
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

/* ---- relu, forward and backward, branch-free (the sign of a unit is a coin
 * toss, which branch predictors lose) ---- */

typedef long long lrs_v4l __attribute__((vector_size(32), aligned(8), may_alias));

/* Exported functions are plain wrappers around cloned static ones: clang 14
 * gives a cloned function's dispatcher a suffixed name other files cannot
 * link against. */
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

/* ---- squared error ---- */

void lrs_relu_bwd(size_t count, const double *a, double *d) { relu_bwd(count, a, d); }

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

/* ---- one linear layer under MSE, rows feature-major (see linalg.h) ----
 *
 * Rows go in blocks of four vectors (16 rows of 4 lanes, or 32 of 8).  Per
 * block and output o: z = b_o + Σ_k W[o,k]·x_k over the four vectors side by
 * side, the residual d = z − y, Σ d² into two running vectors, and with a
 * gradient Σ d and Σ d·x_k into one partial-sum vector per (o, k) kept in
 * work, reduced across lanes at the end, where the gradient is scaled once.
 * The last block's lanes past n are masked off bitwise (a padding row's
 * residual is b_o, not 0).  The body is written once for a vector type of
 * L lanes and instantiated for 8 lanes (AVX-512) and 4 (AVX2, or SSE2 pairs):
 * GCC keeps a vector wider than the target's registers in memory, so each
 * build gets its native width. */

typedef double lrs_v8d __attribute__((vector_size(64), aligned(8), may_alias));
typedef long long lrs_v8l __attribute__((vector_size(64), aligned(8), may_alias));

#define LOADV(type, p) (*(const type *)(p))
#define STOREV(type, p, v) (*(type *)(p) = (v))

/* c ← c + a·b for whole vectors: fused through the instruction itself where
 * the build has it (lane-by-lane fma() calls, as in MADD4, are not reliably
 * turned into vector instructions for these shapes), else rounded twice. */
#define MADDV_PLAIN(c, a, b) ((c) = (c) + (a) * (b))
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#define LRS_HAVE_X86_FMA 1
#define LRS_AVX512_TARGET __attribute__((target("avx512f,avx2,fma")))
#define LRS_AVX512_AVAILABLE() (__builtin_cpu_supports("avx512f") && LRS_FMA_AVAILABLE())
#define MADDV_FMA4(c, a, b)                                                                  \
    ((c) = (lrs_v4d)_mm256_fmadd_pd((__m256d)(a), (__m256d)(b), (__m256d)(c)))
#define MADDV_FMA8(c, a, b)                                                                  \
    ((c) = (lrs_v8d)_mm512_fmadd_pd((__m512d)(a), (__m512d)(b), (__m512d)(c)))
#endif

int lrs_fm_ld(int n)
{
    return n <= 0 ? LRS_FM_ROWS : (n + LRS_FM_ROWS - 1) / LRS_FM_ROWS * LRS_FM_ROWS;
}

size_t lrs_fm_work_size(int in, int out) { return (size_t)out * ((size_t)in + 1) * 8; }

void lrs_rows_to_fm(int n, int cols, const double *A, int ld, double *AT)
{
    for (int c = 0; c < cols; c++) {
        double *at = AT + (size_t)c * ld;
        for (int r = 0; r < n; r++)
            at[r] = A[(size_t)r * cols + c];
        for (int r = n; r < ld; r++)
            at[r] = 0.0;
    }
}

/* Defines NAME(n, ld, in, out, XT, YT, W, b, scale, dW, db, work, sse) for
 * vectors VEC of L lanes (MASK: the matching integer vector, MADDV its
 * multiply-add, LANE_SUM its sum across lanes), built with the function
 * attributes ATTR.  XT (in × ld), YT (out × ld), W (out × in), b (out); work
 * holds the (o, k) partial sums of Σ d·x_k, then the out partial sums of
 * Σ d, L lanes each. */
#define DEFINE_SSE_FM(NAME, ATTR, VEC, MASK, L, MADDV, LANE_SUM)                             \
    ATTR static void NAME(int n, int ld, int in, int out, const double *XT,                  \
                         const double *YT, const double *W, const double *b, double scale,   \
                         double *dW, double *db, double *work, double *sse)                  \
    {                                                                                        \
        const VEC zero = {0};                                                                \
        MASK lane = {0};                                                                     \
        for (int l = 0; l < (L); l++)                                                        \
            lane[l] = l;                                                                     \
        const int grad = dW != NULL;                                                         \
        double *bias_sums = work + (size_t)out * in * (L);                                   \
        if (grad)                                                                            \
            memset(work, 0, (size_t)out * ((size_t)in + 1) * (L) * sizeof *work);            \
        VEC loss_a = zero, loss_b = zero;                                                    \
        for (int r0 = 0; r0 < n; r0 += 4 * (L)) {                                            \
            const int partial = n - r0 < 4 * (L);                                            \
            const MASK left = (MASK){0} + (long long)(n - r0);                               \
            const MASK m0 = lane < left, m1 = lane + (L) < left;                             \
            const MASK m2 = lane + 2 * (L) < left, m3 = lane + 3 * (L) < left;               \
            for (int o = 0; o < out; o++) {                                                  \
                /* z = b_o + Σ_k W[o,k]·x_k for rows r0 .. r0 + 4L − 1 */                    \
                VEC d0 = (b ? b[o] : 0.0) - zero, d1 = d0, d2 = d0, d3 = d0;                 \
                const double *w = W + (size_t)o * in;                                        \
                for (int k = 0; k < in; k++) {                                               \
                    const double *x = XT + (size_t)k * ld + r0;                              \
                    const VEC wk = w[k] - zero; /* a splat: x − 0 is x, −0 included */       \
                    MADDV(d0, wk, LOADV(VEC, x));                                            \
                    MADDV(d1, wk, LOADV(VEC, x + (L)));                                      \
                    MADDV(d2, wk, LOADV(VEC, x + 2 * (L)));                                  \
                    MADDV(d3, wk, LOADV(VEC, x + 3 * (L)));                                  \
                }                                                                            \
                const double *y = YT + (size_t)o * ld + r0;                                  \
                d0 = d0 - LOADV(VEC, y), d1 = d1 - LOADV(VEC, y + (L));                      \
                d2 = d2 - LOADV(VEC, y + 2 * (L)), d3 = d3 - LOADV(VEC, y + 3 * (L));        \
                if (partial) {                                                               \
                    d0 = (VEC)((MASK)d0 & m0), d1 = (VEC)((MASK)d1 & m1);                    \
                    d2 = (VEC)((MASK)d2 & m2), d3 = (VEC)((MASK)d3 & m3);                    \
                }                                                                            \
                MADDV(loss_a, d0, d0);                                                       \
                MADDV(loss_b, d1, d1);                                                       \
                MADDV(loss_a, d2, d2);                                                       \
                MADDV(loss_b, d3, d3);                                                       \
                if (!grad)                                                                   \
                    continue;                                                                \
                double *bs = bias_sums + (size_t)o * (L);                                    \
                STOREV(VEC, bs, LOADV(VEC, bs) + ((d0 + d1) + (d2 + d3)));                   \
                for (int k = 0; k < in; k++) {                                               \
                    const double *x = XT + (size_t)k * ld + r0;                              \
                    double *g = work + ((size_t)o * in + k) * (L);                           \
                    VEC acc = LOADV(VEC, g);                                                 \
                    MADDV(acc, d0, LOADV(VEC, x));                                           \
                    MADDV(acc, d1, LOADV(VEC, x + (L)));                                     \
                    MADDV(acc, d2, LOADV(VEC, x + 2 * (L)));                                 \
                    MADDV(acc, d3, LOADV(VEC, x + 3 * (L)));                                 \
                    STOREV(VEC, g, acc);                                                     \
                }                                                                            \
            }                                                                                \
        }                                                                                    \
        *sse = LANE_SUM(loss_a) + LANE_SUM(loss_b);                                          \
        if (!grad)                                                                           \
            return;                                                                          \
        for (size_t i = 0; i < (size_t)out * in; i++)                                        \
            dW[i] = scale * LANE_SUM(LOADV(VEC, work + i * (L)));                            \
        for (int o = 0; db && o < out; o++)                                                  \
            db[o] = scale * LANE_SUM(LOADV(VEC, bias_sums + (size_t)o * (L)));               \
    }

/* Σ of a vector's lanes, pairwise. */
#define LANE_SUM4(v) (((v)[0] + (v)[2]) + ((v)[1] + (v)[3]))
#define LANE_SUM8(v)                                                                         \
    ((((v)[0] + (v)[4]) + ((v)[2] + (v)[6])) + (((v)[1] + (v)[5]) + ((v)[3] + (v)[7])))

#define SSE_FM_ARGS n, ld, in, out, XT, YT, W, b, scale, dW, db, work, sse

#ifdef LRS_HAVE_X86_FMA
DEFINE_SSE_FM(sse_fm_avx512, LRS_AVX512_TARGET, lrs_v8d, lrs_v8l, 8, MADDV_FMA8, LANE_SUM8)
DEFINE_SSE_FM(sse_fm_avx2, LRS_FMA_TARGET, lrs_v4d, lrs_v4l, 4, MADDV_FMA4, LANE_SUM4)
#endif
DEFINE_SSE_FM(sse_fm_plain, LRS_VECTOR_CLONES, lrs_v4d, lrs_v4l, 4, MADDV_PLAIN, LANE_SUM4)

int lrs_fm_build_available(lrs_fm_build_t build)
{
    switch (build) {
    case LRS_FM_AVX512:
        return LRS_AVX512_AVAILABLE();
    case LRS_FM_AVX2:
        return LRS_FMA_AVAILABLE();
    case LRS_FM_PLAIN:
        return 1;
    }
    return 0;
}

double lrs_linear_sse_fm_build(lrs_fm_build_t build, int n, int ld, int in, int out,
                               const double *XT, const double *YT, const double *W,
                               const double *b, double scale, double *dW, double *db,
                               double *work)
{
    assert(lrs_fm_build_available(build));
    double total = 0.0, *sse = &total;
    switch (build) {
#ifdef LRS_HAVE_X86_FMA
    case LRS_FM_AVX512:
        sse_fm_avx512(SSE_FM_ARGS);
        break;
    case LRS_FM_AVX2:
        sse_fm_avx2(SSE_FM_ARGS);
        break;
#endif
    default:
        sse_fm_plain(SSE_FM_ARGS);
        break;
    }
    return total;
}

double lrs_linear_sse_fm(int n, int ld, int in, int out, const double *XT, const double *YT,
                         const double *W, const double *b, double scale, double *dW, double *db,
                         double *work)
{
    lrs_fm_build_t build = LRS_AVX512_AVAILABLE() ? LRS_FM_AVX512
                           : LRS_FMA_AVAILABLE()  ? LRS_FM_AVX2
                                                  : LRS_FM_PLAIN;
    return lrs_linear_sse_fm_build(build, n, ld, in, out, XT, YT, W, b, scale, dW, db, work);
}
