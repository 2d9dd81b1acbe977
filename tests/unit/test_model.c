/* test_model.c — model construction, nn.Linear default initialisation, the
 * --init JSON loader (and every one of its error messages), parameter
 * layout, and losses on inputs worked out by hand. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rng.h"
#include "worker/model.h"

static const lrs_model_spec_t mlp_spec = {
    .task = LRS_TASK_REGRESSION, .n_in = 3, .n_out = 2, .n_hidden = 1, .hidden = {4},
    .activation = LRS_ACT_RELU};

/* Writes text to a fresh temporary file; returns its path (static buffer). */
static const char *write_temp(const char *text)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/lrs_test_model_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
    return path;
}

static void test_new_rejects_bad_specs(void **state)
{
    (void)state;
    lrs_err_t err;
    lrs_model_spec_t s = mlp_spec;
    s.n_in = 0;
    assert_null(lrs_model_new(&s, 10, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    s = mlp_spec;
    s.n_hidden = LRS_MAX_HIDDEN + 1;
    assert_null(lrs_model_new(&s, 10, &err));
    assert_non_null(strstr(err.msg, "hidden"));
    s = mlp_spec;
    s.hidden[0] = 0;
    assert_null(lrs_model_new(&s, 10, &err));
    assert_non_null(strstr(err.msg, "width"));
    assert_null(lrs_model_new(&mlp_spec, 0, &err));
    assert_non_null(strstr(err.msg, "max_rows"));
    lrs_model_destroy(NULL);
}

static void test_param_layout(void **state)
{
    (void)state;
    lrs_model_t *m = lrs_model_new(&mlp_spec, 5, NULL);
    assert_non_null(m);
    /* W0 (4 × 3) + b0 (4) + W1 (2 × 4) + b1 (2) */
    assert_int_equal(lrs_model_param_count(m), 12 + 4 + 8 + 2);
    const double *p = lrs_model_params(m);
    for (size_t i = 0; i < lrs_model_param_count(m); i++)
        assert_true(p[i] == 0.0);   /* parameters start at zero */
    assert_true(lrs_model_grads(m) != p);
    lrs_model_destroy(&m);
    assert_null(m);
}

static void test_default_init(void **state)
{
    (void)state;
    lrs_model_spec_t s = mlp_spec;
    s.n_in = 16, s.hidden[0] = 64;
    lrs_model_t *a = lrs_model_new(&s, 1, NULL), *b = lrs_model_new(&s, 1, NULL);
    assert_non_null(a);
    assert_non_null(b);
    lrs_rng_t ra, rb;
    lrs_rng_init(&ra, lrs_rng_key(5, 0, LRS_RNG_INIT));
    lrs_rng_init(&rb, lrs_rng_key(5, 0, LRS_RNG_INIT));
    lrs_model_init_default(a, &ra);
    lrs_model_init_default(b, &rb);
    size_t P = lrs_model_param_count(a);
    assert_memory_equal(lrs_model_params(a), lrs_model_params(b), P * sizeof(double));

    /* U(−1/√fan_in, 1/√fan_in), drawn W0, b0, W1, b1 in order from the stream */
    const double *p = lrs_model_params(a);
    lrs_rng_t replay;
    lrs_rng_init(&replay, lrs_rng_key(5, 0, LRS_RNG_INIT));
    size_t layer_end[2] = {64 * 16 + 64, P};
    double bound[2] = {1.0 / 4.0, 1.0 / 8.0};   /* fan_in 16, then 64 */
    double seen_max[2] = {0, 0};
    for (size_t i = 0, l = 0; i < P; i++) {
        if (i == layer_end[l])
            l++;
        double u = lrs_rng_uniform(&replay);
        assert_true(fabs(p[i] - (-bound[l] + 2.0 * bound[l] * u)) < 1e-15);
        assert_true(fabs(p[i]) <= bound[l]);
        seen_max[l] = fmax(seen_max[l], fabs(p[i]));
    }
    assert_true(seen_max[0] > 0.95 * bound[0] && seen_max[1] > 0.9 * bound[1]);

    /* a different stream gives different weights */
    lrs_rng_init(&rb, lrs_rng_key(6, 0, LRS_RNG_INIT));
    lrs_model_init_default(b, &rb);
    assert_true(memcmp(lrs_model_params(a), lrs_model_params(b), P * sizeof(double)) != 0);
    lrs_model_destroy(&a);
    lrs_model_destroy(&b);
}

static void test_load_init(void **state)
{
    (void)state;
    lrs_model_t *m = lrs_model_new(&mlp_spec, 5, NULL);
    assert_non_null(m);
    const char *path = write_temp(
        "{\"layers\": [\n"
        "  {\"weight\": [[1, 2, 3], [4, 5, 6], [7, 8, 9], [10, 11, 12]],\n"
        "   \"bias\": [13, 14, 15, 16]},\n"
        "  {\"weight\": [[17, 18, 19, 20], [21, 22, 23, 24.5]], \"bias\": [-25, 2e-3]}\n"
        "]}\n");
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_model_load_init(m, path, &err), 0);
    unlink(path);
    const double *p = lrs_model_params(m);
    for (int i = 0; i < 23; i++)
        assert_true(p[i] == (double)(i + 1));
    assert_true(p[23] == 24.5 && p[24] == -25.0 && p[25] == 2e-3);
    lrs_model_destroy(&m);
}

/* Each malformed file is refused with a usage error whose message contains
 * `want`, and leaves the parameters as they were. */
static void expect_load_error(const char *text, const char *want)
{
    lrs_model_t *m = lrs_model_new(&mlp_spec, 5, NULL);
    assert_non_null(m);
    lrs_model_params(m)[0] = 42.0;
    const char *path = text ? write_temp(text) : "/nonexistent/init.json";
    lrs_err_t err;
    lrs_err_clear(&err);
    int rc = lrs_model_load_init(m, path, &err);
    if (text)
        unlink(path);
    printf("  %s\n", err.msg);
    assert_int_equal(rc, -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, path));
    if (!strstr(err.msg, want))
        fail_msg("message \"%s\" does not contain \"%s\"", err.msg, want);
    assert_true(lrs_model_params(m)[0] == 42.0);
    lrs_model_destroy(&m);
}

static void test_load_init_errors(void **state)
{
    (void)state;
    const char *w0 = "{\"weight\": [[1,2,3],[4,5,6],[7,8,9],[10,11,12]], \"bias\": [1,2,3,4]}";
    char text[512];
    expect_load_error(NULL, "/nonexistent/init.json");
    /* a syntax error on line 2 */
    expect_load_error("{\"layers\": [\n  {\"weight\": [[1, 2,]]}\n]}", ":2:");
    expect_load_error("[1, 2]", "\"layers\"");
    expect_load_error("{\"layers\": {}}", "\"layers\"");
    snprintf(text, sizeof text, "{\"layers\": [%s]}", w0);
    expect_load_error(text, "2 layers, the file has 1");
    snprintf(text, sizeof text, "{\"layers\": [%s, 7]}", w0);
    expect_load_error(text, "layers[1]: expected an object");
    snprintf(text, sizeof text, "{\"layers\": [%s, {\"weight\": [[1,2,3,4],[1,2,3,4]]}]}", w0);
    expect_load_error(text, "layers[1]: missing field \"bias\"");
    snprintf(text, sizeof text, "{\"layers\": [%s, {\"bias\": [1, 2]}]}", w0);
    expect_load_error(text, "layers[1]: missing field \"weight\"");
    snprintf(text, sizeof text,
             "{\"layers\": [%s, {\"weight\": [[1,2,3,4]], \"bias\": [1, 2]}]}", w0);
    expect_load_error(text, "layers[1].weight: expected 2 rows");
    snprintf(text, sizeof text,
             "{\"layers\": [%s, {\"weight\": [[1,2,3,4],[1,2,3]], \"bias\": [1, 2]}]}", w0);
    expect_load_error(text, "layers[1].weight[1]: expected 4 numbers, found 3");
    snprintf(text, sizeof text,
             "{\"layers\": [%s, {\"weight\": [[1,2,3,4],[1,2,\"x\",4]], \"bias\": [1, 2]}]}", w0);
    expect_load_error(text, "layers[1].weight[1][2]: expected a number");
    snprintf(text, sizeof text,
             "{\"layers\": [%s, {\"weight\": [[1,2,3,4],[1,2,3,4]], \"bias\": [1, null]}]}", w0);
    expect_load_error(text, "layers[1].bias[1]: expected a number");
    snprintf(text, sizeof text,
             "{\"layers\": [%s, {\"weight\": [[1,2,3,4],[1,2,3,4]], \"bias\": 3}]}", w0);
    expect_load_error(text, "layers[1].bias: expected an array of 2 numbers");
    snprintf(text, sizeof text, "{\"layers\": [%s, {\"weight\": {}, \"bias\": [1, 2]}]}", w0);
    expect_load_error(text, "layers[1].weight: expected an array of 2 rows");
}

static void test_losses_by_hand(void **state)
{
    (void)state;
    /* regression, identity-like 2 → 2: out = X·Wᵀ + b with W = I, b = (1, 0) */
    lrs_model_spec_t s = {.task = LRS_TASK_REGRESSION, .n_in = 2, .n_out = 2};
    lrs_model_t *m = lrs_model_new(&s, 3, NULL);
    assert_non_null(m);
    double *p = lrs_model_params(m);
    p[0] = 1, p[1] = 0, p[2] = 0, p[3] = 1, p[4] = 1, p[5] = 0;
    const double X[4] = {1, 2, 3, 4};
    const double Y[4] = {2, 2, 4, 6};   /* out (2, 2), (4, 4): squared errors 0, 0, 0, 4 */
    assert_true(fabs(lrs_model_loss(m, X, Y, 2, NULL) - 1.0) < 1e-15);
    assert_true(fabs(lrs_model_loss_grad(m, X, Y, 2) - 1.0) < 1e-15);
    /* dL/db = 2·mean residual per output over 4 values: (0, −4/4) */
    assert_true(fabs(lrs_model_grads(m)[4]) < 1e-15);
    assert_true(fabs(lrs_model_grads(m)[5] + 1.0) < 1e-15);
    lrs_model_destroy(&m);

    /* classification with zero weights: every row has loss log(3); argmax is class 0 */
    lrs_model_spec_t c = {.task = LRS_TASK_CLASSIFICATION, .n_in = 2, .n_out = 3};
    m = lrs_model_new(&c, 3, NULL);
    assert_non_null(m);
    const double Xc[6] = {1, 2, 3, 4, 5, 6};
    const double Yc[3] = {0, 2, 0};
    int correct = -1;
    assert_true(fabs(lrs_model_loss(m, Xc, Yc, 3, &correct) - log(3.0)) < 1e-15);
    assert_int_equal(correct, 2);
    /* a class id outside 0..2 (or not an integer) gives NaN, never a wild read */
    const double bad[3] = {0, 3, 0}, frac[3] = {0, 1.5, 0};
    assert_true(isnan(lrs_model_loss(m, Xc, bad, 3, NULL)));
    assert_true(isnan(lrs_model_loss_grad(m, Xc, frac, 3)));
    lrs_model_destroy(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_new_rejects_bad_specs),
        cmocka_unit_test(test_param_layout),
        cmocka_unit_test(test_default_init),
        cmocka_unit_test(test_load_init),
        cmocka_unit_test(test_load_init_errors),
        cmocka_unit_test(test_losses_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
