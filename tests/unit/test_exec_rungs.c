/* test_exec_rungs.c — a command's reports at pruning rungs
 * (worker/exec_rungs.h): when a rung is asked and with what value (the mean
 * over folds at each fold's first report of the rung, the best fold mean so
 * far), epochs skipped or repeated, the bound of the trial's epochs, and a
 * pruned result cut at its rung. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "worker/exec_rungs.h"

static lrs_prune_spec_t halving(void)
{
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_SUCCESSIVE_HALVING);
    p.min_resource = 2;
    p.reduction_factor = 3;   /* rungs at epochs 2, 6, 18 */
    return p;
}

static void test_one_run(void **state)
{
    (void)state;
    lrs_prune_spec_t p = halving();
    lrs_exec_rungs_t r;
    assert_int_equal(lrs_exec_rungs_init(&r, &p, 0, 0, 1, 20), 0);
    double v = 0, b = 0;
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 1, 5.0, &v, &b), 0);
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 2, 4.0, &v, &b), 1);
    assert_true(v == 4.0 && b == 4.0);
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 2, 1.0, &v, &b), 0);   /* repeated epoch */
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 3, 2.0, &v, &b), 0);   /* same rung */
    /* epochs 4, 5 and 6 never reported: rung 1's value is at epoch 7 */
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 7, 3.0, &v, &b), 1);
    assert_true(v == 3.0 && b == 2.0);   /* the best so far was epoch 3's */
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 8, 3.0, &v, &b), 0);
    /* rung 2 at 18 is asked; none at or after the last epoch */
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 18, 2.5, &v, &b), 1);
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 20, 0.5, &v, &b), 0);
    lrs_exec_rungs_free(&r);

    /* no bound known (a command not told its epochs): rung 2 at 18 of 18 */
    assert_int_equal(lrs_exec_rungs_init(&r, &p, 0, 1, 1, 0), 0);
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 18, 0.9, &v, &b), 1);
    assert_true(v == 0.9 && b == 0.9);
    lrs_exec_rungs_free(&r);

    /* no rule: never asks */
    lrs_prune_spec_t none;
    lrs_prune_defaults(&none, LRS_PRUNE_NONE);
    assert_int_equal(lrs_exec_rungs_init(&r, &none, 0, 0, 1, 20), 0);
    assert_int_equal(lrs_exec_rungs_report(&r, 0, 2, 1.0, &v, &b), 0);
    lrs_exec_rungs_free(&r);
}

static void test_folds(void **state)
{
    (void)state;
    lrs_prune_spec_t p = halving();
    lrs_exec_rungs_t r;
    double v = 0, b = 0;
    assert_int_equal(lrs_exec_rungs_init(&r, &p, 0, 0, 2, 20), 0);
    /* fold 0 runs to its end first: nothing is asked */
    for (int e = 1; e <= 20; e++)
        assert_int_equal(lrs_exec_rungs_report(&r, 0, e, 10.0 - e * 0.25, &v, &b), 0);
    assert_int_equal(lrs_exec_rungs_report(&r, 1, 1, 9.0, &v, &b), 0);
    assert_int_equal(lrs_exec_rungs_report(&r, 1, 2, 8.0, &v, &b), 1);
    assert_true(v == (9.5 + 8.0) / 2);
    assert_true(b == (9.5 + 8.0) / 2);   /* epoch 1's mean, (9.75 + 9) / 2, is worse */
    /* fold 1 skips to epoch 7: fold 0's rung-1 value is at epoch 6, fold 1's at 7;
     * the best counts only epochs both folds reported */
    assert_int_equal(lrs_exec_rungs_report(&r, 1, 7, 1.0, &v, &b), 1);
    assert_true(v == (8.5 + 1.0) / 2);
    assert_true(b == (8.25 + 1.0) / 2);
    lrs_exec_rungs_free(&r);
}

static void test_cut(void **state)
{
    (void)state;
    lrs_exec_result_t res;
    lrs_exec_result_init(&res);
    res.status = LRS_STATUS_COMPLETE;
    res.objective = 0.5;
    res.exit_status = 0;
    res.n_names = 3;
    strcpy(res.names[0], "test_acc");   /* first reported after the cut */
    strcpy(res.names[1], "val_loss");
    strcpy(res.names[2], "lr");
    res.curve = calloc(32, sizeof *res.curve);
    assert_non_null(res.curve);
    for (int f = 0; f < 2; f++)
        for (int e = 1; e <= 4; e++) {
            res.curve[res.n_curve++] = (lrs_exec_point_t){f, e, 1, f * 10.0 + e};
            res.curve[res.n_curve++] = (lrs_exec_point_t){f, e, 2, 0.1};
            if (e == 4)
                res.curve[res.n_curve++] = (lrs_exec_point_t){f, e, 0, 0.9};
        }
    lrs_exec_cut(&res, 2);
    assert_int_equal(res.status, LRS_STATUS_PRUNED);
    assert_int_equal(res.pruned_epoch, 2);
    assert_true(isnan(res.objective));
    assert_int_equal(res.exit_status, -1);
    assert_int_equal((int)res.n_curve, 8);
    for (size_t i = 0; i < res.n_curve; i++)
        assert_true(res.curve[i].epoch <= 2);
    assert_int_equal(res.n_names, 2);   /* test_acc came after the cut: gone */
    assert_string_equal(res.names[0], "val_loss");
    assert_string_equal(res.names[1], "lr");
    for (size_t i = 0; i < res.n_curve; i++)
        assert_true(res.curve[i].name == 0 || res.curve[i].name == 1);
    assert_true(res.finals[0] == (2.0 + 12.0) / 2);   /* each fold's value at epoch 2 */
    assert_true(res.finals[1] == 0.1);
    lrs_exec_result_free(&res);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_one_run),
        cmocka_unit_test(test_folds),
        cmocka_unit_test(test_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
