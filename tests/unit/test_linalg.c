/* test_linalg.c — the CBLAS kernels against the naive reference kernels on
 * random shapes (including degenerate ones: one row, one column, a side of
 * 1), and the naive kernels against a hand-computed product. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "common/rng.h"
#include "worker/linalg.h"

/* Worst |a − b| / max(1, |b|) over count values. */
static double worst_diff(const double *a, const double *b, size_t count)
{
    double worst = 0.0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs(a[i] - b[i]) / fmax(1.0, fabs(b[i]));
        if (!(d <= worst))
            worst = d;   /* NaN sticks */
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

static void test_blas_matches_naive(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(42, 0, LRS_RNG_DATA));
    double worst = 0.0;
    int blas_shapes = 0;
    for (int trial = 0; trial < 60; trial++) {
        /* a few fixed degenerate shapes first, then random ones up to 70 */
        int n, in, out;
        if (trial < 4) {
            const int fixed[4][3] = {{1, 1, 1}, {1, 7, 3}, {9, 1, 5}, {6, 4, 1}};
            n = fixed[trial][0], in = fixed[trial][1], out = fixed[trial][2];
        } else {
            n = 1 + (int)lrs_rng_below(&rng, 70);
            in = 1 + (int)lrs_rng_below(&rng, 70);
            out = 1 + (int)lrs_rng_below(&rng, 70);
        }
        blas_shapes += lrs_linalg_use_blas(n, in, out);
        size_t nx = (size_t)n * in, nw = (size_t)out * in, ny = (size_t)n * out;
        double *X = random_matrix(&rng, nx), *W = random_matrix(&rng, nw);
        double *b = random_matrix(&rng, (size_t)out), *dY = random_matrix(&rng, ny);
        double *y1 = random_matrix(&rng, ny), *y2 = random_matrix(&rng, ny);
        double *w1 = random_matrix(&rng, nw), *w2 = random_matrix(&rng, nw);
        double *b1 = random_matrix(&rng, (size_t)out), *b2 = random_matrix(&rng, (size_t)out);
        double *x1 = random_matrix(&rng, nx), *x2 = random_matrix(&rng, nx);

        lrs_linear_fwd_naive(n, in, out, X, W, b, y1);
        lrs_linear_fwd_blas(n, in, out, X, W, b, y2);
        worst = fmax(worst, worst_diff(y2, y1, ny));
        lrs_linear_fwd_naive(n, in, out, X, W, NULL, y1);
        lrs_linear_fwd_blas(n, in, out, X, W, NULL, y2);
        worst = fmax(worst, worst_diff(y2, y1, ny));
        lrs_linear_fwd(n, in, out, X, W, b, y2);   /* the dispatcher, whichever path */
        lrs_linear_fwd_naive(n, in, out, X, W, b, y1);
        worst = fmax(worst, worst_diff(y2, y1, ny));

        lrs_linear_bwd_w_naive(n, in, out, dY, X, w1, b1);
        lrs_linear_bwd_w_blas(n, in, out, dY, X, w2, b2);
        worst = fmax(worst, worst_diff(w2, w1, nw));
        worst = fmax(worst, worst_diff(b2, b1, (size_t)out));
        lrs_linear_bwd_w(n, in, out, dY, X, w2, b2);
        worst = fmax(worst, worst_diff(w2, w1, nw));

        lrs_linear_bwd_x_naive(n, in, out, dY, W, x1);
        lrs_linear_bwd_x_blas(n, in, out, dY, W, x2);
        worst = fmax(worst, worst_diff(x2, x1, nx));
        lrs_linear_bwd_x(n, in, out, dY, W, x2);
        worst = fmax(worst, worst_diff(x2, x1, nx));

        free(X), free(W), free(b), free(dY), free(y1), free(y2);
        free(w1), free(w2), free(b1), free(b2), free(x1), free(x2);
    }
    printf("  60 shapes (%d on the CBLAS path when dispatched): worst relative diff %.3e\n",
           blas_shapes, worst);
    assert_true(blas_shapes > 10);
    if (!(worst < 1e-12))
        fail_msg("CBLAS and naive kernels differ by %.3e", worst);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hand_computed),
        cmocka_unit_test(test_blas_matches_naive),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
