/* test_summary.c — the range `summary --by PARAM` bins a numeric parameter
 * over (coordinator/summary.h): the union of its range distributions in
 * every branch of the search space, log-spaced only when all of them are
 * log kinds, none for a `values:` list or a fixed value; and the grouping's
 * edge cases that numpy's goldens (tests/reference/test_summary.c) do not
 * reach: a range of one point, no trial at all, values outside the
 * declared range, a log range that reaches 0. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/spec.h"
#include "coordinator/summary.h"

static const char spec_text[] =
    "name: ranges\ntrials: 8\nmodel: {type: synthetic}\nsearch:\n"
    "  optimizer:\n"
    "    sgd: {lr: {log_uniform: [1.0e-4, 0.1]}, momentum: {uniform: [0.5, 0.9]}}\n"
    "    adam: {lr: {log_uniform: [1.0e-3, 1.0]}, beta1: {values: [0.8, 0.9]}}\n"
    "    rmsprop: {lr: {uniform: [0.01, 0.02]}, momentum: {uniform: [0.2, 0.6]}}\n"
    "  scheduler:\n"
    "    step: {step_size: {int_log_uniform: [1, 16]}, gamma: 0.5}\n"
    "    cosine: {}\n";

static void test_space_range(void **state)
{
    (void)state;
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    assert_int_equal(lrs_spec_parse("ranges.yaml", spec_text, strlen(spec_text), NULL, &spec, &err),
                     0);
    const lrs_space_block_t *space = lrs_spec_space(spec);
    /* lr: three branches, one linear: the union, linear */
    lrs_summary_range_t r = lrs_summary_space_range(space, LRS_P_LR);
    assert_true(r.known && r.lo == 1e-4 && r.hi == 1.0 && !r.log);
    r = lrs_summary_space_range(space, LRS_P_MOMENTUM);
    assert_true(r.known && r.lo == 0.2 && r.hi == 0.9 && !r.log);
    r = lrs_summary_space_range(space, LRS_P_STEP_SIZE);
    assert_true(r.known && r.lo == 1 && r.hi == 16 && r.log);
    r = lrs_summary_space_range(space, LRS_P_BETA1);   /* a values list */
    assert_false(r.known);
    r = lrs_summary_space_range(space, LRS_P_GAMMA);   /* fixed */
    assert_false(r.known);
    r = lrs_summary_space_range(space, LRS_P_EPOCHS);   /* not in the space */
    assert_false(r.known);
    r = lrs_summary_space_range(NULL, LRS_P_LR);
    assert_false(r.known);
    lrs_spec_destroy(&spec);

    const char *log_only = "name: l\ntrials: 4\nmodel: {type: synthetic}\nsearch:\n"
                           "  lr: {log_uniform: [1.0e-5, 1.0e-1]}\n";
    assert_int_equal(lrs_spec_parse("l.yaml", log_only, strlen(log_only), NULL, &spec, &err), 0);
    r = lrs_summary_space_range(lrs_spec_space(spec), LRS_P_LR);
    assert_true(r.known && r.lo == 1e-5 && r.hi == 0.1 && r.log);
    lrs_spec_destroy(&spec);
}

static lrs_query_param_value_t value(double number, lrs_status_t status, double score)
{
    return (lrs_query_param_value_t){.text = isnan(number) ? NULL : "(number)",
                                     .number = number, .status = status, .score = score};
}

static void test_edge_cases(void **state)
{
    (void)state;
    lrs_summary_t s;
    lrs_err_t err;
    const lrs_summary_range_t none = {0};
    /* no trial and no range: no group; with a range: its bins, empty */
    assert_int_equal(lrs_summary_group_values(1, &none, 8, 0, NULL, 0, &s, &err), 0);
    assert_int_equal(s.n, 0);
    lrs_summary_clear(&s);
    const lrs_summary_range_t decl = {1, 0.0, 1.0, 0};
    assert_int_equal(lrs_summary_group_values(1, &decl, 4, 0, NULL, 0, &s, &err), 0);
    assert_int_equal(s.n, 4);
    assert_string_equal(s.groups[0].label, "[0, 0.25)");
    assert_string_equal(s.groups[3].label, "[0.75, 1]");
    assert_int_equal(s.groups[3].count, 0);
    assert_true(isnan(s.groups[3].median) && isnan(s.groups[3].iqr));
    lrs_summary_clear(&s);

    /* one value: one bin [x, x]; a trial without it: "-" last */
    lrs_query_param_value_t one[] = {value(0.9, LRS_STATUS_COMPLETE, 1.0),
                                     value(0.9, LRS_STATUS_COMPLETE, 3.0),
                                     value(NAN, LRS_STATUS_FAILED, NAN)};
    assert_int_equal(lrs_summary_group_values(1, &none, 8, 0, one, 3, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.groups[0].label, "[0.9, 0.9]");
    assert_true(s.groups[0].median == 2.0 && s.groups[0].iqr == 1.0);
    assert_string_equal(s.groups[1].label, "-");
    assert_int_equal(s.groups[1].failed, 1);
    lrs_summary_clear(&s);

    /* a log range widened to 0 by a value outside it: linear from 0 */
    const lrs_summary_range_t logr = {1, 0.01, 1.0, 1};
    lrs_query_param_value_t zero[] = {value(0.0, LRS_STATUS_COMPLETE, 1.0),
                                      value(1.0, LRS_STATUS_COMPLETE, 2.0)};
    assert_int_equal(lrs_summary_group_values(1, &logr, 2, 0, zero, 2, &s, &err), 0);
    assert_int_equal(s.n, 2);
    assert_string_equal(s.groups[0].label, "[0, 0.5)");
    assert_int_equal(s.groups[0].count, 1);
    assert_int_equal(s.groups[1].count, 1);   /* 1.0: the last bin is closed */
    lrs_summary_clear(&s);

    /* edges that four digits cannot tell apart get more */
    const lrs_summary_range_t narrow = {1, 100.0, 100.01, 0};
    assert_int_equal(lrs_summary_group_values(1, &narrow, 2, 0, NULL, 0, &s, &err), 0);
    assert_string_equal(s.groups[0].label, "[100, 100.005)");
    assert_string_equal(s.groups[1].label, "[100.005, 100.01]");
    lrs_summary_clear(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_space_range),
        cmocka_unit_test(test_edge_cases),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
