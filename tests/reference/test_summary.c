/* test_summary.c — `summary --by PARAM`'s groups against numpy.
 *
 * golden/summary.json (gen_summary.py) holds fixed lists of recorded trials
 * (value, status, score) and the groups numpy gives them: bin edges from
 * numpy.geomspace / numpy.linspace (declared range, widened to the values;
 * the observed range when none is declared; one bin for one value), each
 * value in the last bin whose low edge is ≤ it, or one group per value of
 * a categorical parameter ranked best first; the counts, and the best,
 * numpy.percentile 25/50/75 and IQR of the complete scores.
 * lrs_summary_group_values must give the same labels and counts exactly
 * and the numbers within 1e-12 relative (an edge's 10^y can differ from
 * numpy's by an ulp); the worst difference is printed.
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

#include "coordinator/summary.h"

static json_t *golden;

static int setup(void **state)
{
    (void)state;
    json_error_t jerr;
    golden = json_load_file("golden/summary.json", 0, &jerr);
    if (!golden) {
        fprintf(stderr, "golden/summary.json:%d: %s (run /usr/bin/python3 gen_summary.py)\n",
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

/* A golden number, NaN for null. */
static double num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

static int64_t count(const json_t *o, const char *key)
{
    return json_integer_value(json_object_get(o, key));
}

/* Relative difference; 0 when both are NaN, inf when only one is. */
static double rel(double got, double want)
{
    if (isnan(got) || isnan(want))
        return isnan(got) && isnan(want) ? 0 : INFINITY;
    return got == want ? 0 : fabs(got - want) / fmax(1e-300, fabs(want));
}

/* The case's trials as lrs_query_param_values gives them. */
static lrs_query_param_value_t *read_trials(const json_t *c, int numeric, size_t *n)
{
    const json_t *rows = json_object_get(c, "trials");
    *n = json_array_size(rows);
    lrs_query_param_value_t *v = calloc(*n ? *n : 1, sizeof *v);
    assert_non_null(v);
    for (size_t i = 0; i < *n; i++) {
        const json_t *r = json_array_get(rows, i);
        const json_t *value = json_object_get(r, "value");
        v[i].trial = (int64_t)i;
        v[i].text = json_is_string(value) ? json_string_value(value) : NULL;
        v[i].number = json_is_number(value) ? json_number_value(value) : NAN;
        if (numeric && json_is_number(value))
            v[i].text = "(number)";
        int s = lrs_status_parse(json_string_value(json_object_get(r, "status")));
        assert_true(s >= 0);
        v[i].status = (lrs_status_t)s;
        v[i].score = num(r, "score");
    }
    return v;
}

static lrs_summary_range_t read_declared(const json_t *c)
{
    const json_t *d = json_object_get(c, "declared");
    if (!json_is_object(d))
        return (lrs_summary_range_t){0};
    return (lrs_summary_range_t){.known = 1, .lo = num(d, "lo"), .hi = num(d, "hi"),
                                 .log = json_is_true(json_object_get(d, "log"))};
}

static void test_cases(void **state)
{
    (void)state;
    const json_t *cases = json_object_get(golden, "cases");
    assert_true(json_array_size(cases) >= 9);
    double worst = 0;
    const char *worst_at = "";
    size_t i;
    const json_t *c;
    json_array_foreach(cases, i, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        int numeric = json_is_true(json_object_get(c, "numeric"));
        size_t n;
        lrs_query_param_value_t *v = read_trials(c, numeric, &n);
        lrs_summary_range_t declared = read_declared(c);
        lrs_summary_t s;
        lrs_err_t err;
        int bins = (int)count(c, "bins");
        assert_int_equal(lrs_summary_group_values(numeric, &declared, bins ? bins : 8,
                                                  json_is_true(json_object_get(c, "maximize")),
                                                  v, n, &s, &err), 0);
        const json_t *want = json_object_get(c, "groups");
        if (s.n != json_array_size(want))
            fail_msg("%s: %zu groups, want %zu", name, s.n, json_array_size(want));
        for (size_t k = 0; k < s.n; k++) {
            const json_t *w = json_array_get(want, k);
            const lrs_summary_group_t *g = &s.groups[k];
            if (strcmp(g->label, json_string_value(json_object_get(w, "label"))) != 0)
                fail_msg("%s: group %zu is '%s', want '%s'", name, k, g->label,
                         json_string_value(json_object_get(w, "label")));
            assert_int_equal(g->count, count(w, "count"));
            assert_int_equal(g->complete, count(w, "complete"));
            assert_int_equal(g->diverged, count(w, "diverged"));
            assert_int_equal(g->failed, count(w, "failed"));
            assert_int_equal(g->pruned, count(w, "pruned"));
            const struct { const char *key; double got; } nums[] = {
                {"best", g->best}, {"median", g->median}, {"q25", g->q25}, {"q75", g->q75},
                {"iqr", g->iqr}, {"low", g->binned ? g->low : NAN},
                {"high", g->binned ? g->high : NAN}};
            for (size_t j = 0; j < sizeof nums / sizeof nums[0]; j++) {
                double d = rel(nums[j].got, num(w, nums[j].key));
                if (d > worst) {
                    worst = d;
                    worst_at = name;
                }
                if (d > 1e-12)
                    fail_msg("%s: group '%s' %s %.17g, want %.17g", name, g->label, nums[j].key,
                             nums[j].got, num(w, nums[j].key));
            }
        }
        lrs_summary_clear(&s);
        free(v);
    }
    printf("summary: worst relative difference %.3g (%s)\n", worst, worst_at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
