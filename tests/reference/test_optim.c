/* test_optim.c — the engine's models and optimizers against PyTorch.
 *
 * golden/optim_<model>.json (written by gen_optim.py with torch in float64)
 * holds a 40-row data set, the initial weights (golden/optim_<model>_init.json,
 * in --init format) and, per case, lrsweep trial words, optionally an LR per
 * epoch, the forward loss before each of 60 full-batch steps and the final
 * parameters.  This test drives lrs_model_* and lrs_optim_* directly through
 * the same epochs and requires every loss and every final parameter to agree
 * to 1e-9 relative (parameters: relative to max(|torch value|, 1e-6)).
 * Each case then runs a second time on the same optimizer after
 * lrs_optim_reset and must reproduce the first run bit for bit.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/params.h"
#include "worker/model.h"
#include "worker/optim.h"

#define TOLERANCE 1e-9
#define PARAM_FLOOR 1e-6

/* Copies a JSON array of numbers (or of rows of numbers, flattened) into a
 * fresh buffer of exactly `count` doubles; fails the test on a shape mismatch. */
static double *read_doubles(const json_t *arr, size_t count)
{
    double *out = malloc((count + 1) * sizeof *out);
    assert_non_null(out);
    size_t k = 0;
    assert_true(json_is_array(arr));
    for (size_t i = 0; i < json_array_size(arr); i++) {
        const json_t *v = json_array_get(arr, i);
        if (json_is_array(v)) {
            for (size_t j = 0; j < json_array_size(v); j++) {
                assert_true(k < count);
                assert_true(json_is_number(json_array_get(v, j)));
                out[k++] = json_number_value(json_array_get(v, j));
            }
        } else {
            assert_true(k < count);
            assert_true(json_is_number(v));
            out[k++] = json_number_value(v);
        }
    }
    assert_int_equal(k, count);
    return out;
}

typedef struct golden {
    json_t *root;
    lrs_model_spec_t spec;
    int rows, epochs;
    double *X, *Y;
    char init_path[256];
} golden_t;

static void load_golden(const char *path, golden_t *g)
{
    json_error_t jerr;
    memset(g, 0, sizeof *g);
    g->root = json_load_file(path, 0, &jerr);
    if (!g->root)
        fail_msg("%s:%d:%d: %s (run gen_optim.py?)", path, jerr.line, jerr.column, jerr.text);
    const json_t *model = json_object_get(g->root, "model");
    assert_non_null(model);
    const char *task = json_string_value(json_object_get(model, "task"));
    assert_non_null(task);
    g->spec.task = strcmp(task, "regression") == 0 ? LRS_TASK_REGRESSION : LRS_TASK_CLASSIFICATION;
    g->spec.n_in = (int)json_integer_value(json_object_get(model, "n_in"));
    g->spec.n_out = (int)json_integer_value(json_object_get(model, "n_out"));
    const json_t *hidden = json_object_get(model, "hidden");
    g->spec.n_hidden = (int)json_array_size(hidden);
    assert_true(g->spec.n_hidden <= LRS_MAX_HIDDEN);
    for (int i = 0; i < g->spec.n_hidden; i++)
        g->spec.hidden[i] = (int)json_integer_value(json_array_get(hidden, (size_t)i));
    const char *act = json_string_value(json_object_get(model, "activation"));
    g->spec.activation = act && strcmp(act, "tanh") == 0 ? LRS_ACT_TANH : LRS_ACT_RELU;
    g->rows = (int)json_integer_value(json_object_get(g->root, "rows"));
    g->epochs = (int)json_integer_value(json_object_get(g->root, "epochs"));
    assert_true(g->rows > 0 && g->epochs >= 60);
    g->X = read_doubles(json_object_get(g->root, "X"), (size_t)g->rows * g->spec.n_in);
    size_t y_count = (size_t)g->rows * (g->spec.task == LRS_TASK_REGRESSION ? g->spec.n_out : 1);
    g->Y = read_doubles(json_object_get(g->root, "Y"), y_count);
    const char *init = json_string_value(json_object_get(g->root, "init"));
    assert_non_null(init);
    snprintf(g->init_path, sizeof g->init_path, "golden/%s", init);
}

static void free_golden(golden_t *g)
{
    free(g->X);
    free(g->Y);
    json_decref(g->root);
}

/* The finalized optimizer config from a case's trial words. */
static lrs_optim_cfg_t case_config(const json_t *words, const char *case_name)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_trial_cfg_init(&cfg);
    for (size_t i = 0; i < json_array_size(words); i++) {
        const char *word = json_string_value(json_array_get(words, i));
        assert_non_null(word);
        if (lrs_trial_cfg_assign(&cfg, word, &err) < 0)
            fail_msg("%s: %s: %s", case_name, word, err.msg);
    }
    if (lrs_trial_cfg_finalize(&cfg, &err) < 0)
        fail_msg("%s: finalize: %s", case_name, err.msg);
    return cfg.optim;
}

/* Trains from the golden init for g->epochs full-batch epochs; the worst
 * relative loss difference goes to *loss_diff (when golden_loss is given). */
static void train(const golden_t *g, lrs_model_t *m, lrs_optim_t *o, double base_lr,
                  const double *lrs, const double *golden_loss, double *loss_diff)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_model_load_init(m, g->init_path, &err) < 0)
        fail_msg("%s", err.msg);
    double worst = 0.0;
    for (int e = 0; e < g->epochs; e++) {
        double loss = lrs_model_loss_grad(m, g->X, g->Y, g->rows);
        if (golden_loss) {
            double d = fabs(loss - golden_loss[e]) / fabs(golden_loss[e]);
            if (!(d <= worst))
                worst = d;
        }
        lrs_optim_step(o, lrs_model_params(m), lrs_model_grads(m), lrs ? lrs[e] : base_lr);
    }
    if (loss_diff)
        *loss_diff = worst;
}

static void run_golden(const char *path)
{
    golden_t g;
    load_golden(path, &g);
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_model_t *m = lrs_model_new(&g.spec, g.rows, &err);
    if (!m)
        fail_msg("%s", err.msg);
    size_t P = lrs_model_param_count(m);
    const json_t *cases = json_object_get(g.root, "cases");
    assert_true(json_array_size(cases) > 0);
    double *first_run = malloc(P * sizeof *first_run);
    assert_non_null(first_run);
    int failures = 0;
    printf("%s (%zu parameters)\n", path, P);
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *jc = json_array_get(cases, c);
        const char *name = json_string_value(json_object_get(jc, "name"));
        assert_non_null(name);
        lrs_optim_cfg_t cfg = case_config(json_object_get(jc, "words"), name);
        double *loss = read_doubles(json_object_get(jc, "loss"), (size_t)g.epochs);
        double *final = read_doubles(json_object_get(jc, "final"), P);
        const json_t *jlrs = json_object_get(jc, "lrs");
        double *lrs = jlrs ? read_doubles(jlrs, (size_t)g.epochs) : NULL;

        lrs_optim_t *o = lrs_optim_new(&cfg, P, &err);
        if (!o)
            fail_msg("%s: %s", name, err.msg);
        double loss_diff = 0.0, param_diff = 0.0;
        train(&g, m, o, cfg.lr, lrs, loss, &loss_diff);
        const double *p = lrs_model_params(m);
        for (size_t i = 0; i < P; i++) {
            double d = fabs(p[i] - final[i]) / fmax(fabs(final[i]), PARAM_FLOOR);
            if (!(d <= param_diff))
                param_diff = d;
        }
        memcpy(first_run, p, P * sizeof *p);
        lrs_optim_reset(o);
        train(&g, m, o, cfg.lr, lrs, NULL, NULL);
        int reset_same = memcmp(first_run, lrs_model_params(m), P * sizeof *p) == 0;

        int ok = loss_diff < TOLERANCE && param_diff < TOLERANCE && reset_same;
        printf("  %-30s loss %.6f -> %.6f  worst rel diff: loss %.2e, params %.2e%s%s\n", name,
               loss[0], loss[g.epochs - 1], loss_diff, param_diff,
               reset_same ? "" : "  RESET DIFFERS", ok ? "" : "  FAIL");
        failures += !ok;
        lrs_optim_destroy(&o);
        free(loss);
        free(final);
        free(lrs);
    }
    free(first_run);
    lrs_model_destroy(&m);
    free_golden(&g);
    if (failures)
        fail_msg("%s: %d case(s) differ from PyTorch by more than %.0e", path, failures,
                 TOLERANCE);
}

static void test_linear_regression(void **state)
{
    (void)state;
    run_golden("golden/optim_linreg.json");
}

static void test_logistic(void **state)
{
    (void)state;
    run_golden("golden/optim_logistic.json");
}

static void test_mlp_relu(void **state)
{
    (void)state;
    run_golden("golden/optim_mlp_relu.json");
}

static void test_mlp_tanh(void **state)
{
    (void)state;
    run_golden("golden/optim_mlp_tanh.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_regression),
        cmocka_unit_test(test_logistic),
        cmocka_unit_test(test_mlp_relu),
        cmocka_unit_test(test_mlp_tanh),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
