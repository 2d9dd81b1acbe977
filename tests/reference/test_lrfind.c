/* test_lrfind.c — worker/lrfind.c against numpy (gen_lrfind.py).
 *
 * golden/lrfind.json holds loss sequences with, per case, numpy's lr per step
 * (geomspace), the smoothed losses kept until the stop rule, the steps kept,
 * and the steepest-descent and minimum lrs.  Every value must agree to 1e-12
 * relative; the worst difference is printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>

#include "worker/lrfind.h"

static double rel(double a, double b)
{
    return fabs(a - b) / (fabs(b) > 1e-300 ? fabs(b) : 1.0);
}

static void test_cases(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *golden = json_load_file("golden/lrfind.json", 0, &jerr);
    if (!golden)
        fail_msg("golden/lrfind.json:%d: %s (run /usr/bin/python3 gen_lrfind.py)", jerr.line,
                 jerr.text);
    json_t *cases = json_object_get(golden, "cases");
    assert_true(json_array_size(cases) >= 4);
    double worst = 0.0;
    size_t k;
    json_t *c;
    json_array_foreach(cases, k, c) {
        lrs_lrfind_cfg_t cfg = {
            .start = json_number_value(json_object_get(c, "start")),
            .end = json_number_value(json_object_get(c, "end")),
            .iters = (int)json_integer_value(json_object_get(c, "iters")),
            .beta = json_number_value(json_object_get(c, "beta")),
            .diverge = json_number_value(json_object_get(c, "diverge")),
        };
        assert_null(lrs_lrfind_cfg_check(&cfg));
        json_t *lrs = json_object_get(c, "lr"), *losses = json_object_get(c, "losses");
        for (int i = 0; i < cfg.iters; i++) {
            double d = rel(lrs_lrfind_lr(&cfg, i), json_number_value(json_array_get(lrs, i)));
            worst = d > worst ? d : worst;
        }
        lrs_lrfind_curve_t curve;
        assert_int_equal(lrs_lrfind_curve_init(&curve, &cfg), 0);
        for (int i = 0; i < cfg.iters && i < (int)json_array_size(losses); i++) {
            json_t *v = json_array_get(losses, i);
            double loss = json_is_null(v) ? NAN : json_number_value(v);
            if (lrs_lrfind_record(&curve, &cfg, lrs_lrfind_lr(&cfg, i), loss))
                break;
        }
        int steps = (int)json_integer_value(json_object_get(c, "steps"));
        if (curve.n != steps)
            fail_msg("%s: %d steps kept, numpy %d", json_string_value(json_object_get(c, "name")),
                     curve.n, steps);
        json_t *sm = json_object_get(c, "smoothed");
        for (int i = 0; i < steps; i++) {
            double d = rel(curve.smooth[i], json_number_value(json_array_get(sm, i)));
            worst = d > worst ? d : worst;
        }
        lrs_lrfind_suggestion_t s;
        assert_int_equal(lrs_lrfind_suggest(&curve, &s), 0);
        double d1 = rel(s.steep, json_number_value(json_object_get(c, "steep")));
        double d2 = rel(s.lr_min, json_number_value(json_object_get(c, "lr_min")));
        if (d1 > 1e-12 || d2 > 1e-12)
            fail_msg("%s: steep %g lr_min %g differ from numpy",
                     json_string_value(json_object_get(c, "name")), s.steep, s.lr_min);
        assert_true(rel(s.min_tenth, s.lr_min / 10) < 1e-15);
        lrs_lrfind_curve_clear(&curve);
    }
    printf("lrfind vs numpy: worst relative difference %.3g\n", worst);
    assert_true(worst < 1e-12);
    json_decref(golden);
}

static void test_cfg_check(void **state)
{
    (void)state;
    lrs_lrfind_cfg_t cfg;
    lrs_lrfind_cfg_init(&cfg);
    assert_null(lrs_lrfind_cfg_check(&cfg));
    assert_true(rel(lrs_lrfind_lr(&cfg, 0), 1e-7) < 1e-15);
    assert_true(rel(lrs_lrfind_lr(&cfg, 99), 10) < 1e-12);
    cfg.beta = 1.0;
    assert_non_null(lrs_lrfind_cfg_check(&cfg));
    lrs_lrfind_cfg_init(&cfg);
    cfg.end = cfg.start;
    assert_non_null(lrs_lrfind_cfg_check(&cfg));
    lrs_lrfind_cfg_init(&cfg);
    cfg.diverge = 1.0;
    assert_non_null(lrs_lrfind_cfg_check(&cfg));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_cfg_check),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
