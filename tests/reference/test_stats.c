/* test_stats.c — Student's t and the t interval of a mean against SciPy.
 *
 * golden/stats.json (gen_stats.py) holds scipy.stats.t.cdf and t.ppf over
 * degrees of freedom 1 … 1000 (one fractional) and probabilities down to
 * 1e-6 in each tail, and the half-widths of 95% / 99% intervals.  lrsweep
 * must agree within 1e-10 relative to max(1e-300, |value|) for the CDF
 * (absolute 1e-12 near 0 and 1) and within 1e-8 relative for quantiles and
 * intervals: SciPy 1.10's t.ppf itself is off by up to ~2e-9 (df 2, p 0.99:
 * it gives 6.96455671876, the closed form (2p−1)·√(2 / (1 − (2p−1)²)) and
 * lrsweep 6.96455673428).  The worst differences are printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "common/stats.h"

static json_t *golden;

static int setup(void **state)
{
    (void)state;
    json_error_t jerr;
    golden = json_load_file("golden/stats.json", 0, &jerr);
    if (!golden) {
        fprintf(stderr, "golden/stats.json:%d: %s (run /usr/bin/python3 gen_stats.py)\n",
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

static double num(const json_t *o, const char *key)
{
    return json_number_value(json_object_get(o, key));
}

static double rel(double got, double want)
{
    return fabs(got - want) / fmax(1e-300, fabs(want));
}

static void test_quantile(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    double worst = 0;
    json_array_foreach(json_object_get(golden, "ppf"), i, c) {
        double got = lrs_t_quantile(num(c, "p"), num(c, "df")), want = num(c, "q");
        /* SciPy's median is 8e-17, not 0: absolute there. */
        double d = fabs(want) < 1e-12 ? fabs(got - want) : rel(got, want);
        if (d > worst)
            worst = d;
        if (d > 1e-8)
            fail_msg("t.ppf(%g, df %g): %.17g, scipy %.17g", num(c, "p"), num(c, "df"), got, want);
    }
    printf("t quantile: %zu cases, worst relative difference %.3g\n", i, worst);
    assert_true(i > 100);
    /* df 2 has a closed form; lrsweep must meet it to the last bits. */
    double a = 2 * 0.99 - 1;
    assert_true(rel(lrs_t_quantile(0.99, 2), a * sqrt(2 / (1 - a * a))) < 1e-14);
    assert_true(isnan(lrs_t_quantile(0.0, 3)) && isnan(lrs_t_quantile(1.0, 3)) &&
                isnan(lrs_t_quantile(0.5, 0)) && isnan(lrs_t_quantile(NAN, 3)));
}

static void test_cdf(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    double worst = 0;
    json_array_foreach(json_object_get(golden, "cdf"), i, c) {
        double got = lrs_t_cdf(num(c, "t"), num(c, "df")), want = num(c, "p");
        double d = fmin(rel(got, want), fabs(got - want) / 1e-2);   /* relative, or 1e-12 absolute */
        if (d > worst)
            worst = d;
        if (rel(got, want) > 1e-10 && fabs(got - want) > 1e-12)
            fail_msg("t.cdf(%g, df %g): %.17g, scipy %.17g", num(c, "t"), num(c, "df"), got, want);
    }
    printf("t cdf: %zu cases, worst difference %.3g\n", i, worst);
    assert_true(i > 100);
}

static void test_interval(void **state)
{
    (void)state;
    size_t i;
    json_t *c;
    double worst = 0;
    json_array_foreach(json_object_get(golden, "ci"), i, c) {
        double got = lrs_mean_ci_half(num(c, "std"), (int)num(c, "n"), num(c, "level"));
        double d = rel(got, num(c, "half"));
        if (d > worst)
            worst = d;
        if (d > 1e-8)
            fail_msg("interval n %g std %g level %g: %.17g, scipy %.17g", num(c, "n"),
                     num(c, "std"), num(c, "level"), got, num(c, "half"));
    }
    printf("t interval: %zu cases, worst relative difference %.3g\n", i, worst);
    assert_true(i > 10);
    assert_true(isnan(lrs_mean_ci_half(0.1, 1, 0.95)) && isnan(lrs_mean_ci_half(NAN, 5, 0.95)));
}

/* A field read through a stride gives numpy's mean and std (ddof 0) of
 * the same values: np.array([0.1, 0.25, 0.7, 1e-3]).mean() / .std(). */
static void test_mean_pop_std(void **state)
{
    (void)state;
    struct {
        int tag;
        double v;
    } rows[4] = {{1, 0.1}, {2, 0.25}, {3, 0.7}, {4, 1e-3}};
    double mean, sd;
    lrs_mean_pop_std(&rows[0].v, 4, sizeof rows[0], &mean, &sd);
    assert_true(fabs(mean - 0.26274999999999993) <= 1e-16);
    assert_true(fabs(sd - 0.2675587552295757) <= 1e-16);
    double one = 3.5;
    lrs_mean_pop_std(&one, 1, sizeof one, &mean, &sd);
    assert_true(mean == 3.5 && sd == 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quantile),
        cmocka_unit_test(test_cdf),
        cmocka_unit_test(test_interval),
        cmocka_unit_test(test_mean_pop_std),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
