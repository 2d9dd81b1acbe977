/* test_kept_rows.c — rows a model keeps for many passes (lrs_model_keep_rows):
 * the loss and gradient over kept rows must match lrs_model_loss_grad /
 * lrs_model_loss over the same rows passed directly, for the single
 * regression layers (up to 1024 weights) that keep a feature-major copy (to 1e-12 relative: the
 * fused kernel sums in another order) and for every other model, which reads
 * the rows in place (bit for bit).  Also: refilling a slot, bad slots and row
 * counts, and a copy that does not depend on the caller's buffer.  And chunked
 * passes (lrs_model_loss_grad_add, lrs_model_loss_add), whose sums over
 * chunks must match one pass over all rows. */
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
#include "worker/model.h"

static double *random_values(lrs_rng_t *rng, size_t count)
{
    double *v = malloc((count + 1) * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < count; i++)
        v[i] = lrs_rng_normal(rng);
    return v;
}

static double rel_diff(double a, double b)
{
    double d = fabs(a - b) / fmax(1.0, fabs(b));
    return isnan(d) ? INFINITY : d;
}

/* Worst relative difference between the kept-rows and direct loss,
 * gradient and validation loss of m over n rows (X, Y), slot by slot. */
static double compare_kept(lrs_model_t *m, const double *X, const double *Y, int n, int slot,
                           double *grads_direct)
{
    size_t P = lrs_model_param_count(m);
    assert_int_equal(lrs_model_keep_rows(m, slot, X, Y, n, NULL), 0);
    double direct = lrs_model_loss_grad(m, X, Y, n);
    memcpy(grads_direct, lrs_model_grads(m), P * sizeof *grads_direct);
    double kept = lrs_model_loss_grad_kept(m, slot);
    double worst = rel_diff(kept, direct);
    for (size_t i = 0; i < P; i++)
        worst = fmax(worst, rel_diff(lrs_model_grads(m)[i], grads_direct[i]));
    int c_direct = -1, c_kept = -2;
    double val_direct = lrs_model_loss(m, X, Y, n, &c_direct);
    double val_kept = lrs_model_loss_kept(m, slot, &c_kept);
    assert_int_equal(c_kept, c_direct);
    return fmax(worst, rel_diff(val_kept, val_direct));
}

/* One model of spec over n rows: both slots, then a refill with fewer rows. */
static double check_spec(const lrs_model_spec_t *spec, int n, lrs_rng_t *rng)
{
    lrs_err_t err;
    lrs_model_t *m = lrs_model_new(spec, n, &err);
    assert_non_null(m);
    lrs_model_init_default(m, rng);
    size_t P = lrs_model_param_count(m);
    double *X = random_values(rng, (size_t)n * spec->n_in);
    double *Y = random_values(rng, (size_t)n * spec->n_out);
    if (spec->task == LRS_TASK_CLASSIFICATION)
        for (int r = 0; r < n; r++)
            Y[r] = (double)lrs_rng_below(rng, (uint32_t)spec->n_out);
    double *grads = malloc(P * sizeof *grads);
    assert_non_null(grads);
    double worst = compare_kept(m, X, Y, n, 0, grads);
    int y_width = spec->task == LRS_TASK_CLASSIFICATION ? 1 : spec->n_out;
    worst = fmax(worst, compare_kept(m, X + spec->n_in, Y + y_width, n - 1, 1, grads));
    worst = fmax(worst, compare_kept(m, X, Y, n / 3 + 1, 0, grads));
    lrs_model_destroy(&m);
    free(X), free(Y), free(grads);
    return worst;
}

static void test_kept_matches_direct(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(7, 0, LRS_RNG_DATA));
    double narrow = 0.0, other = 0.0;
    int n_narrow = 0;
    /* single regression layers up to 1024 weights: the feature-major path */
    static const int shapes[][3] = {{400, 5, 3}, {100, 5, 3}, {37, 1, 1}, {65, 8, 8},
                                    {250, 64, 1}, {33, 20, 3}, {2, 3, 4}, {40, 30, 5},
                                    {20, 32, 32}};
    for (size_t i = 0; i < sizeof shapes / sizeof shapes[0]; i++, n_narrow++) {
        lrs_model_spec_t spec = {.task = LRS_TASK_REGRESSION, .n_in = shapes[i][1],
                                 .n_out = shapes[i][2]};
        narrow = fmax(narrow, check_spec(&spec, shapes[i][0], &rng));
    }
    /* everything else reads the rows in place */
    lrs_model_spec_t wide = {.task = LRS_TASK_REGRESSION, .n_in = 40, .n_out = 30};
    lrs_model_spec_t mlp = {.task = LRS_TASK_REGRESSION, .n_in = 5, .n_out = 2, .n_hidden = 2,
                            .hidden = {8, 4}, .activation = LRS_ACT_TANH};
    lrs_model_spec_t logistic = {.task = LRS_TASK_CLASSIFICATION, .n_in = 4, .n_out = 3};
    other = fmax(other, check_spec(&wide, 50, &rng));
    other = fmax(other, check_spec(&mlp, 50, &rng));
    other = fmax(other, check_spec(&logistic, 50, &rng));
    printf("  kept vs direct rows: worst relative diff %.3e over %d single-layer regressions, "
           "%.3e over the others (must be 0)\n", narrow, n_narrow, other);
    if (!(narrow < 1e-12))
        fail_msg("kept rows differ from direct rows by %.3e on single-layer regressions", narrow);
    if (!(other == 0.0))
        fail_msg("kept rows differ from direct rows by %.3e on models read in place", other);
}

/* The feature-major copy is taken at keep time: later changes to the
 * caller's buffer do not reach it, and a refill picks them up. */
static void test_copy_taken_at_keep(void **state)
{
    (void)state;
    lrs_model_spec_t spec = {.task = LRS_TASK_REGRESSION, .n_in = 2, .n_out = 1};
    lrs_model_t *m = lrs_model_new(&spec, 4, NULL);
    assert_non_null(m);
    double *p = lrs_model_params(m);
    p[0] = 1.0, p[1] = -1.0, p[2] = 0.5;   /* z = x1 − x2 + 0.5 */
    double X[6] = {1, 2, 3, 4, 5, 6}, Y[3] = {0, -0.5, 1};
    assert_int_equal(lrs_model_keep_rows(m, 1, X, Y, 3, NULL), 0);
    /* residuals −0.5, 0, −1.5: MSE 2.5 / 3 */
    double want = 2.5 / 3.0;
    assert_true(fabs(lrs_model_loss_kept(m, 1, NULL) - want) < 1e-15);
    Y[0] = 100.0;
    assert_true(fabs(lrs_model_loss_kept(m, 1, NULL) - want) < 1e-15);
    assert_int_equal(lrs_model_keep_rows(m, 1, X, Y, 3, NULL), 0);
    assert_true(lrs_model_loss_kept(m, 1, NULL) > 1000.0);
    /* zero rows: NaN, and a zero gradient */
    assert_int_equal(lrs_model_keep_rows(m, 0, X, Y, 0, NULL), 0);
    assert_true(isnan(lrs_model_loss_grad_kept(m, 0)));
    for (size_t i = 0; i < lrs_model_param_count(m); i++)
        assert_true(lrs_model_grads(m)[i] == 0.0);
    lrs_model_destroy(&m);
}

/* Chunked passes (lrs_model_loss_grad_add, lrs_model_loss_add): chunks of
 * uneven sizes covering n rows sum to the loss, gradient and hit count of
 * one direct pass over all n, to 1e-12 relative.  The model holds only a
 * chunk (max_rows = 16); a second model of n rows gives the direct values. */
static double check_chunks(const lrs_model_spec_t *spec, int n, lrs_rng_t *rng)
{
    lrs_model_t *whole = lrs_model_new(spec, n, NULL), *part = lrs_model_new(spec, 16, NULL);
    assert_non_null(whole);
    assert_non_null(part);
    lrs_model_init_default(whole, rng);
    size_t P = lrs_model_param_count(whole);
    memcpy(lrs_model_params(part), lrs_model_params(whole), P * sizeof(double));
    double *X = random_values(rng, (size_t)n * spec->n_in);
    double *Y = random_values(rng, (size_t)n * spec->n_out);
    int y_width = spec->task == LRS_TASK_CLASSIFICATION ? 1 : spec->n_out;
    if (spec->task == LRS_TASK_CLASSIFICATION)
        for (int r = 0; r < n; r++)
            Y[r] = (double)lrs_rng_below(rng, (uint32_t)spec->n_out);
    double direct = lrs_model_loss_grad(whole, X, Y, n);
    int hits_direct = 0;
    double val_direct = lrs_model_loss(whole, X, Y, n, &hits_direct);

    lrs_model_zero_grads(part);
    double loss = 0.0, val = 0.0;
    int hits = 0;
    for (int start = 0, size = 1; start < n; start += size, size = size * 7 % 16 + 1) {
        int rows = n - start < size ? n - start : size;
        const double *x = X + (size_t)start * spec->n_in, *y = Y + (size_t)start * y_width;
        int h = -1;
        loss += lrs_model_loss_grad_add(part, x, y, rows, n);
        val += lrs_model_loss_add(part, x, y, rows, n, &h);
        hits += h;
    }
    assert_int_equal(hits, spec->task == LRS_TASK_CLASSIFICATION ? hits_direct : 0);
    double worst = fmax(rel_diff(loss, direct), rel_diff(val, val_direct));
    for (size_t i = 0; i < P; i++)
        worst = fmax(worst, rel_diff(lrs_model_grads(part)[i], lrs_model_grads(whole)[i]));
    /* A bad class id is NaN and leaves the gradient as it was. */
    if (spec->task == LRS_TASK_CLASSIFICATION) {
        double before = lrs_model_grads(part)[0];
        Y[0] = -1.0;
        assert_true(isnan(lrs_model_loss_grad_add(part, X, Y, 2, n)));
        assert_true(isnan(lrs_model_loss_add(part, X, Y, 2, n, NULL)));
        assert_true(lrs_model_grads(part)[0] == before);
    }
    lrs_model_destroy(&whole);
    lrs_model_destroy(&part);
    free(X), free(Y);
    return worst;
}

static void test_chunks_sum_to_direct(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(8, 0, LRS_RNG_DATA));
    lrs_model_spec_t narrow = {.task = LRS_TASK_REGRESSION, .n_in = 5, .n_out = 3};
    lrs_model_spec_t wide = {.task = LRS_TASK_REGRESSION, .n_in = 40, .n_out = 30};
    lrs_model_spec_t mlp = {.task = LRS_TASK_REGRESSION, .n_in = 5, .n_out = 2, .n_hidden = 2,
                            .hidden = {8, 4}, .activation = LRS_ACT_RELU};
    lrs_model_spec_t logistic = {.task = LRS_TASK_CLASSIFICATION, .n_in = 4, .n_out = 3};
    lrs_model_spec_t mlp_cls = {.task = LRS_TASK_CLASSIFICATION, .n_in = 3, .n_out = 4,
                                .n_hidden = 1, .hidden = {6}, .activation = LRS_ACT_TANH};
    double worst = 0.0;
    worst = fmax(worst, check_chunks(&narrow, 203, &rng));   /* feature-major chunks */
    worst = fmax(worst, check_chunks(&wide, 61, &rng));
    worst = fmax(worst, check_chunks(&mlp, 97, &rng));
    worst = fmax(worst, check_chunks(&logistic, 88, &rng));
    worst = fmax(worst, check_chunks(&mlp_cls, 50, &rng));
    printf("  chunks vs one pass: worst relative diff %.3e (limit 1e-12)\n", worst);
    if (!(worst < 1e-12))
        fail_msg("chunked passes differ from one pass by %.3e", worst);
}

static void test_keep_rows_errors(void **state)
{
    (void)state;
    lrs_err_t err;
    lrs_model_spec_t spec = {.task = LRS_TASK_REGRESSION, .n_in = 2, .n_out = 1};
    lrs_model_t *m = lrs_model_new(&spec, 4, NULL);
    assert_non_null(m);
    double X[10] = {0}, Y[5] = {0};
    assert_int_equal(lrs_model_keep_rows(m, LRS_MODEL_SLOTS, X, Y, 2, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "slot"));
    assert_int_equal(lrs_model_keep_rows(m, -1, X, Y, 2, &err), -1);
    assert_int_equal(lrs_model_keep_rows(m, 0, X, Y, 5, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "room for 4"));
    assert_int_equal(lrs_model_keep_rows(m, 0, X, Y, -1, &err), -1);
    lrs_model_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kept_matches_direct),
        cmocka_unit_test(test_copy_taken_at_keep),
        cmocka_unit_test(test_keep_rows_errors),
        cmocka_unit_test(test_chunks_sum_to_direct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
