/* test_prune.c — the pruning rules on hand-computed cases (common/prune.h),
 * and `pruning:` in a spec: defaults, auto resources, the space hash, and
 * every kind of bad key refused with file:line:column.  The rules against
 * Optuna itself: tests/reference/test_prune.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/prune.h"
#include "common/spec.h"
#include "support.h"

static void test_halving_rungs(void **state)
{
    (void)state;
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_SUCCESSIVE_HALVING);
    assert_int_equal(p.reduction_factor, 4);
    p.min_resource = 4;
    p.reduction_factor = 3;
    assert_int_equal(lrs_prune_rung_epoch(&p, 0, 0), 4);
    assert_int_equal(lrs_prune_rung_epoch(&p, 0, 1), 12);
    assert_int_equal(lrs_prune_rung_epoch(&p, 0, 2), 36);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 3, 60), -1);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 4, 60), 0);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 11, 60), 0);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 12, 60), 1);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 36, 60), 2);
    /* no rung at or past the last epoch */
    assert_int_equal(lrs_prune_rung_at(&p, 0, 12, 12), -1);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 12, 0), 1);
    p.min_early_stopping_rate = 1;
    assert_int_equal(lrs_prune_rung_epoch(&p, 7, 0), 12);
    /* huge rungs end the ladder instead of overflowing */
    p.min_resource = 50000;
    assert_int_equal(lrs_prune_rung_epoch(&p, 0, 0), 0);
}

static void test_halving_decisions(void **state)
{
    (void)state;
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_SUCCESSIVE_HALVING);
    p.reduction_factor = 3;
    /* alone at the rung: promoted, the bar is itself */
    lrs_prune_verdict_t v = lrs_prune_decide(&p, 0, 0, 0.5, 0.5, NULL, 0);
    assert_false(v.prune);
    assert_true(v.threshold == 0.5);
    /* 2 competing: idx 2/3-1 → 0, the best of {0.4, 0.5}: 0.5 is pruned */
    double o1[] = {0.4};
    v = lrs_prune_decide(&p, 1, 0, 0.5, 0.5, o1, 1);
    assert_true(v.prune);
    assert_true(v.threshold == 0.4);
    /* 6 competing: idx 1, the second best of {0.1 .. 0.5, 0.25} is 0.2 */
    double o5[] = {0.5, 0.2, 0.4, 0.1, 0.3};
    v = lrs_prune_decide(&p, 5, 0, 0.25, 0.25, o5, 5);
    assert_true(v.prune);
    assert_true(v.threshold == 0.2);
    double o5b[] = {0.5, 0.2, 0.4, 0.1, 0.3};
    v = lrs_prune_decide(&p, 5, 0, 0.15, 0.15, o5b, 5);
    assert_false(v.prune);
    assert_true(v.threshold == 0.15);
    /* maximizing: the bar is the second largest */
    double o5c[] = {0.5, 0.2, 0.4, 0.1, 0.3};
    v = lrs_prune_decide(&p, 5, 1, 0.45, 0.45, o5c, 5);
    assert_false(v.prune);
    assert_true(v.threshold == 0.45);
    double o5d[] = {0.5, 0.2, 0.4, 0.1, 0.3};
    v = lrs_prune_decide(&p, 5, 1, 0.35, 0.35, o5d, 5);
    assert_true(v.prune);
    assert_true(v.threshold == 0.4);
    /* NaN: pruned at once; NaNs among others are not competitors */
    v = lrs_prune_decide(&p, 1, 0, NAN, NAN, NULL, 0);
    assert_true(v.prune);
    double on[] = {NAN, NAN};
    v = lrs_prune_decide(&p, 2, 0, 0.9, 0.9, on, 2);
    assert_false(v.prune);
}

static void test_median_decisions(void **state)
{
    (void)state;
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_MEDIAN);
    assert_int_equal(p.n_startup_trials, 5);
    assert_true(lrs_prune_exempt(&p, 4));
    assert_false(lrs_prune_exempt(&p, 5));
    double o[] = {4, 1, 3, 2};
    /* trial 4 is a startup trial: never pruned */
    lrs_prune_verdict_t v = lrs_prune_decide(&p, 4, 0, 9, 9, o, 4);
    assert_false(v.prune);
    /* median of {1,2,3,4} is 2.5; the best so far is compared */
    double o2[] = {4, 1, 3, 2};
    v = lrs_prune_decide(&p, 9, 0, 3.0, 2.4, o2, 4);
    assert_false(v.prune);
    assert_true(v.threshold == 2.5);
    double o3[] = {4, 1, 3, 2};
    v = lrs_prune_decide(&p, 9, 0, 2.6, 2.6, o3, 4);
    assert_true(v.prune);
    /* percentile 25 of a maximized metric: the 75th percentile, 3.25 */
    lrs_prune_defaults(&p, LRS_PRUNE_PERCENTILE);
    p.percentile = 25;
    double o4[] = {4, 1, 3, 2};
    v = lrs_prune_decide(&p, 9, 1, 3.0, 3.0, o4, 4);
    assert_true(v.prune);
    assert_true(v.threshold == 3.25);
    /* too few values: no decision, no bar */
    p.n_min_trials = 5;
    double o5[] = {4, 1, 3, 2};
    v = lrs_prune_decide(&p, 9, 1, 0.0, 0.0, o5, 4);
    assert_false(v.prune);
    assert_true(isnan(v.threshold));
    /* checks at warmup + k·interval: warmup 3, interval 2 → epochs 3, 5, 7 */
    lrs_prune_defaults(&p, LRS_PRUNE_MEDIAN);
    p.n_warmup_steps = 3;
    p.interval_steps = 2;
    assert_int_equal(lrs_prune_rung_at(&p, 0, 2, 0), -1);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 3, 0), 0);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 4, 0), 0);
    assert_int_equal(lrs_prune_rung_at(&p, 0, 5, 0), 1);
}

static void test_percentile_linear(void **state)
{
    (void)state;
    double v[] = {1, 2, 3, 4};
    assert_true(lrs_prune_percentile_sorted(v, 4, 50) == 2.5);
    assert_true(lrs_prune_percentile_sorted(v, 4, 0) == 1);
    assert_true(lrs_prune_percentile_sorted(v, 4, 100) == 4);
    assert_true(lrs_prune_percentile_sorted(v, 1, 30) == 1);
    assert_true(isnan(lrs_prune_percentile_sorted(v, 0, 30)));
}

static void test_hyperband_brackets(void **state)
{
    (void)state;
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_HYPERBAND);
    p.min_resource = 1;
    p.max_resource = 27;
    lrs_prune_finish(&p);
    /* floor(log3 27) + 1 = 4 brackets; ceil(4·3^s/(s+1)) for s = 3..0 */
    assert_int_equal(p.n_brackets, 4);
    assert_int_equal(p.bracket_budget[0], 27);
    assert_int_equal(p.bracket_budget[1], 12);
    assert_int_equal(p.bracket_budget[2], 6);
    assert_int_equal(p.bracket_budget[3], 4);
    assert_int_equal(p.budget_total, 49);
    assert_int_equal(lrs_prune_bracket(&p, 0), 0);
    assert_int_equal(lrs_prune_bracket(&p, 26), 0);
    assert_int_equal(lrs_prune_bracket(&p, 27), 1);
    assert_int_equal(lrs_prune_bracket(&p, 39), 2);
    assert_int_equal(lrs_prune_bracket(&p, 45), 3);
    assert_int_equal(lrs_prune_bracket(&p, 49), 0);
    assert_true(lrs_prune_same_set(&p, 1, 50));
    assert_false(lrs_prune_same_set(&p, 1, 30));
    /* bracket b starts at min_resource · rf^b */
    assert_int_equal(lrs_prune_rung_epoch(&p, 30, 0), 3);
    assert_int_equal(lrs_prune_rung_epoch(&p, 46, 0), 27);
}

static void test_threshold(void **state)
{
    (void)state;
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_THRESHOLD);
    p.lower = 0.1;
    p.upper = 1.0;
    assert_false(lrs_prune_compares(&p));
    lrs_prune_verdict_t v = lrs_prune_decide(&p, 0, 0, 0.05, 0.05, NULL, 0);
    assert_true(v.prune && v.threshold == 0.1);
    v = lrs_prune_decide(&p, 0, 0, 1.5, 0.05, NULL, 0);
    assert_true(v.prune && v.threshold == 1.0);
    v = lrs_prune_decide(&p, 0, 0, 0.5, 0.05, NULL, 0);
    assert_false(v.prune);
    v = lrs_prune_decide(&p, 0, 0, INFINITY, 0.05, NULL, 0);
    assert_true(v.prune);
}

/* ---- the spec ---------------------------------------------------------- */

static const char *const base =
    "name: p\ntrials: 10\nmodel: {type: synthetic}\n"
    "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n  epochs: {values: [20, 300]}\n";

static char *with_pruning(const char *pruning, int *rc, lrs_spec_t **spec)
{
    char text[2048];
    snprintf(text, sizeof text, "%s%s", base, pruning);
    lrs_err_t err;
    char *report = sup_spec_report(text, strlen(text), NULL, rc, &err, spec);
    if (*rc != 0)
        *rc = err.code;   /* the exit status validate gives */
    return report;
}

static void test_spec_reads_pruning(void **state)
{
    (void)state;
    int rc;
    lrs_spec_t *spec = NULL;
    char *report = with_pruning("", &rc, &spec);
    assert_int_equal(rc, 0);
    assert_int_equal(lrs_spec_info(spec)->pruning->rule, LRS_PRUNE_NONE);
    uint64_t plain = lrs_spec_space_hash(spec);
    lrs_spec_destroy(&spec);
    free(report);

    report = with_pruning("pruning: {rule: successive_halving}\n", &rc, &spec);
    assert_int_equal(rc, 0);
    const lrs_prune_spec_t *p = lrs_spec_info(spec)->pruning;
    assert_int_equal(p->rule, LRS_PRUNE_SUCCESSIVE_HALVING);
    assert_int_equal(p->min_resource, 3);   /* auto: 300 / 100 */
    assert_int_equal(p->reduction_factor, 4);
    assert_true(p->deterministic);
    assert_true(lrs_spec_space_hash(spec) != plain);
    lrs_spec_destroy(&spec);
    free(report);

    report = with_pruning("pruning: {rule: hyperband, deterministic: false}\n", &rc, &spec);
    assert_int_equal(rc, 0);
    p = lrs_spec_info(spec)->pruning;
    assert_int_equal(p->max_resource, 300);   /* auto: the largest epochs */
    assert_int_equal(p->min_resource, 1);
    assert_int_equal(p->n_brackets, 6);       /* floor(log3 300) + 1 */
    assert_false(p->deterministic);
    lrs_spec_destroy(&spec);
    free(report);
}

static void test_spec_refuses_bad_pruning(void **state)
{
    (void)state;
    static const struct { const char *yaml, *expect; } cases[] = {
        {"pruning: {}\n", "spec.yaml:7:10: pruning: missing required key 'rule'"},
        {"pruning: {rule: asha}\n", "spec.yaml:7:17: pruning.rule: expected one of median"},
        {"pruning: {rule: median, reduction_factor: 3}\n",
         "spec.yaml:7:25: pruning.reduction_factor: rule median does not take reduction_factor"},
        {"pruning: {rule: median, patience: 3}\n", "pruning: unknown key 'patience'"},
        {"pruning: {rule: percentile}\n", "rule percentile needs 'percentile'"},
        {"pruning: {rule: percentile, percentile: 120}\n",
         "pruning.percentile: expected a number from 0 to 100, got 120"},
        {"pruning: {rule: successive_halving, reduction_factor: 1}\n",
         "pruning.reduction_factor: 1 is out of range"},
        {"pruning: {rule: median, interval_steps: 0}\n", "pruning.interval_steps: 0 is out of range"},
        {"pruning: {rule: hyperband, min_resource: 9, max_resource: 3}\n",
         "pruning.max_resource: 3 is below min_resource 9"},
        {"pruning: {rule: threshold}\n", "rule threshold needs lower, upper or both"},
        {"pruning: {rule: threshold, lower: 2, upper: 1}\n", "pruning.lower: 2 is above upper 1"},
        {"pruning: {rule: median, deterministic: sometimes}\n",
         "pruning.deterministic: expected true or false"},
        {"pruning: {rule: successive_halving, min_resource: many}\n",
         "pruning.min_resource: expected an integer"},
        {"pruning: median\n", "pruning: expected a mapping"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc;
        char *report = with_pruning(cases[i].yaml, &rc, NULL);
        if (rc != LRS_EXIT_USAGE || !strstr(report, cases[i].expect))
            fail_msg("%s: rc %d, report:\n%s\nexpected: %s", cases[i].yaml, rc, report,
                     cases[i].expect);
        free(report);
    }
}

static void test_command_sweep_needs_resources(void **state)
{
    (void)state;
    const char *text = "name: c\ntrials: 4\ncommand: ./train.sh\n"
                       "metric: {name: val_loss, goal: minimize}\n"
                       "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n"
                       "pruning: {rule: successive_halving}\n";
    int rc;
    lrs_err_t err;
    char *report = sup_spec_report(text, strlen(text), NULL, &rc, &err, NULL);
    assert_int_equal(rc, -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(report, "pruning.min_resource: auto takes the largest epochs of search:"));
    free(report);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_halving_rungs),
        cmocka_unit_test(test_halving_decisions),
        cmocka_unit_test(test_median_decisions),
        cmocka_unit_test(test_percentile_linear),
        cmocka_unit_test(test_hyperband_brackets),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_spec_reads_pruning),
        cmocka_unit_test(test_spec_refuses_bad_pruning),
        cmocka_unit_test(test_command_sweep_needs_resources),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
