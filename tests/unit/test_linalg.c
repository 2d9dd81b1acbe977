/* test_linalg.c — the register-tiled and CBLAS kernels against the naive
 * reference kernels on random and edge shapes (one row, one column, every
 * remainder of the 4-row and 8/4-column tiles, k beyond one 256-deep slab),
 * the naive kernels against a product worked out by hand, and relu.
 *
 * The reference is worker/linalg_ref.c's plain loops, with fma() where this
 * CPU's kernels fuse.  The naive and tiled kernels sum each element in its
 * order, so they must agree with it bit for bit; CBLAS to rounding (1e-12 relative).  The feature-major MSE
 * kernel (forward, loss and weight gradient in one pass) is checked in each
 * build the CPU runs against its naive twin, which is checked against the
 * row-major naive kernels; both to 1e-12 relative, as their sums run in
 * other orders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/rng.h"
#include "worker/linalg.h"
#include "worker/linalg_blocked.h"
#include "worker/linalg_elem.h"
#include "worker/linalg_fm.h"
#include "worker/linalg_ref.h"

/* Worst |a − b| / max(1, |b|) over count values; NaN if any is NaN. */
static double worst_diff(const double *a, const double *b, size_t count)
{
    double worst = 0.0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
        if (!(d <= worst))
            worst = d;
    }
    return worst;
}

static double *random_matrix(lrs_rng_t *rng, size_t count)
{
    double *m = malloc(count * sizeof *m + sizeof *m);
    assert_non_null(m);
    for (size_t i = 0; i < count; i++)
        m[i] = lrs_rng_normal(rng);
    return m;
}

static void test_hand_computed(void **state)
{
    (void)state;
    /* X (2 × 3), W (2 × 3), b (2): Y = X·Wᵀ + b */
    const double X[6] = {1, 2, 3, 4, 5, 6};
    const double W[6] = {1, 0, -1, 0.5, 0.5, 0.5};
    const double b[2] = {10, -1};
    double Y[4];
    lrs_linear_fwd_naive(2, 3, 2, X, W, b, Y);
    assert_true(Y[0] == 8.0 && Y[1] == 2.0 && Y[2] == 8.0 && Y[3] == 6.5);
    /* dY (2 × 2): dW = dYᵀ·X (2 × 3), db = column sums, dX = dY·W (2 × 3) */
    const double dY[4] = {1, 2, -1, 0};
    double dW[6], db[2], dX[6];
    lrs_linear_bwd_w_naive(2, 3, 2, dY, X, dW, db);
    const double dW_want[6] = {-3, -3, -3, 2, 4, 6};
    for (int i = 0; i < 6; i++)
        assert_true(dW[i] == dW_want[i]);
    assert_true(db[0] == 0.0 && db[1] == 2.0);
    lrs_linear_bwd_x_naive(2, 3, 2, dY, W, dX);
    const double dX_want[6] = {2, 1, 0, -1, 0, 1};
    for (int i = 0; i < 6; i++)
        assert_true(dX[i] == dX_want[i]);
}

typedef struct diffs {
    double tiled, blas;
} diffs_t;

/* Runs the three products of one (n, in, out) shape through every kernel. */
static void compare_shape(lrs_rng_t *rng, int n, int in, int out, diffs_t *worst)
{
    const int fused = lrs_linalg_fused();   /* the reference rounds as the fast kernels do */
    size_t nx = (size_t)n * in, nw = (size_t)out * in, ny = (size_t)n * out;
    double *X = random_matrix(rng, nx), *W = random_matrix(rng, nw);
    double *b = random_matrix(rng, (size_t)out), *dY = random_matrix(rng, ny);
    double *work = random_matrix(rng, (size_t)in * (out < 4 ? 4 : out));   /* the contract's size */
    double *ref = random_matrix(rng, nx + ny + nw), *got = random_matrix(rng, nx + ny + nw);
    double *ref_b = random_matrix(rng, (size_t)out), *got_b = random_matrix(rng, (size_t)out);

    for (int with_bias = 0; with_bias < 2; with_bias++) {
        const double *bias = with_bias ? b : NULL;
        lrs_ref_linear_fwd(fused, n, in, out, X, W, bias, ref);
        lrs_linear_fwd_naive(n, in, out, X, W, bias, got);
        worst->tiled = fmax(worst->tiled, worst_diff(got, ref, ny));
        lrs_linear_fwd_blocked(n, in, out, X, W, bias, got, work);
        worst->tiled = fmax(worst->tiled, worst_diff(got, ref, ny));
        lrs_linear_fwd_blas(n, in, out, X, W, bias, got);
        worst->blas = fmax(worst->blas, worst_diff(got, ref, ny));
        lrs_linear_fwd(n, in, out, X, W, bias, got, work);
        worst->blas = fmax(worst->blas, worst_diff(got, ref, ny));
    }

    lrs_ref_linear_bwd_w(fused, n, in, out, dY, X, ref, ref_b);
    lrs_linear_bwd_w_naive(n, in, out, dY, X, got, got_b);
    worst->tiled = fmax(worst->tiled, worst_diff(got, ref, nw));
    worst->tiled = fmax(worst->tiled, worst_diff(got_b, ref_b, (size_t)out));
    lrs_linear_bwd_w_blocked(n, in, out, dY, X, got, got_b);
    worst->tiled = fmax(worst->tiled, worst_diff(got, ref, nw));
    worst->tiled = fmax(worst->tiled, worst_diff(got_b, ref_b, (size_t)out));
    lrs_linear_bwd_w_blas(n, in, out, dY, X, got, got_b);
    worst->blas = fmax(worst->blas, worst_diff(got, ref, nw));
    worst->blas = fmax(worst->blas, worst_diff(got_b, ref_b, (size_t)out));
    lrs_linear_bwd_w(n, in, out, dY, X, got, NULL);
    worst->blas = fmax(worst->blas, worst_diff(got, ref, nw));

    lrs_ref_linear_bwd_x(fused, n, in, out, dY, W, ref);
    lrs_linear_bwd_x_naive(n, in, out, dY, W, got);
    worst->tiled = fmax(worst->tiled, worst_diff(got, ref, nx));
    lrs_linear_bwd_x_blocked(n, in, out, dY, W, got);
    worst->tiled = fmax(worst->tiled, worst_diff(got, ref, nx));
    lrs_linear_bwd_x_blas(n, in, out, dY, W, got);
    worst->blas = fmax(worst->blas, worst_diff(got, ref, nx));
    lrs_linear_bwd_x(n, in, out, dY, W, got);
    worst->blas = fmax(worst->blas, worst_diff(got, ref, nx));

    free(X), free(W), free(b), free(dY), free(work);
    free(ref), free(got), free(ref_b), free(got_b);
}

static void test_kernels_agree(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(42, 0, LRS_RNG_DATA));
    diffs_t worst = {0, 0};
    /* edges: single rows/columns, every tile remainder, k past one slab (256) */
    static const int fixed[][3] = {
        {1, 1, 1}, {1, 7, 3}, {9, 1, 5}, {6, 4, 1}, {100, 5, 3}, {100, 5, 1}, {5, 3, 100},
        {3, 300, 13}, {600, 9, 5}, {517, 12, 17}, {64, 64, 64}, {7, 8, 8}, {4, 16, 12},
        {2, 33, 4}, {3, 4, 2}, {257, 6, 9}, {2, 3, 1}, {1, 2, 2}, {3, 5, 3}, {13, 3, 2},
    };
    size_t n_fixed = sizeof fixed / sizeof fixed[0];
    int shapes = 0;
    for (size_t i = 0; i < n_fixed; i++, shapes++)
        compare_shape(&rng, fixed[i][0], fixed[i][1], fixed[i][2], &worst);
    for (int trial = 0; trial < 60; trial++, shapes++)
        compare_shape(&rng, 1 + (int)lrs_rng_below(&rng, 70), 1 + (int)lrs_rng_below(&rng, 70),
                      1 + (int)lrs_rng_below(&rng, 70), &worst);
    printf("  %d shapes (fused %d): worst relative diff, naive and tiled vs the reference loops "
           "%.3e (must be 0), CBLAS vs the reference %.3e\n", shapes, lrs_linalg_fused(),
           worst.tiled, worst.blas);
    if (!(worst.tiled == 0.0))
        fail_msg("naive or tiled kernels differ from the reference by %.3e", worst.tiled);
    if (!(worst.blas < 1e-12))
        fail_msg("CBLAS and the reference differ by %.3e", worst.blas);
}

static void test_dispatch(void **state)
{
    (void)state;
    /* tiny products run the naive loops, 64-wide layers anything but */
    assert_int_equal(lrs_linalg_kernel(10, 5, 3), LRS_KERNEL_NAIVE);
    assert_int_equal(lrs_linalg_kernel(1, 20, 3), LRS_KERNEL_NAIVE);
    assert_true(lrs_linalg_kernel(64, 64, 64) != LRS_KERNEL_NAIVE);
    assert_int_equal(lrs_linalg_kernel(64, 20, 3), LRS_KERNEL_BLOCKED);
    /* CBLAS only for large products with wide sides */
    assert_true(lrs_linalg_kernel(100000, 20, 1) != LRS_KERNEL_BLAS);
}

static void test_relu(void **state)
{
    (void)state;
    double y[11] = {-2, -0.0, 0.0, 1e-300, -1e-300, 3, NAN, -INFINITY, INFINITY, -1, 5};
    const double want[11] = {0, 0, 0, 1e-300, 0, 3, NAN, 0, INFINITY, 0, 5};
    lrs_relu_fwd(11, y);
    for (int i = 0; i < 11; i++) {
        if (isnan(want[i]))
            assert_true(isnan(y[i]));   /* NaN passes through, as in torch.relu */
        else
            assert_true(y[i] == want[i]);
    }
    const double a[9] = {0, 1, 0, 2, 0, 0, 3, 0, 4};
    double d[9] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    lrs_relu_bwd(9, a, d);
    const double d_want[9] = {0, 2, 0, 4, 0, 0, 7, 0, 9};
    assert_memory_equal(d, d_want, sizeof d);
}

/* The bias gradient (column sums) and the squared error sum in their own
 * orders; both must match plain sums to rounding, for every out ≤ 4 path and
 * row count remainder. */
static void test_reductions(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(43, 0, LRS_RNG_DATA));
    double worst = 0.0;
    for (int out = 1; out <= 6; out++) {
        for (int n = 1; n <= 41; n += 4) {
            double *dY = random_matrix(&rng, (size_t)n * out), *X = random_matrix(&rng, (size_t)n);
            double dW[6], db[6], grad[246];
            lrs_linear_bwd_w_naive(n, 1, out, dY, X, dW, db);
            for (int o = 0; o < out; o++) {
                double plain = 0.0;
                for (int r = 0; r < n; r++)
                    plain += dY[(size_t)r * out + o];
                worst = fmax(worst, fabs(db[o] - plain) / fmax(1.0, fabs(plain)));
            }
            size_t count = (size_t)n * out;
            double plain = 0.0;
            for (size_t i = 0; i < count; i++)
                plain += (dY[i] - 0.5) * (dY[i] - 0.5);
            double *half = random_matrix(&rng, count);
            for (size_t i = 0; i < count; i++)
                half[i] = 0.5;
            double sum = lrs_squared_error(count, dY, half, 3.0, grad);
            worst = fmax(worst, fabs(sum - plain) / plain);
            for (size_t i = 0; i < count; i++)
                assert_true(grad[i] == 3.0 * (dY[i] - 0.5));
            assert_true(lrs_squared_error(count, dY, half, 1.0, NULL) == sum);
            free(dY), free(X), free(half);
        }
    }
    printf("  column sums and squared error vs plain sums: worst relative diff %.3e\n", worst);
    if (!(worst < 1e-13))
        fail_msg("reductions differ from plain sums by %.3e", worst);
}

/* ---- the feature-major MSE kernel ---- */

/* Σ (z − y)², dW and db of one linear layer from row-major data through the
 * row-major naive kernels: the composition the fused kernel replaces. */
static double sse_row_major(int n, int in, int out, const double *X, const double *Y,
                            const double *W, const double *b, double scale, double *dW,
                            double *db)
{
    double *Z = malloc(((size_t)n * out + 1) * sizeof *Z);
    double *dZ = malloc(((size_t)n * out + 1) * sizeof *dZ);
    assert_non_null(Z);
    assert_non_null(dZ);
    lrs_linear_fwd_naive(n, in, out, X, W, b, Z);
    double sse = lrs_squared_error((size_t)n * out, Z, Y, scale, dZ);
    lrs_linear_bwd_w_naive(n, in, out, dZ, X, dW, db);
    free(Z), free(dZ);
    return sse;
}

typedef struct fm_worst {
    double naive;    /* feature-major reference vs row-major naive */
    double fast;     /* every available fast build vs feature-major reference */
    int builds;      /* fast builds run */
} fm_worst_t;

static double rel_diff(double a, double b) { return fabs(a - b) / fmax(1.0, fabs(b)); }

/* The larger of two differences; NaN when either is (fmax would drop it). */
static double worse(double a, double b) { return isnan(a) || isnan(b) ? NAN : fmax(a, b); }

/* Runs one (n, in, out) shape, with the padding of YT poisoned with NaN
 * (only XT's padding must be zero) and ld past the minimum when wide. */
static void compare_fm_shape(lrs_rng_t *rng, int n, int in, int out, int extra_ld,
                             fm_worst_t *worst)
{
    int ld = lrs_fm_ld(n) + extra_ld;
    assert_true(ld >= n && ld % LRS_FM_ROWS == 0);
    double *X = random_matrix(rng, (size_t)n * in), *Y = random_matrix(rng, (size_t)n * out);
    double *W = random_matrix(rng, (size_t)out * in), *b = random_matrix(rng, (size_t)out);
    double *XT = random_matrix(rng, (size_t)in * ld), *YT = random_matrix(rng, (size_t)out * ld);
    double *work = random_matrix(rng, lrs_fm_work_size(in, out));   /* garbage on entry */
    size_t nw = (size_t)out * in;
    double *ref_w = random_matrix(rng, nw), *got_w = random_matrix(rng, nw);
    double *fm_w = random_matrix(rng, nw);
    double ref_b[8], got_b[8], fm_b[8];
    lrs_rows_to_fm(n, in, X, ld, XT);
    lrs_rows_to_fm(n, out, Y, ld, YT);
    for (int k = 0; k < in; k++)
        for (int r = 0; r < n; r++)
            assert_true(XT[(size_t)k * ld + r] == X[(size_t)r * in + k]);
    for (int o = 0; o < out; o++)
        for (int r = n; r < ld; r++) {
            assert_true(YT[(size_t)o * ld + r] == 0.0);
            YT[(size_t)o * ld + r] = NAN;
        }
    double scale = 2.0 / ((double)n * out);

    for (int with_bias = 0; with_bias < 2; with_bias++) {
        const double *bias = with_bias ? b : NULL;
        double ref = sse_row_major(n, in, out, X, Y, W, bias, scale, ref_w, ref_b);
        double fm = lrs_ref_linear_sse_fm(lrs_linalg_fused(), n, ld, in, out, XT, YT, W, bias, scale, fm_w, fm_b);
        worst->naive = worse(worst->naive, rel_diff(fm, ref));
        worst->naive = worse(worst->naive, worst_diff(fm_w, ref_w, nw));
        if (with_bias)
            worst->naive = worse(worst->naive, worst_diff(fm_b, ref_b, (size_t)out));
        for (lrs_fm_build_t build = LRS_FM_AVX512; build <= LRS_FM_PLAIN; build++) {
            if (!lrs_fm_build_available(build))
                continue;
            worst->builds++;
            double got = lrs_linear_sse_fm_build(build, n, ld, in, out, XT, YT, W, bias, scale,
                                                 got_w, got_b, work);
            worst->fast = worse(worst->fast, rel_diff(got, fm));
            worst->fast = worse(worst->fast, worst_diff(got_w, fm_w, nw));
            worst->fast = worse(worst->fast, worst_diff(got_b, fm_b, (size_t)out));
            /* loss only: the same sum, gradients untouched */
            got_w[0] = 12345.0;
            double loss_only = lrs_linear_sse_fm_build(build, n, ld, in, out, XT, YT, W, bias,
                                                       scale, NULL, NULL, work);
            assert_true(got_w[0] == 12345.0);
            worst->fast = worse(worst->fast, rel_diff(loss_only, fm));
        }
        double dispatched = lrs_linear_sse_fm(n, ld, in, out, XT, YT, W, bias, scale, got_w,
                                              with_bias ? got_b : NULL, work);
        worst->fast = worse(worst->fast, rel_diff(dispatched, fm));
        worst->fast = worse(worst->fast, worst_diff(got_w, fm_w, nw));
    }
    free(X), free(Y), free(W), free(b), free(XT), free(YT), free(work);
    free(ref_w), free(got_w), free(fm_w);
}

/* The fused kernel in every build this CPU runs against its naive twin, and
 * the naive twin against the row-major kernels, on every remainder of the
 * 16- and 32-row blocks.  The fast builds sum in blocks and lanes and scale
 * the gradient once, so they agree to rounding only: 1e-12 relative. */
static void test_feature_major_agrees(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(44, 0, LRS_RNG_DATA));
    fm_worst_t worst = {0, 0, 0};
    static const int rows[] = {1, 3, 15, 16, 17, 31, 32, 33, 47, 64, 100, 400};
    int shapes = 0;
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        for (int in = 1; in <= 9; in += 2)
            for (int out = 1; out <= 5; out++, shapes++)
                compare_fm_shape(&rng, rows[i], in, out, out == 2 ? LRS_FM_ROWS : 0, &worst);
    compare_fm_shape(&rng, 517, 20, 3, 0, &worst);
    compare_fm_shape(&rng, 250, 64, 1, 0, &worst);
    shapes += 2;
    printf("  %d shapes, %d fast-build runs: worst relative diff, feature-major reference vs "
           "row-major naive %.3e, fast builds vs feature-major reference %.3e\n",
           shapes, worst.builds, worst.naive, worst.fast);
    assert_true(worst.builds >= 2 * shapes);
    if (!(worst.naive < 1e-12))
        fail_msg("feature-major reference and row-major kernels differ by %.3e", worst.naive);
    if (!(worst.fast < 1e-12))
        fail_msg("fast feature-major kernels differ from the naive one by %.3e", worst.fast);
}

/* A loss worked out by hand, and a NaN weight reaching the sum. */
static void test_feature_major_hand(void **state)
{
    (void)state;
    /* X (3 × 2) rows (1,2) (3,4) (5,6); W (1 × 2) = (1, −1), b = 0.5: z = x1 − x2 + 0.5
     * = −0.5 each; Y = (0, −0.5, 1): residuals −0.5, 0, −1.5; Σ d² = 2.5;
     * dW = s·Σ d·x = s·(−0.5 − 7.5, −1 − 9) = s·(−8, −10), db = s·(−2) */
    const double X[6] = {1, 2, 3, 4, 5, 6}, Y[3] = {0, -0.5, 1}, W[2] = {1, -1}, b[1] = {0.5};
    int ld = lrs_fm_ld(3);
    double *XT = calloc((size_t)ld * 2, sizeof *XT), *YT = calloc((size_t)ld, sizeof *YT);
    double *work = calloc(lrs_fm_work_size(2, 1), sizeof *work);
    assert_true(XT && YT && work);
    lrs_rows_to_fm(3, 2, X, ld, XT);
    lrs_rows_to_fm(3, 1, Y, ld, YT);
    double dW[2], db[1];
    for (lrs_fm_build_t build = LRS_FM_AVX512; build <= LRS_FM_PLAIN; build++) {
        if (!lrs_fm_build_available(build))
            continue;
        double sse = lrs_linear_sse_fm_build(build, 3, ld, 2, 1, XT, YT, W, b, 0.5, dW, db, work);
        assert_true(sse == 2.5);
        assert_true(dW[0] == -4.0 && dW[1] == -5.0 && db[0] == -1.0);
        const double W_nan[2] = {1, NAN};
        assert_true(isnan(lrs_linear_sse_fm_build(build, 3, ld, 2, 1, XT, YT, W_nan, b, 0.5,
                                                  NULL, NULL, work)));
    }
    assert_true(lrs_ref_linear_sse_fm(lrs_linalg_fused(), 3, ld, 2, 1, XT, YT, W, b, 0.5, dW, db) == 2.5);
    assert_true(dW[0] == -4.0 && dW[1] == -5.0 && db[0] == -1.0);
    assert_int_equal(lrs_fm_ld(0), LRS_FM_ROWS);
    assert_int_equal(lrs_fm_ld(32), 32);
    assert_int_equal(lrs_fm_ld(33), 64);
    free(XT), free(YT), free(work);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_kernels_agree),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_reductions),
        cmocka_unit_test(test_feature_major_agrees),
        cmocka_unit_test(test_feature_major_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
