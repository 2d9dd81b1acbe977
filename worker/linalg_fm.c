/* linalg_fm.c — see linalg_fm.h.  The kernel body is one macro, written for
 * a vector of L lanes and instantiated per target, so that the three builds
 * cannot drift apart. */
#include "worker/linalg_fm.h"

#include <assert.h>
#include <stddef.h>
#include <string.h>
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
#include <immintrin.h>   /* the fused vector multiply-add */
#endif

#include "worker/linalg_vec.h"

/* ---- one linear layer under MSE, rows feature-major (see linalg_fm.h) ----
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
