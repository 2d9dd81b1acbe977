/* test_sched.c — worker/sched.c against PyTorch: every case of
 * golden/sched.json (written by gen_sched.py from torch.optim.lr_scheduler)
 * is rebuilt from its lrsweep words, stepped for its epochs, and every
 * epoch's LR compared within 1e-6 relative.  Cases torch refuses must be
 * refused by lrsweep (by the parameter parser or by lrs_sched_new).
 * The worst relative difference over all cases is printed. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/params.h"
#include "worker/sched.h"

#define GOLDEN "golden/sched.json"
#define REL_TOL 1e-6

/* |got - want| / |want|; 0 when equal (so an exact 0 compares fine). */
static double rel_diff(double got, double want)
{
    if (got == want)
        return 0;
    if (want == 0)
        return INFINITY;
    return fabs(got - want) / fabs(want);
}

/* Builds a finalized cfg from the case's words; -1 with err when lrsweep
 * refuses them. */
static int cfg_from_case(json_t *c, lrs_trial_cfg_t *cfg, lrs_err_t *err)
{
    lrs_trial_cfg_init(cfg);
    json_t *words = json_object_get(c, "words");
    size_t i;
    json_t *w;
    json_array_foreach(words, i, w) {
        if (lrs_trial_cfg_assign(cfg, json_string_value(w), err) < 0)
            return -1;
    }
    char epochs[32];
    snprintf(epochs, sizeof epochs, "epochs=%d", (int)json_integer_value(json_object_get(c, "epochs")));
    if (lrs_trial_cfg_assign(cfg, epochs, err) < 0)
        return -1;
    return lrs_trial_cfg_finalize(cfg, err);
}

/* Runs one case; returns its worst relative difference (INFINITY on a
 * refusal mismatch) and counts compared epochs. */
static double run_case(json_t *c, int *compared)
{
    const char *name = json_string_value(json_object_get(c, "name"));
    json_t *want = json_object_get(c, "lrs");
    json_t *losses = json_object_get(c, "val_losses");
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_sched_t *s = NULL;
    if (cfg_from_case(c, &cfg, &err) == 0)
        s = lrs_sched_new(&cfg, &err);
    if (!want) {
        const char *torch_err = json_string_value(json_object_get(c, "error"));
        if (s) {
            printf("FAIL %s: torch refuses (%s) but lrsweep accepts\n", name, torch_err);
            lrs_sched_destroy(&s);
            return INFINITY;
        }
        printf("ok   %-26s refused like torch (%s) — lrsweep: %s\n", name, torch_err, err.msg);
        assert_int_equal(err.code, LRS_EXIT_USAGE);
        return 0;
    }
    if (!s) {
        printf("FAIL %s: lrsweep refuses: %s\n", name, err.msg);
        return INFINITY;
    }
    double worst = 0;
    int worst_epoch = 0;
    size_t n = json_array_size(want);
    assert_int_equal((int)n, cfg.epochs);
    for (size_t e = 0; e < n; e++) {
        double got = lrs_sched_lr(s), ref = json_number_value(json_array_get(want, e));
        double d = rel_diff(got, ref);
        if (d > worst) {
            worst = d;
            worst_epoch = (int)e + 1;
        }
        if (d > REL_TOL)
            printf("FAIL %s epoch %zu: lrsweep %.17g torch %.17g (rel %.3g)\n", name, e + 1, got, ref, d);
        (*compared)++;
        double metric = losses && e < json_array_size(losses)
                            ? json_number_value(json_array_get(losses, e))
                            : NAN;
        lrs_sched_step(s, metric);
    }
    printf("%s %-26s %4zu epochs, worst rel diff %.3g (epoch %d)\n", worst > REL_TOL ? "FAIL" : "ok  ",
           name, n, worst, worst_epoch);
    lrs_sched_destroy(&s);
    assert_null(s);
    return worst;
}

static void test_sched_matches_torch(void **state)
{
    (void)state;
    json_error_t jerr;
    json_t *doc = json_load_file(GOLDEN, 0, &jerr);
    if (!doc)
        fail_msg("%s:%d:%d: %s (run tests/reference/gen_sched.py)", GOLDEN, jerr.line, jerr.column,
                 jerr.text);
    json_t *cases = json_object_get(doc, "cases");
    assert_true(json_is_array(cases));
    assert_true(json_array_size(cases) >= 40);
    double worst = 0;
    int compared = 0, failed = 0, refused = 0;
    size_t i;
    json_t *c;
    json_array_foreach(cases, i, c) {
        double d = run_case(c, &compared);
        if (!json_object_get(c, "lrs"))
            refused++;
        if (d > REL_TOL)
            failed++;
        if (d > worst)
            worst = d;
    }
    printf("sched vs torch %s: %zu cases (%d refused by both), %d epochs compared, "
           "worst rel diff %.3g (tolerance %g), %d failing\n",
           json_string_value(json_object_get(doc, "torch")), json_array_size(cases), refused, compared,
           worst, REL_TOL, failed);
    json_decref(doc);
    assert_int_equal(failed, 0);
    assert_true(compared > 500);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sched_matches_torch),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
