/* test_sched.c — worker/sched.c by hand: values worked out on paper, state
 * after many steps, plateau cooldown and eps, warm-up hand-over, and the
 * configurations torch 1.13 fails on (refused or harmless here).  The full
 * comparison with torch is tests/reference/test_sched.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/params.h"
#include "worker/sched.h"

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

static lrs_sched_t *make(const char *const *words)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    for (int i = 0; words[i]; i++)
        if (lrs_trial_cfg_assign(&cfg, words[i], &err) < 0)
            fail_msg("%s: %s", words[i], err.msg);
    if (lrs_trial_cfg_finalize(&cfg, &err) < 0)
        fail_msg("finalize: %s", err.msg);
    lrs_sched_t *s = lrs_sched_new(&cfg, &err);
    if (!s)
        fail_msg("lrs_sched_new: %s", err.msg);
    return s;
}

/* Expects the LRs of epochs 1..n (metrics fed after each epoch, or NaN). */
static void expect_lrs(lrs_sched_t *s, const double *want, int n, const double *metrics)
{
    for (int e = 0; e < n; e++) {
        double got = lrs_sched_lr(s);
        if (!(fabs(got - want[e]) <= 1e-12 * fabs(want[e])))
            fail_msg("epoch %d: lr %.17g, expected %.17g", e + 1, got, want[e]);
        lrs_sched_step(s, metrics ? metrics[e] : NAN);
    }
}

static void test_destroy(void **state)
{
    (void)state;
    lrs_sched_destroy(NULL);
    lrs_sched_t *s = NULL;
    lrs_sched_destroy(&s);
    s = make(WORDS("lr=0.5"));
    lrs_sched_destroy(&s);
    assert_null(s);
}

static void test_constant_and_step_by_hand(void **state)
{
    (void)state;
    lrs_sched_t *s = make(WORDS("lr=0.5"));
    for (int i = 0; i < 1000; i++) {
        assert_true(lrs_sched_lr(s) == 0.5);
        lrs_sched_step(s, 1.0);
    }
    lrs_sched_destroy(&s);
    s = make(WORDS("scheduler=step", "lr=1", "step_size=2", "gamma=0.5"));
    expect_lrs(s, (const double[]){1, 1, 0.5, 0.5, 0.25, 0.25, 0.125}, 7, NULL);
    lrs_sched_destroy(&s);
    s = make(WORDS("scheduler=multistep", "lr=1", "milestones=1,3", "gamma=0.1"));
    expect_lrs(s, (const double[]){1, 0.1, 0.1, 0.01, 0.01}, 5, NULL);
    lrs_sched_destroy(&s);
    s = make(WORDS("scheduler=polynomial", "lr=1", "total_iters=4", "power=2"));
    expect_lrs(s, (const double[]){1, 0.5625, 0.25, 0.0625, 0, 0}, 6, NULL);
    lrs_sched_destroy(&s);
}

static void test_exponential_after_many_steps(void **state)
{
    (void)state;
    lrs_sched_t *s = make(WORDS("scheduler=exponential", "lr=1", "gamma=0.999", "epochs=5001"));
    for (int i = 0; i < 5000; i++)
        lrs_sched_step(s, NAN);
    double want = pow(0.999, 5000);
    double rel = fabs(lrs_sched_lr(s) - want) / want;
    printf("exponential after 5000 steps: %.17g vs closed form %.17g (rel %.3g)\n", lrs_sched_lr(s), want, rel);
    assert_true(rel < 1e-11);
    lrs_sched_destroy(&s);
}

/* Past T_max the recursion keeps following the cosine: periodic with 2*T_max,
 * inside [eta_min, lr], equal to the closed form. */
static void test_cosine_many_periods(void **state)
{
    (void)state;
    const int T = 10;
    const double eta = 0.1, base = 1.0;
    lrs_sched_t *s = make(WORDS("scheduler=cosine", "lr=1", "T_max=10", "eta_min=0.1", "epochs=2000"));
    double worst = 0;
    for (int k = 0; k < 2000; k++) {
        double lr = lrs_sched_lr(s);
        double closed = eta + (base - eta) * (1 + cos(3.141592653589793 * k / T)) / 2;
        double d = fabs(lr - closed) / closed;
        if (d > worst)
            worst = d;
        assert_true(lr >= eta - 1e-12 && lr <= base + 1e-12);
        lrs_sched_step(s, NAN);
    }
    printf("cosine over 100 periods: worst rel diff from the closed form %.3g\n", worst);
    assert_true(worst < 1e-9);
    lrs_sched_destroy(&s);
}

static void test_warm_restarts_restart_points(void **state)
{
    (void)state;
    /* T_0 = 2, T_mult = 2: periods 2, 4, 8, 16 → restarts at epochs 1, 3, 7, 15, 31 */
    lrs_sched_t *s = make(WORDS("scheduler=cosine_warm_restarts", "lr=0.8", "T_0=2", "T_mult=2", "epochs=40"));
    for (int e = 1; e <= 40; e++) {
        int restart = e == 1 || e == 3 || e == 7 || e == 15 || e == 31;
        if (restart)
            assert_true(lrs_sched_lr(s) == 0.8);
        else
            assert_true(lrs_sched_lr(s) < 0.8);
        lrs_sched_step(s, NAN);
    }
    lrs_sched_destroy(&s);
    /* T_mult = 1000 grows T_i fast; many steps stay finite */
    s = make(WORDS("scheduler=cosine_warm_restarts", "lr=1", "T_0=1", "T_mult=1000", "epochs=5000"));
    for (int i = 0; i < 5000; i++) {
        assert_true(isfinite(lrs_sched_lr(s)));
        lrs_sched_step(s, NAN);
    }
    lrs_sched_destroy(&s);
}

static void test_onecycle_shape(void **state)
{
    (void)state;
    /* T = 20, pct 0.25: phase 0 ends at step 4 (epoch 5) with max_lr */
    lrs_sched_t *s = make(WORDS("scheduler=onecycle", "lr=123", "max_lr=1", "pct_start=0.25",
                                "div_factor=4", "final_div_factor=10", "epochs=20"));
    assert_true(lrs_sched_lr(s) == 0.25); /* max_lr / div_factor; lr is ignored */
    for (int e = 1; e < 5; e++)
        lrs_sched_step(s, NAN);
    assert_true(lrs_sched_lr(s) == 1.0);
    for (int e = 5; e < 20; e++)
        lrs_sched_step(s, NAN);
    assert_true(fabs(lrs_sched_lr(s) - 0.025) < 1e-15); /* initial / final_div_factor */
    /* torch still computes step total_steps (its pct runs past 1), then
     * raises; here the steps past it keep that last lr */
    lrs_sched_step(s, NAN);
    double after = lrs_sched_lr(s);
    assert_true(isfinite(after) && after > 0.025 && after < 0.25);
    for (int i = 0; i < 50; i++)
        lrs_sched_step(s, NAN);
    assert_true(lrs_sched_lr(s) == after);
    lrs_sched_destroy(&s);
    /* pct_start = 1: the second phase is empty; stepping into it is harmless */
    s = make(WORDS("scheduler=onecycle", "max_lr=1", "pct_start=1", "epochs=5"));
    for (int i = 0; i < 10; i++) {
        assert_true(isfinite(lrs_sched_lr(s)) && lrs_sched_lr(s) > 0);
        lrs_sched_step(s, NAN);
    }
    lrs_sched_destroy(&s);
}

static void test_onecycle_zero_phase_refused(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "scheduler=onecycle", &err), 0);
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "pct_start=0.25", &err), 0);
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "epochs=4", &err), 0);
    assert_int_equal(lrs_trial_cfg_finalize(&cfg, &err), 0);
    lrs_err_clear(&err);
    assert_null(lrs_sched_new(&cfg, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "pct_start"));
}

static void test_plateau_cooldown(void **state)
{
    (void)state;
    /* constant loss; patience 1, cooldown 2 (traced by hand from torch's step):
     * step 1 sets best; steps 2-3 are bad → cut after step 3; steps 4-5 in
     * cooldown; steps 6-7 bad → cut after step 7. */
    lrs_sched_t *s = make(WORDS("scheduler=plateau", "lr=1", "patience=1", "cooldown=2", "factor=0.5"));
    const double ones[9] = {1, 1, 1, 1, 1, 1, 1, 1, 1};
    expect_lrs(s, (const double[]){1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25}, 9, ones);
    lrs_sched_destroy(&s);
}

static void test_plateau_nan_min_lr_eps_and_max(void **state)
{
    (void)state;
    /* a NaN loss is never an improvement */
    lrs_sched_t *s = make(WORDS("scheduler=plateau", "lr=1", "patience=0", "factor=0.5"));
    expect_lrs(s, (const double[]){1, 0.5, 0.5, 0.25}, 4, (const double[]){NAN, 1.0, NAN, 1.0});
    lrs_sched_destroy(&s);
    /* min_lr bounds the cuts */
    s = make(WORDS("scheduler=plateau", "lr=1", "patience=0", "factor=0.1", "min_lr=0.05"));
    expect_lrs(s, (const double[]){1, 1, 0.1, 0.05, 0.05}, 5, (const double[]){2, 2, 2, 2, 2});
    lrs_sched_destroy(&s);
    /* a cut smaller than eps = 1e-8 is skipped */
    s = make(WORDS("scheduler=plateau", "lr=1.5e-8", "patience=0", "factor=0.5"));
    expect_lrs(s, (const double[]){1.5e-8, 1.5e-8, 1.5e-8}, 3, (const double[]){2, 2, 2});
    lrs_sched_destroy(&s);
    /* mode max: a rising metric is an improvement, a falling one is not */
    s = make(WORDS("scheduler=plateau", "lr=1", "patience=0", "mode=max", "factor=0.5"));
    expect_lrs(s, (const double[]){1, 1, 1, 1, 0.5}, 5, (const double[]){0.1, 0.2, 0.3, 0.29, 0.28});
    lrs_sched_destroy(&s);
}

static void test_warmup_by_hand(void **state)
{
    (void)state;
    /* LinearLR(0.25, 1, 4): .25, .25*1.75, then ×(1 + .75/1.75), ×(1 + .75/2.5) */
    lrs_sched_t *s = make(WORDS("lr=1", "warmup_epochs=4", "warmup_start_factor=0.25", "epochs=7"));
    expect_lrs(s, (const double[]){0.25, 0.4375, 0.625, 0.8125, 1, 1, 1}, 7, NULL);
    lrs_sched_destroy(&s);
    /* the main scheduler starts from its epoch 0 at the milestone */
    s = make(WORDS("scheduler=step", "step_size=1", "gamma=0.5", "lr=1", "warmup_epochs=2",
                   "warmup_start_factor=0.5", "epochs=6"));
    expect_lrs(s, (const double[]){0.5, 0.75, 1, 0.5, 0.25, 0.125}, 6, NULL);
    lrs_sched_destroy(&s);
    /* with onecycle torch warms up towards max_lr/div_factor, not lr */
    s = make(WORDS("scheduler=onecycle", "lr=1", "max_lr=0.5", "div_factor=5", "warmup_epochs=2",
                   "warmup_start_factor=0.5", "epochs=10"));
    expect_lrs(s, (const double[]){0.05, 0.075, 0.1}, 3, NULL);
    lrs_sched_destroy(&s);
}

static void test_refuses_bad_cfg(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    /* not finalized: step_size is still 0 */
    lrs_trial_cfg_init(&cfg);
    cfg.sched.kind = LRS_SCHED_STEP;
    lrs_err_clear(&err);
    assert_null(lrs_sched_new(&cfg, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    /* out-of-range kind */
    lrs_trial_cfg_init(&cfg);
    cfg.sched.kind = LRS_SCHED_COUNT;
    assert_null(lrs_sched_new(&cfg, &err));
    /* plateau under warm-up, built around finalize */
    lrs_trial_cfg_init(&cfg);
    cfg.sched.kind = LRS_SCHED_PLATEAU;
    cfg.sched.warmup_epochs = 2;
    cfg.sched.warmup_start_factor = 0.5;
    cfg.sched.factor = 0.1;
    lrs_err_clear(&err);
    assert_null(lrs_sched_new(&cfg, &err));
    assert_non_null(strstr(err.msg, "plateau"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_destroy),
        cmocka_unit_test(test_constant_and_step_by_hand),
        cmocka_unit_test(test_exponential_after_many_steps),
        cmocka_unit_test(test_cosine_many_periods),
        cmocka_unit_test(test_warm_restarts_restart_points),
        cmocka_unit_test(test_onecycle_shape),
        cmocka_unit_test(test_onecycle_zero_phase_refused),
        cmocka_unit_test(test_plateau_cooldown),
        cmocka_unit_test(test_plateau_nan_min_lr_eps_and_max),
        cmocka_unit_test(test_warmup_by_hand),
        cmocka_unit_test(test_refuses_bad_cfg),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
