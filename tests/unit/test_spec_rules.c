/* test_spec_rules.c — the behaviour rules a spec is parsed under
 * (common/spec_rules.h): data.standardize_target's default and its checks,
 * the decimal log grid, and the spec hash, which must stay as it was for a
 * rules-0 sweep and differ under rules 1 only where results differ.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/spec.h"
#include "common/spec_rules.h"

#define HEAD "name: r\ntrials: 4\n"
#define CSV1 "data: {path: d.csv, target: y%s}\n"
#define SEARCH "search:\n  lr: {values: [0.1, 0.01]}\n"

/* Parses text under rules (no base folder: the data path is not checked). */
static lrs_spec_t *parse(const char *text, int rules)
{
    lrs_spec_t *s = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_parse_rules("r.yaml", text, strlen(text), NULL, rules, &s, NULL, &err) != 0)
        fail_msg("rules %d: %s", rules, err.msg);
    return s;
}

/* The spec of one CSV target with data keys `extra` (", key: v"). */
static lrs_spec_t *parse_data(const char *extra, int rules)
{
    char text[512];
    snprintf(text, sizeof text, HEAD CSV1 SEARCH, extra);
    return parse(text, rules);
}

static uint64_t hash_of(const char *extra, int rules)
{
    lrs_spec_t *s = parse_data(extra, rules);
    uint64_t h = lrs_spec_space_hash(s);
    lrs_spec_destroy(&s);
    return h;
}

static int target_of(const char *text, int rules)
{
    lrs_spec_t *s = parse(text, rules);
    int v = lrs_spec_info(s)->standardize_target;
    assert_int_equal(lrs_spec_rules(s), rules);
    lrs_spec_destroy(&s);
    return v;
}

static void test_target_default(void **state)
{
    (void)state;
    const char *one = HEAD "data: {path: d.csv, target: y}\n" SEARCH;
    const char *two = HEAD "data: {path: d.csv, target: [y, z]}\n" SEARCH;
    const char *cls = HEAD "data: {path: d.csv, target: y, task: classification}\n" SEARCH;
    const char *logistic = HEAD "data: {path: d.csv, target: y}\nmodel: {type: logistic}\n" SEARCH;
    const char *syn = HEAD "data: {synthetic: {rows: 20, features: 2, outputs: 1}}\n" SEARCH;
    const char *cost = HEAD "model: {type: synthetic}\n" SEARCH;
    assert_int_equal(target_of(one, 0), 0);
    assert_int_equal(target_of(one, 1), 1);
    assert_int_equal(target_of(two, 1), 1);
    assert_int_equal(target_of(two, 0), 0);
    assert_int_equal(target_of(cls, 1), 0);
    assert_int_equal(target_of(logistic, 1), 0);
    assert_int_equal(target_of(syn, 1), 1);
    assert_int_equal(target_of(cost, 1), 0);
    /* Written, it holds under any rules. */
    assert_int_equal(target_of(HEAD "data: {path: d.csv, target: y, standardize_target: false}\n"
                               SEARCH, 1), 0);
    assert_int_equal(target_of(HEAD "data: {path: d.csv, target: y, standardize_target: true}\n"
                               SEARCH, 0), 1);
}

/* An error at line:column containing want. */
static void expect_error(const char *text, int rules, const char *want)
{
    lrs_spec_t *s = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_not_equal(lrs_spec_parse_rules("r.yaml", text, strlen(text), NULL, rules, &s, NULL,
                                              &err), 0);
    assert_null(s);
    if (!strstr(err.msg, want))
        fail_msg("expected '%s' in: %s", want, err.msg);
}

static void test_target_errors(void **state)
{
    (void)state;
    expect_error(HEAD "data: {path: d.csv, target: y, task: classification, standardize_target: "
                 "true}\n" SEARCH, 1, "r.yaml:3:74: data.standardize_target: scales a "
                 "regression target; this spec has a classification task");
    expect_error(HEAD "data: {path: d.csv, target: y, standardize_target: true}\nmodel: {type: "
                 "logistic}\n" SEARCH, 1, "r.yaml:3:52: data.standardize_target: scales a "
                 "regression target; this spec has a classification task");
    expect_error(HEAD "data: {path: d.csv, target: y, standardize_target: 2}\n" SEARCH, 1,
                 "r.yaml:3:52: data.standardize_target");
    expect_error(HEAD "data: {path: d.csv, target: y}\n" SEARCH, LRS_RULES_CURRENT + 1,
                 "behaviour rules 2 are newer than this release");
}

static void test_target_hash(void **state)
{
    (void)state;
    uint64_t old = hash_of("", 0);
    /* A rules-0 sweep and an explicit false hash as before the key. */
    assert_true(hash_of(", standardize_target: false", 0) == old);
    assert_true(hash_of(", standardize_target: false", 1) == old);
    /* Standardized: another hash, whether by default or written. */
    assert_true(hash_of("", 1) != old);
    assert_true(hash_of("", 1) == hash_of(", standardize_target: true", 0));
    /* A spec whose results do not depend on the rules hashes alike. */
    const char *cls = HEAD "data: {path: d.csv, target: y, task: classification}\n" SEARCH;
    lrs_spec_t *a = parse(cls, 0), *b = parse(cls, 1);
    assert_true(lrs_spec_space_hash(a) == lrs_spec_space_hash(b));
    lrs_spec_destroy(&a);
    lrs_spec_destroy(&b);
}

#define GRID_SPEC(kind, n)                                                                    \
    "name: g\nsampler: grid\ndata: {path: d.csv, target: y, standardize_target: false}\n"     \
    "search:\n  lr: {" kind ": [1e-5, 1], grid: " #n "}\n"

static double grid_lr(const lrs_spec_t *s, uint64_t k)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_sample(s, k, &cfg, NULL, &err) != 0)
        fail_msg("grid point %llu: %s", (unsigned long long)k, err.msg);
    return cfg.optim.lr;
}

static void test_decimal_grid(void **state)
{
    (void)state;
    static const char *const want[] = {"1e-5", "1e-4", "1e-3", "1e-2", "1e-1", "1"};
    lrs_spec_t *now = parse(GRID_SPEC("log_uniform", 6), 1);
    lrs_spec_t *old = parse(GRID_SPEC("log_uniform", 6), 0);
    for (int k = 0; k < 6; k++)
        assert_true(grid_lr(now, (uint64_t)k) == strtod(want[k], NULL));
    /* Rules 0 keeps exp(log lo + t·span): 9.999999999999991e-05 here. */
    assert_true(grid_lr(old, 1) != strtod("1e-4", NULL));
    assert_true(grid_lr(old, 0) == 1e-5 && grid_lr(old, 5) == 1.0);
    assert_true(lrs_spec_space_hash(now) != lrs_spec_space_hash(old));
    lrs_spec_destroy(&now);
    lrs_spec_destroy(&old);
    /* Half-decades: 10^-4.5 is pow's, between its neighbours. */
    now = parse(GRID_SPEC("log_uniform", 11), 1);
    assert_true(grid_lr(now, 1) > 1e-5 && grid_lr(now, 1) < 1e-4);
    assert_true(grid_lr(now, 2) == strtod("1e-4", NULL));
    lrs_spec_destroy(&now);
    /* Two points are the ends under both rules: the hash stays. */
    now = parse(GRID_SPEC("log_uniform", 2), 1);
    old = parse(GRID_SPEC("log_uniform", 2), 0);
    assert_true(lrs_spec_space_hash(now) == lrs_spec_space_hash(old));
    lrs_spec_destroy(&now);
    lrs_spec_destroy(&old);
    /* A linear grid is the same under both rules. */
    now = parse(GRID_SPEC("uniform", 6), 1);
    old = parse(GRID_SPEC("uniform", 6), 0);
    for (int k = 0; k < 6; k++)
        assert_true(grid_lr(now, (uint64_t)k) == grid_lr(old, (uint64_t)k));
    assert_true(lrs_spec_space_hash(now) == lrs_spec_space_hash(old));
    lrs_spec_destroy(&now);
    lrs_spec_destroy(&old);
}

static void test_with_rules(void **state)
{
    (void)state;
    lrs_spec_t *now = parse(HEAD "data: {path: d.csv, target: y}\n" SEARCH, 1), *old = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_spec_with_rules(now, 0, &old, &err), 0);
    assert_int_equal(lrs_spec_rules(old), 0);
    assert_int_equal(lrs_spec_info(old)->standardize_target, 0);
    assert_true(lrs_spec_space_hash(old) == hash_of("", 0));
    assert_string_equal(lrs_spec_text(old), lrs_spec_text(now));
    lrs_spec_destroy(&now);
    lrs_spec_destroy(&old);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_target_default), cmocka_unit_test(test_target_errors),
        cmocka_unit_test(test_target_hash),    cmocka_unit_test(test_decimal_grid),
        cmocka_unit_test(test_with_rules),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
