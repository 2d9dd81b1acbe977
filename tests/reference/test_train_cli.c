/* test_train_cli.c — end-to-end reference test of `lrsweep train`: each
 * golden (written by gen_train.py with PyTorch + scikit-learn) holds the
 * argv of a trial; the test runs the command in-process with --json, parses
 * what it printed and compares every per-epoch mean, per-fold result and the
 * score with PyTorch's, within 1e-9 relative (gen_train_target.py adds a
 * regression target scaled by scikit-learn's TransformedTargetRegressor).
 * It prints the worst difference per golden and fails on any value outside
 * tolerance, any missing key, or a different number of epochs or folds.
 *
 * Run from tests/reference (ctest does): paths in the goldens are relative.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/cli.h"

#define REL_TOL 1e-9
#define ABS_FLOOR 1e-12   /* for values that are (near) zero */
#define MAX_ARGS 64

typedef struct worst {
    double rel;
    char where[128];
} worst_t;

/* Runs `train ARGS --json`, capturing stdout; returns the parsed object. */
static json_t *run_train_json(json_t *argv_json, int *status)
{
    char *argv[MAX_ARGS + 3];
    int argc = 0;
    argv[argc++] = "train";
    size_t i;
    json_t *word;
    json_array_foreach(argv_json, i, word)
    {
        assert_true(argc < MAX_ARGS);
        argv[argc++] = (char *)json_string_value(word);
    }
    argv[argc++] = "--json";
    argv[argc] = NULL;

    FILE *capture = tmpfile();
    assert_non_null(capture);
    fflush(stdout);
    int saved = dup(STDOUT_FILENO);
    assert_true(saved >= 0);
    assert_true(dup2(fileno(capture), STDOUT_FILENO) >= 0);
    *status = lrs_cmd_train(argc, argv);
    fflush(stdout);
    assert_true(dup2(saved, STDOUT_FILENO) >= 0);
    close(saved);

    rewind(capture);
    json_error_t jerr;
    json_t *out = json_loadf(capture, 0, &jerr);
    fclose(capture);
    if (!out)
        fail_msg("lrsweep train printed no JSON: %s (line %d)", jerr.text, jerr.line);
    return out;
}

static double number_of(json_t *obj, const char *key, const char *where)
{
    json_t *v = json_object_get(obj, key);
    if (!json_is_number(v))
        fail_msg("%s: key '%s' missing or not a number", where, key);
    return json_number_value(v);
}

static void compare(double got, double want, const char *what, int index, worst_t *w)
{
    double diff = fabs(got - want);
    double rel = diff / fmax(fabs(want), ABS_FLOOR);
    if (!(rel <= w->rel) || isnan(rel)) {
        w->rel = isnan(rel) ? INFINITY : rel;
        snprintf(w->where, sizeof w->where, "%s[%d]: got %.17g want %.17g", what, index, got, want);
    }
}

static void compare_key(json_t *got, json_t *want, const char *key, const char *what, int index,
                        worst_t *w)
{
    char where[64];
    snprintf(where, sizeof where, "%s[%d]", what, index);
    compare(number_of(got, key, where), number_of(want, key, "golden"), key, index, w);
}

static void check_golden(const char *path)
{
    json_error_t jerr;
    json_t *golden = json_load_file(path, 0, &jerr);
    if (!golden)
        fail_msg("%s: %s (line %d); regenerate with /usr/bin/python3 gen_train.py", path, jerr.text,
                 jerr.line);
    int status = -1;
    json_t *got = run_train_json(json_object_get(golden, "argv"), &status);
    assert_int_equal(status, 0);
    assert_string_equal(json_string_value(json_object_get(got, "status")), "complete");
    assert_true(json_is_null(json_object_get(got, "diverged_epoch")));
    assert_true(json_is_number(json_object_get(got, "seconds")));

    worst_t w = {0.0, "nothing compared"};
    compare(number_of(got, "score", "output"), number_of(golden, "score", "golden"), "score", 0, &w);
    compare(number_of(got, "score_std", "output"), number_of(golden, "score_std", "golden"),
            "score_std", 0, &w);

    json_t *gf = json_object_get(got, "folds"), *wf = json_object_get(golden, "folds");
    assert_int_equal(json_array_size(gf), json_array_size(wf));
    for (size_t i = 0; i < json_array_size(wf); i++) {
        json_t *g = json_array_get(gf, i), *x = json_array_get(wf, i);
        assert_int_equal(json_integer_value(json_object_get(g, "fold")), (json_int_t)i);
        compare_key(g, x, "train_loss", "folds", (int)i, &w);
        compare_key(g, x, "val_loss", "folds", (int)i, &w);
        if (json_object_get(x, "accuracy"))
            compare_key(g, x, "accuracy", "folds", (int)i, &w);
        else
            assert_null(json_object_get(g, "accuracy"));
    }

    json_t *ge = json_object_get(got, "epochs"), *we = json_object_get(golden, "epochs");
    assert_true(json_array_size(we) >= 50);
    assert_int_equal(json_array_size(ge), json_array_size(we));
    for (size_t i = 0; i < json_array_size(we); i++) {
        json_t *g = json_array_get(ge, i), *x = json_array_get(we, i);
        assert_int_equal(json_integer_value(json_object_get(g, "epoch")), (json_int_t)i + 1);
        compare_key(g, x, "lr", "epochs", (int)i, &w);
        compare_key(g, x, "train_loss", "epochs", (int)i, &w);
        compare_key(g, x, "val_loss", "epochs", (int)i, &w);
    }
    printf("%s: %zu epochs, %zu folds, worst relative difference %.3g at %s\n", path,
           json_array_size(we), json_array_size(wf), w.rel, w.where);
    if (!(w.rel <= REL_TOL))
        fail_msg("%s: difference %.3g exceeds %.0e at %s", path, w.rel, REL_TOL, w.where);
    json_decref(got);
    json_decref(golden);
}

static void test_linear_sgd_step(void **state)
{
    (void)state;
    check_golden("golden/train_linear_sgd_step.json");
}

static void test_mlp_adam_warmup_cosine(void **state)
{
    (void)state;
    check_golden("golden/train_mlp_adam_cosine.json");
}

static void test_holdout_adagrad_plateau(void **state)
{
    (void)state;
    check_golden("golden/train_holdout_adagrad_plateau.json");
}

/* The diabetes target standardized per training fold (gen_train_target.py:
 * sklearn's TransformedTargetRegressor + StandardScaler around PyTorch),
 * every loss in the target's units. */
static void test_standardized_target(void **state)
{
    (void)state;
    check_golden("golden/train_target_diabetes.json");
}

/* Two targets, each scaled by its own fold statistics; the loss is the mean
 * over outputs of each one's MSE in its units. */
static void test_standardized_two_targets(void **state)
{
    (void)state;
    check_golden("golden/train_target_two.json");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_linear_sgd_step),
        cmocka_unit_test(test_mlp_adam_warmup_cosine),
        cmocka_unit_test(test_holdout_adagrad_plateau),
        cmocka_unit_test(test_standardized_target),
        cmocka_unit_test(test_standardized_two_targets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
