/* test_prune.c — the pruning rules against Optuna 3.1's pruners.
 *
 * golden/prune.json (gen_prune.py) holds fixed curves and, per case, the
 * epoch Optuna's pruner stopped each trial at when the trials are replayed
 * in index order, one epoch at a time — a replay in which Optuna compares
 * with exactly the set lrsweep compares with (the lower-index trials).  This
 * test replays the same curves through common/prune.h the way the
 * coordinator applies it (rung values of the lower-index trials that
 * reached the rung, in the trial's Hyperband bracket; best so far for
 * median/percentile) and requires every trial's stop epoch to be Optuna's.
 * Hyperband cases also check the bracket count and budgets, and the
 * percentile table checks lrs_prune_percentile_sorted bit for bit against
 * numpy.percentile.
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

#include "common/prune.h"

static json_t *golden;

static int setup(void **state)
{
    (void)state;
    json_error_t jerr;
    golden = json_load_file("golden/prune.json", 0, &jerr);
    if (!golden) {
        fprintf(stderr, "golden/prune.json:%d: %s (run /usr/bin/python3 gen_prune.py)\n",
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

static int param_int(const json_t *params, const char *key, int dflt)
{
    const json_t *v = json_object_get(params, key);
    return v ? (int)json_number_value(v) : dflt;
}

static double param_double(const json_t *params, const char *key, double dflt)
{
    const json_t *v = json_object_get(params, key);
    return v ? json_number_value(v) : dflt;
}

static void spec_of(const json_t *c, lrs_prune_spec_t *p)
{
    int rule = lrs_prune_rule_parse(json_string_value(json_object_get(c, "rule")));
    assert_true(rule > 0);
    lrs_prune_defaults(p, (lrs_prune_rule_t)rule);
    const json_t *params = json_object_get(c, "params");
    p->n_startup_trials = param_int(params, "n_startup_trials", p->n_startup_trials);
    p->n_warmup_steps = param_int(params, "n_warmup_steps", p->n_warmup_steps);
    p->interval_steps = param_int(params, "interval_steps", p->interval_steps);
    p->n_min_trials = param_int(params, "n_min_trials", p->n_min_trials);
    p->percentile = param_double(params, "percentile", p->percentile);
    p->min_resource = param_int(params, "min_resource", p->min_resource);
    p->max_resource = param_int(params, "max_resource", p->max_resource);
    p->reduction_factor = param_int(params, "reduction_factor", p->reduction_factor);
    p->min_early_stopping_rate =
        param_int(params, "min_early_stopping_rate", p->min_early_stopping_rate);
    p->lower = param_double(params, "lower", p->lower);
    p->upper = param_double(params, "upper", p->upper);
    lrs_prune_finish(p);
}

static double value_at(const json_t *curves, size_t trial, int epoch)
{
    const json_t *v = json_array_get(json_array_get(curves, trial), (size_t)epoch - 1);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The replay of one case: stop epoch of each trial into stops. */
static void replay(const json_t *c, const lrs_prune_spec_t *p, int *stops)
{
    const json_t *curves = json_object_get(c, "curves");
    int maximize = json_is_true(json_object_get(c, "maximize"));
    size_t n = json_array_size(curves);
    double *others = malloc((n + 1) * sizeof *others);
    assert_non_null(others);
    for (size_t i = 0; i < n; i++) {
        int epochs = (int)json_array_size(json_array_get(curves, i));
        double best = NAN;
        stops[i] = 0;
        int last_rung = -1;
        for (int e = 1; e < epochs && !stops[i]; e++) {
            double v = value_at(curves, i, e);
            if (!isnan(v) && (isnan(best) || (maximize ? v > best : v < best)))
                best = v;
            int k = lrs_prune_rung_at(p, i, e, epochs);
            if (k < 0 || k == last_rung)
                continue;
            last_rung = k;
            size_t m = 0;
            if (lrs_prune_compares(p))
                for (size_t j = 0; j < i; j++) {
                    int reach = stops[j] ? stops[j]
                                         : (int)json_array_size(json_array_get(curves, j));
                    /* j's rung-k value: its first epoch at or past the rung
                     * (every epoch is reported here). */
                    int ej = lrs_prune_rung_epoch(p, j, k);
                    if (ej < 1)
                        ej = 1;
                    if (lrs_prune_same_set(p, i, j) && ej <= reach &&
                        lrs_prune_rung_at(p, j, ej, 0) == k)
                        others[m++] = value_at(curves, j, ej);
                }
            lrs_prune_verdict_t verdict = lrs_prune_decide(p, i, maximize, v, best, others, m);
            if (verdict.prune)
                stops[i] = e;
        }
    }
    free(others);
}

static void test_cases_match_optuna(void **state)
{
    (void)state;
    const json_t *cases = json_object_get(golden, "cases");
    assert_true(json_array_size(cases) >= 8);
    size_t idx;
    const json_t *c;
    int failures = 0, total_pruned = 0;
    json_array_foreach(cases, idx, c) {
        const char *name = json_string_value(json_object_get(c, "name"));
        lrs_prune_spec_t p;
        spec_of(c, &p);
        if (p.rule == LRS_PRUNE_HYPERBAND) {
            const json_t *budgets = json_object_get(c, "budgets");
            assert_int_equal(p.n_brackets, (int)json_integer_value(json_object_get(c, "n_brackets")));
            assert_int_equal(p.n_brackets, (int)json_array_size(budgets));
            for (int b = 0; b < p.n_brackets; b++)
                assert_int_equal(p.bracket_budget[b],
                                 (int)json_integer_value(json_array_get(budgets, (size_t)b)));
        }
        const json_t *want = json_object_get(c, "pruned_at");
        size_t n = json_array_size(want);
        int *stops = calloc(n, sizeof *stops);
        assert_non_null(stops);
        replay(c, &p, stops);
        int pruned = 0, wrong = 0;
        for (size_t i = 0; i < n; i++) {
            int w = (int)json_integer_value(json_array_get(want, i));
            pruned += w > 0;
            if (stops[i] != w) {
                if (wrong++ < 5)
                    fprintf(stderr, "%s: trial %zu stopped at %d, Optuna at %d\n", name, i,
                            stops[i], w);
            }
        }
        printf("%-24s %2d/%zu pruned, %d differ\n", name, pruned, n, wrong);
        total_pruned += pruned;
        failures += wrong;
        free(stops);
    }
    assert_true(total_pruned > 100);   /* the goldens do prune */
    assert_int_equal(failures, 0);
}

static void test_percentile_bits(void **state)
{
    (void)state;
    const json_t *rows = json_object_get(golden, "percentiles");
    assert_true(json_array_size(rows) > 40);
    size_t idx;
    const json_t *r;
    json_array_foreach(rows, idx, r) {
        const json_t *vals = json_object_get(r, "values");
        size_t n = json_array_size(vals);
        double v[64];
        assert_true(n <= 64);
        for (size_t i = 0; i < n; i++)
            v[i] = json_number_value(json_array_get(vals, i));
        double q = json_number_value(json_object_get(r, "q"));
        double want = json_number_value(json_object_get(r, "p"));
        double got = lrs_prune_percentile_sorted(v, n, q);
        if (got != want)
            fail_msg("percentile q=%g of %zu values: %.17g, numpy %.17g", q, n, got, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases_match_optuna),
        cmocka_unit_test(test_percentile_bits),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
