/* test_importance.c — the report's parameter importance against SciPy and
 * NumPy.
 *
 * golden/importance.json (gen_importance.py) holds scipy.stats.spearmanr's ρ
 * over continuous values, ties in one and in both inputs, a monotone
 * transform and constant inputs (null: undefined), and η² from NumPy's
 * group means, with an absent group, one group only and a constant score.
 * lrsweep must agree within 1e-12 absolute, and be NaN exactly where the
 * golden is null.  The worst differences are printed.
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

#include "common/importance.h"

static json_t *golden;

static int setup(void **state)
{
    (void)state;
    json_error_t jerr;
    golden = json_load_file("golden/importance.json", 0, &jerr);
    if (!golden) {
        fprintf(stderr, "golden/importance.json:%d: %s (run /usr/bin/python3 gen_importance.py)\n",
                jerr.line, jerr.text);
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    json_decref(golden);
    return 0;
}

/* The numbers of array a, as a new array of n doubles. */
static double *numbers(const json_t *a, size_t *n)
{
    *n = json_array_size(a);
    double *v = malloc((*n ? *n : 1) * sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < *n; i++)
        v[i] = json_number_value(json_array_get(a, i));
    return v;
}

/* One comparison: got against the golden value want (JSON null: NaN). */
static double compare(const char *what, const char *name, double got, const json_t *want)
{
    if (json_is_null(want)) {
        if (!isnan(got))
            fail_msg("%s '%s': %.17g, the golden is undefined", what, name, got);
        return 0;
    }
    double d = fabs(got - json_number_value(want));
    if (d > 1e-12)
        fail_msg("%s '%s': %.17g, golden %.17g", what, name, got, json_number_value(want));
    return d;
}

static void test_spearman(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    double worst = 0;
    json_array_foreach(json_object_get(golden, "spearman"), i, c) {
        size_t nx, ny;
        double *x = numbers(json_object_get(c, "x"), &nx), *y = numbers(json_object_get(c, "y"), &ny);
        assert_int_equal(nx, ny);
        double d = compare("spearman", json_string_value(json_object_get(c, "name")),
                           lrs_spearman(nx, x, y), json_object_get(c, "rho"));
        worst = fmax(worst, d);
        free(x);
        free(y);
    }
    printf("spearman: %zu cases, worst difference %.3g\n", i, worst);
    assert_true(i >= 8);
    double two[] = {1, 2};
    assert_true(isnan(lrs_spearman(2, two, two)));   /* n < 3 */
}

static void test_eta_squared(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    double worst = 0;
    json_array_foreach(json_object_get(golden, "eta"), i, c) {
        size_t n, ng;
        double *y = numbers(json_object_get(c, "y"), &n);
        double *gd = numbers(json_object_get(c, "group"), &ng);
        int *g = malloc(ng * sizeof *g);
        assert_non_null(g);
        for (size_t k = 0; k < ng; k++)
            g[k] = (int)gd[k];
        double d = compare("eta squared", json_string_value(json_object_get(c, "name")),
                           lrs_eta_squared(n, g, (int)json_integer_value(json_object_get(c, "n_groups")), y),
                           json_object_get(c, "eta"));
        worst = fmax(worst, d);
        free(y);
        free(gd);
        free(g);
    }
    printf("eta squared: %zu cases, worst difference %.3g\n", i, worst);
    assert_true(i >= 6);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spearman),
        cmocka_unit_test(test_eta_squared),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
