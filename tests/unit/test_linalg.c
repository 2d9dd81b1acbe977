/* test_linalg.c — the register-tiled and CBLAS kernels against the naive
 * reference kernels on random and edge shapes (one row, one column, every
 * remainder of the 4-row and 8/4-column tiles, k beyond one 256-deep slab),
 * the naive kernels against a product worked out by hand, and relu.
 *
 * The tiled kernels sum each element in the naive order, so they must agree
 * bit for bit; CBLAS to rounding (1e-12 relative). */
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
    size_t nx = (size_t)n * in, nw = (size_t)out * in, ny = (size_t)n * out;
    double *X = random_matrix(rng, nx), *W = random_matrix(rng, nw);
    double *b = random_matrix(rng, (size_t)out), *dY = random_matrix(rng, ny);
    double *work = random_matrix(rng, (size_t)in * (out < 4 ? 4 : out));   /* the contract's size */
    double *ref = random_matrix(rng, nx + ny + nw), *got = random_matrix(rng, nx + ny + nw);
    double *ref_b = random_matrix(rng, (size_t)out), *got_b = random_matrix(rng, (size_t)out);

    for (int with_bias = 0; with_bias < 2; with_bias++) {
        const double *bias = with_bias ? b : NULL;
        lrs_linear_fwd_naive(n, in, out, X, W, bias, ref);
        lrs_linear_fwd_blocked(n, in, out, X, W, bias, got, work);
        worst->tiled = fmax(worst->tiled, worst_diff(got, ref, ny));
        lrs_linear_fwd_blas(n, in, out, X, W, bias, got);
        worst->blas = fmax(worst->blas, worst_diff(got, ref, ny));
        lrs_linear_fwd(n, in, out, X, W, bias, got, work);
        worst->blas = fmax(worst->blas, worst_diff(got, ref, ny));
    }

    lrs_linear_bwd_w_naive(n, in, out, dY, X, ref, ref_b);
    lrs_linear_bwd_w_blocked(n, in, out, dY, X, got, got_b);
    worst->tiled = fmax(worst->tiled, worst_diff(got, ref, nw));
    worst->tiled = fmax(worst->tiled, worst_diff(got_b, ref_b, (size_t)out));
    lrs_linear_bwd_w_blas(n, in, out, dY, X, got, got_b);
    worst->blas = fmax(worst->blas, worst_diff(got, ref, nw));
    worst->blas = fmax(worst->blas, worst_diff(got_b, ref_b, (size_t)out));
    lrs_linear_bwd_w(n, in, out, dY, X, got, NULL);
    worst->blas = fmax(worst->blas, worst_diff(got, ref, nw));

    lrs_linear_bwd_x_naive(n, in, out, dY, W, ref);
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
    printf("  %d shapes: worst relative diff, tiled vs naive %.3e (must be 0), "
           "CBLAS vs naive %.3e\n", shapes, worst.tiled, worst.blas);
    if (!(worst.tiled == 0.0))
        fail_msg("tiled and naive kernels differ by %.3e", worst.tiled);
    if (!(worst.blas < 1e-12))
        fail_msg("CBLAS and naive kernels differ by %.3e", worst.blas);
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_kernels_agree),
        cmocka_unit_test(test_dispatch),
        cmocka_unit_test(test_relu),
        cmocka_unit_test(test_reductions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
