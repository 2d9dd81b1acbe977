/* test_grad.c — finite-difference checks of the model's analytic gradients.
 *
 * For every layer type and loss (linear/MSE, linear/CE, MLPs with relu and
 * tanh under both losses), over several shapes with multiple outputs, each
 * parameter θ_i is nudged by ±h and (L(θ+h) − L(θ−h)) / 2h is compared with
 * the backprop gradient.  The relative error |a − f| / max(|a|, |f|, floor)
 * must stay below 1e-6.  The floor, 1e-3 × the largest gradient component,
 * keeps components that are zero (dead relu units) or tiny from being judged
 * on the finite difference's own rounding noise (≈ ε·L/h ≈ 1e-11 absolute).  Shapes include ones big
 * enough to take the register-tiled kernels, so both kernel paths are checked.
 */
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
#include "worker/model.h"

#define STEP 1e-5
#define FLOOR_FRACTION 1e-3
#define TOLERANCE 1e-6

typedef struct grad_case {
    const char *name;
    lrs_task_t task;
    int n_in, n_out, rows;
    int n_hidden;
    int hidden[3];
    lrs_activation_t activation;
    double init_scale;   /* multiplies the default init, to push units off their linear range */
    int stride;          /* check every stride-th parameter (0: all), for large models */
} grad_case_t;

/* Fills X (rows × n_in) with N(0,1) and Y with N(0,1) targets or class ids
 * covering every class. */
static void make_data(const grad_case_t *c, lrs_rng_t *rng, double *X, double *Y)
{
    for (int i = 0; i < c->rows * c->n_in; i++)
        X[i] = lrs_rng_normal(rng);
    if (c->task == LRS_TASK_REGRESSION) {
        for (int i = 0; i < c->rows * c->n_out; i++)
            Y[i] = lrs_rng_normal(rng);
    } else {
        for (int r = 0; r < c->rows; r++)
            Y[r] = (double)(r < c->n_out ? r : (int)lrs_rng_below(rng, (uint64_t)c->n_out));
    }
}

/* Returns the worst relative error over all parameters of case c. */
static double check_case(const grad_case_t *c, uint64_t seed)
{
    lrs_model_spec_t spec = {.task = c->task, .n_in = c->n_in, .n_out = c->n_out,
                             .n_hidden = c->n_hidden, .activation = c->activation};
    for (int i = 0; i < c->n_hidden; i++)
        spec.hidden[i] = c->hidden[i];
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_model_t *m = lrs_model_new(&spec, c->rows, &err);
    assert_non_null(m);
    /* cases named "(tiled)" run the register-tiled kernels, the others the
     * naive loops: make sure they do */
    int first_width = c->n_hidden > 0 ? c->hidden[0] : c->n_out;
    assert_int_equal(strstr(c->name, "(tiled)") != NULL,
                     lrs_linalg_kernel(c->rows, c->n_in, first_width) == LRS_KERNEL_BLOCKED);

    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_INIT));
    lrs_model_init_default(m, &rng);
    size_t P = lrs_model_param_count(m);
    double *theta = lrs_model_params(m);
    for (size_t i = 0; i < P; i++)
        theta[i] *= c->init_scale;

    int y_cols = c->task == LRS_TASK_REGRESSION ? c->n_out : 1;
    double *X = malloc(sizeof(double) * (size_t)c->rows * c->n_in);
    double *Y = malloc(sizeof(double) * (size_t)c->rows * y_cols);
    double *analytic = malloc(sizeof(double) * P);
    assert_non_null(X);
    assert_non_null(Y);
    assert_non_null(analytic);
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_DATA));
    make_data(c, &rng, X, Y);

    double loss = lrs_model_loss_grad(m, X, Y, c->rows);
    assert_true(isfinite(loss));
    memcpy(analytic, lrs_model_grads(m), sizeof(double) * P);
    /* the loss-only path agrees with the loss-and-gradient path */
    assert_true(fabs(lrs_model_loss(m, X, Y, c->rows, NULL) - loss) <= 1e-15 * fabs(loss));

    double worst = 0.0, largest = 0.0;
    for (size_t i = 0; i < P; i++)
        largest = fmax(largest, fabs(analytic[i]));
    double floor = FLOOR_FRACTION * largest;
    size_t step = c->stride > 1 ? (size_t)c->stride : 1;
    for (size_t i = 0; i < P; i += step) {
        double keep = theta[i];
        theta[i] = keep + STEP;
        double up = lrs_model_loss(m, X, Y, c->rows, NULL);
        theta[i] = keep - STEP;
        double down = lrs_model_loss(m, X, Y, c->rows, NULL);
        theta[i] = keep;
        double numeric = (up - down) / (2.0 * STEP);
        double scale = fmax(fmax(fabs(analytic[i]), fabs(numeric)), floor);
        double rel = fabs(analytic[i] - numeric) / scale;
        if (rel > worst)
            worst = rel;
    }
    printf("  %-32s params %4zu  loss %.6f  max|grad| %.3e  worst rel err %.3e\n", c->name, P,
           loss, largest, worst);
    /* a gradient of all zeros would pass trivially */
    assert_true(largest > 1e-3);

    free(X);
    free(Y);
    free(analytic);
    lrs_model_destroy(&m);
    assert_null(m);
    return worst;
}

static void run_cases(const grad_case_t *cases, size_t n_cases)
{
    for (size_t i = 0; i < n_cases; i++) {
        double worst = check_case(&cases[i], 1000 + i);
        if (!(worst < TOLERANCE))
            fail_msg("%s: relative gradient error %.3e >= %.0e", cases[i].name, worst, TOLERANCE);
    }
}

static void test_linear_mse(void **state)
{
    (void)state;
    const grad_case_t cases[] = {
        {"linear 5->3 mse", LRS_TASK_REGRESSION, 5, 3, 7, 0, {0}, LRS_ACT_RELU, 1.0, 0},
        {"linear 3->1 mse", LRS_TASK_REGRESSION, 3, 1, 4, 0, {0}, LRS_ACT_RELU, 1.0, 0},
        {"linear 1->1 mse, one row", LRS_TASK_REGRESSION, 1, 1, 1, 0, {0}, LRS_ACT_RELU, 1.0, 0},
        {"linear 24->12 mse (tiled)", LRS_TASK_REGRESSION, 24, 12, 40, 0, {0}, LRS_ACT_RELU, 1.0,
         0},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_linear_ce(void **state)
{
    (void)state;
    const grad_case_t cases[] = {
        {"logistic 4->3 ce", LRS_TASK_CLASSIFICATION, 4, 3, 9, 0, {0}, LRS_ACT_RELU, 1.0, 0},
        {"logistic 6->2 ce", LRS_TASK_CLASSIFICATION, 6, 2, 5, 0, {0}, LRS_ACT_RELU, 1.0, 0},
        {"logistic 3->7 ce", LRS_TASK_CLASSIFICATION, 3, 7, 12, 0, {0}, LRS_ACT_RELU, 3.0, 0},
        {"logistic 16->10 ce (tiled)", LRS_TASK_CLASSIFICATION, 16, 10, 64, 0, {0}, LRS_ACT_RELU,
         1.0, 0},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_mlp_relu(void **state)
{
    (void)state;
    const grad_case_t cases[] = {
        {"mlp relu 5-8-3 mse", LRS_TASK_REGRESSION, 5, 3, 10, 1, {8}, LRS_ACT_RELU, 1.0, 0},
        {"mlp relu 4-6-5-2 mse", LRS_TASK_REGRESSION, 4, 2, 6, 2, {6, 5}, LRS_ACT_RELU, 1.5, 0},
        {"mlp relu 5-8-3 ce", LRS_TASK_CLASSIFICATION, 5, 3, 10, 1, {8}, LRS_ACT_RELU, 1.0, 0},
        {"mlp relu 3-4-4-4-4 ce", LRS_TASK_CLASSIFICATION, 3, 4, 8, 3, {4, 4, 4}, LRS_ACT_RELU,
         2.0, 0},
        {"mlp relu 20-16-16-3 mse (tiled)", LRS_TASK_REGRESSION, 20, 3, 40, 2, {16, 16},
         LRS_ACT_RELU, 1.0, 0},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

static void test_mlp_tanh(void **state)
{
    (void)state;
    const grad_case_t cases[] = {
        {"mlp tanh 5-8-3 mse", LRS_TASK_REGRESSION, 5, 3, 10, 1, {8}, LRS_ACT_TANH, 2.0, 0},
        {"mlp tanh 2-3-3-1 mse", LRS_TASK_REGRESSION, 2, 1, 5, 2, {3, 3}, LRS_ACT_TANH, 2.0, 0},
        {"mlp tanh 4-6-3 ce", LRS_TASK_CLASSIFICATION, 4, 3, 9, 1, {6}, LRS_ACT_TANH, 2.0, 0},
        {"mlp tanh 6-5-4-5 ce", LRS_TASK_CLASSIFICATION, 6, 5, 11, 2, {5, 4}, LRS_ACT_TANH, 2.0, 0},
        {"mlp tanh 16-32-8 ce (tiled)", LRS_TASK_CLASSIFICATION, 16, 8, 48, 1, {32}, LRS_ACT_TANH,
         1.0, 0},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* A model whose middle product (64 × 64 × 64) is large enough for CBLAS
 * where OpenBLAS has a tuned kernel (the tiled kernel elsewhere); every 31st
 * parameter is checked, spread over all layers. */
static void test_large_mlp(void **state)
{
    (void)state;
    const grad_case_t cases[] = {
        {"mlp relu 24-64-64-3 (tiled)", LRS_TASK_REGRESSION, 24, 3, 64, 2, {64, 64}, LRS_ACT_RELU,
         1.0, 31},
        {"mlp tanh 24-64-64-5 ce (tiled)", LRS_TASK_CLASSIFICATION, 24, 5, 64, 2, {64, 64},
         LRS_ACT_TANH, 1.0, 31},
    };
    run_cases(cases, sizeof cases / sizeof cases[0]);
}

/* Cross-entropy stays finite and its gradient right when logits are huge:
 * the log-sum-exp is shifted by the row max. */
static void test_ce_large_logits(void **state)
{
    (void)state;
    lrs_model_spec_t spec = {.task = LRS_TASK_CLASSIFICATION, .n_in = 1, .n_out = 3};
    lrs_model_t *m = lrs_model_new(&spec, 2, NULL);
    assert_non_null(m);
    double *p = lrs_model_params(m);   /* W (3 × 1), b (3) */
    p[0] = 1000.0, p[1] = 0.0, p[2] = -1000.0;
    p[3] = p[4] = p[5] = 0.0;
    const double X[2] = {1.0, -1.0};
    const double Y[2] = {1.0, 2.0};
    /* row 0 logits (1000, 0, -1000), class 1: loss ≈ 1000; row 1 (-1000, 0, 1000), class 2: ≈ 0 */
    double loss = lrs_model_loss_grad(m, X, Y, 2);
    assert_true(isfinite(loss));
    assert_true(fabs(loss - 500.0) < 1e-9);
    const double *g = lrs_model_grads(m);
    /* dL/db = mean(softmax − onehot): row 0 (1, −1, 0), row 1 (0, 0, 0) → (0.5, −0.5, 0) */
    assert_true(fabs(g[3] - 0.5) < 1e-12 && fabs(g[4] + 0.5) < 1e-12 && fabs(g[5]) < 1e-12);
    int correct = -1;
    lrs_model_loss(m, X, Y, 2, &correct);
    assert_int_equal(correct, 1);
    lrs_model_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_mse),
        cmocka_unit_test(test_linear_ce),
        cmocka_unit_test(test_mlp_relu),
        cmocka_unit_test(test_mlp_tanh),
        cmocka_unit_test(test_large_mlp),
        cmocka_unit_test(test_ce_large_logits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
