/* test_optim.c — single optimizer steps worked out by hand, for every
 * optimizer and its options, plus reset and argument checks.
 *
 * The expected values are written in the textbook form of each rule (e.g.
 * Adam's m̂ / (√v̂ + ε′) with bias-corrected moments) rather than torch's
 * operation order, so they agree with the implementation to rounding
 * (1e-12), not bit for bit; the PyTorch-exact order is checked against
 * goldens in tests/reference/test_optim.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/params.h"
#include "worker/optim.h"

#define CLOSE(a, b) close_to((a), (b), #a, __LINE__)

static void close_to(double got, double want, const char *what, int line)
{
    if (!(fabs(got - want) <= 1e-12 * fmax(1.0, fabs(want))))
        fail_msg("line %d: %s = %.17g, expected %.17g", line, what, got, want);
}

static lrs_optim_cfg_t config(lrs_optimizer_t kind)
{
    /* torch's defaults for kind, as lrs_trial_cfg_finalize fills them */
    lrs_optim_cfg_t c = {.kind = kind, .lr = 0.1, .beta1 = 0.9, .beta2 = 0.999, .alpha = 0.99,
                         .eps = kind == LRS_OPT_ADAGRAD ? 1e-10 : 1e-8};
    if (kind == LRS_OPT_ADAMW)
        c.weight_decay = 0.01;
    return c;
}

static lrs_optim_t *make(const lrs_optim_cfg_t *c, size_t n)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_optim_t *o = lrs_optim_new(c, n, &err);
    if (!o)
        fail_msg("lrs_optim_new: %s", err.msg);
    return o;
}

/* The finalized defaults are the ones the hand computations below assume. */
static void test_defaults_match_torch(void **state)
{
    (void)state;
    const char *names[] = {"sgd", "adam", "adamw", "rmsprop", "adagrad"};
    for (int k = 0; k < LRS_OPT_COUNT; k++) {
        lrs_trial_cfg_t cfg;
        lrs_err_t err;
        lrs_trial_cfg_init(&cfg);
        char word[32];
        snprintf(word, sizeof word, "optimizer=%s", names[k]);
        assert_int_equal(lrs_trial_cfg_assign(&cfg, word, &err), 0);
        assert_int_equal(lrs_trial_cfg_finalize(&cfg, &err), 0);
        lrs_optim_cfg_t want = config((lrs_optimizer_t)k);
        const lrs_optim_cfg_t *got = &cfg.optim;
        assert_int_equal(got->kind, k);
        assert_true(got->momentum == 0.0 && got->dampening == 0.0 && !got->nesterov);
        assert_true(got->weight_decay == want.weight_decay);
        assert_true(got->eps == want.eps);
        if (k == LRS_OPT_ADAM || k == LRS_OPT_ADAMW)
            assert_true(got->beta1 == 0.9 && got->beta2 == 0.999);
        if (k == LRS_OPT_RMSPROP)
            assert_true(got->alpha == 0.99 && !got->centered);
    }
}

static void test_sgd(void **state)
{
    (void)state;
    /* plain: p − lr·g; weight decay: p − lr·(g + wd·p) */
    lrs_optim_cfg_t c = config(LRS_OPT_SGD);
    double p[3] = {1.0, -2.0, 7.0};   /* p[2] is past n: must stay untouched */
    const double g[2] = {0.5, -0.25};
    lrs_optim_t *o = make(&c, 2);
    lrs_optim_step(o, p, g, 0.1);
    CLOSE(p[0], 0.95);
    CLOSE(p[1], -1.975);
    assert_true(p[2] == 7.0);
    lrs_optim_destroy(&o);
    assert_null(o);

    c.weight_decay = 0.1;
    p[0] = 1.0, p[1] = -2.0;
    o = make(&c, 2);
    lrs_optim_step(o, p, g, 0.1);
    CLOSE(p[0], 1.0 - 0.1 * (0.5 + 0.1));
    CLOSE(p[1], -2.0 - 0.1 * (-0.25 - 0.2));
    lrs_optim_destroy(&o);
}

/* Two steps of a fresh one-parameter optimizer from p = 1, both with
 * gradient g at learning rate lr: p must be want1, then want2. */
#define SAME_G_TWICE(c, g, lr, want1, want2) same_g_twice(c, g, lr, want1, want2, __LINE__)

static void same_g_twice(const lrs_optim_cfg_t *c, double g, double lr, double want1,
                         double want2, int line)
{
    double p[1] = {1.0};
    lrs_optim_t *o = make(c, 1);
    lrs_optim_step(o, p, &g, lr);
    close_to(p[0], want1, "p after step 1", line);
    lrs_optim_step(o, p, &g, lr);
    close_to(p[0], want2, "p after step 2", line);
    lrs_optim_destroy(&o);
}

static void test_sgd_momentum(void **state)
{
    (void)state;
    lrs_optim_cfg_t c = config(LRS_OPT_SGD);
    const double g[1] = {0.5};
    /* momentum 0.9: the first buffer is the gradient itself (no dampening),
     * then buf = 0.9·buf + g */
    c.momentum = 0.9;
    SAME_G_TWICE(&c, g[0], 0.1, 0.95, 0.95 - 0.1 * 0.95);

    /* dampening 0.5 acts from the second step: buf = 0.9·0.5 + 0.5·0.5 = 0.7 */
    c.dampening = 0.5;
    SAME_G_TWICE(&c, g[0], 0.1, 0.95, 0.95 - 0.1 * 0.7);

    /* nesterov: step with g + 0.9·buf: 0.5 + 0.45, then 0.5 + 0.9·0.95 */
    c.dampening = 0.0;
    c.nesterov = 1;
    SAME_G_TWICE(&c, g[0], 0.1, 1.0 - 0.1 * 0.95, 0.905 - 0.1 * 1.355);
}

/* Adam after t steps of the given gradients, textbook form. */
static double adam_reference(double p, const double *g, int t, double lr, double wd,
                             int decoupled, double b1, double b2, double eps)
{
    double m = 0.0, v = 0.0;
    for (int i = 0; i < t; i++) {
        double grad = g[i];
        if (decoupled)
            p *= 1.0 - lr * wd;
        else
            grad += wd * p;
        m = b1 * m + (1.0 - b1) * grad;
        v = b2 * v + (1.0 - b2) * grad * grad;
        double m_hat = m / (1.0 - pow(b1, i + 1));
        double v_hat = v / (1.0 - pow(b2, i + 1));
        /* torch adds ε to √v/√(1−β2^t), i.e. to √v̂ */
        p -= lr * m_hat / (sqrt(v_hat) + eps);
    }
    return p;
}

static void test_adam(void **state)
{
    (void)state;
    const double g[3] = {0.5, -0.25, 2.0};
    /* step 1 of Adam moves by lr·sign(g) (up to ε): m̂ = g, √v̂ = |g| */
    lrs_optim_cfg_t c = config(LRS_OPT_ADAM);
    double p[1] = {1.0};
    lrs_optim_t *o = make(&c, 1);
    lrs_optim_step(o, p, g, 0.1);
    CLOSE(p[0], 1.0 - 0.1 * 0.5 / (0.5 + 1e-8));
    lrs_optim_step(o, p, g + 1, 0.1);
    lrs_optim_step(o, p, g + 2, 0.1);
    CLOSE(p[0], adam_reference(1.0, g, 3, 0.1, 0.0, 0, 0.9, 0.999, 1e-8));
    lrs_optim_destroy(&o);

    /* L2 weight decay enters the gradient; other betas and eps */
    c.weight_decay = 0.2, c.beta1 = 0.8, c.beta2 = 0.95, c.eps = 1e-3;
    p[0] = 1.0;
    o = make(&c, 1);
    for (int i = 0; i < 3; i++)
        lrs_optim_step(o, p, g + i, 0.05);
    CLOSE(p[0], adam_reference(1.0, g, 3, 0.05, 0.2, 0, 0.8, 0.95, 1e-3));
    lrs_optim_destroy(&o);
}

static void test_adamw(void **state)
{
    (void)state;
    const double g[3] = {0.5, -0.25, 2.0};
    /* decoupled decay first: p·(1 − lr·wd), then the Adam step */
    lrs_optim_cfg_t c = config(LRS_OPT_ADAMW);
    c.weight_decay = 0.1;
    double p[1] = {1.0};
    lrs_optim_t *o = make(&c, 1);
    lrs_optim_step(o, p, g, 0.1);
    CLOSE(p[0], 0.99 - 0.1 * 0.5 / (0.5 + 1e-8));
    lrs_optim_step(o, p, g + 1, 0.1);
    lrs_optim_step(o, p, g + 2, 0.1);
    CLOSE(p[0], adam_reference(1.0, g, 3, 0.1, 0.1, 1, 0.9, 0.999, 1e-8));
    lrs_optim_destroy(&o);
}

/* Two steps of a fresh one-parameter optimizer from p = 1 at learning rate
 * lr, gradients g1 then g2: p must be want1 after the first, then
 * p1 − lr·g2 / denom2 with p1 the parameter the first step left (the
 * adaptive optimizers' step with its denominator worked out by hand). */
#define TWO_STEPS(c, lr, g1, g2, want1, denom2) two_steps(c, lr, g1, g2, want1, denom2, __LINE__)

static void two_steps(const lrs_optim_cfg_t *c, double lr, double g1, double g2, double want1,
                      double denom2, int line)
{
    double p[1] = {1.0};
    lrs_optim_t *o = make(c, 1);
    lrs_optim_step(o, p, &g1, lr);
    close_to(p[0], want1, "p after step 1", line);
    double want2 = p[0] - lr * g2 / denom2;
    lrs_optim_step(o, p, &g2, lr);
    close_to(p[0], want2, "p after step 2", line);
    lrs_optim_destroy(&o);
}

static void test_rmsprop(void **state)
{
    (void)state;
    const double g1 = 0.5, g2 = -1.5;
    double p[1] = {1.0};
    /* plain, alpha 0.99: s = 0.01·g², so step 1 is lr·g / (0.1·|g| + ε) */
    lrs_optim_cfg_t c = config(LRS_OPT_RMSPROP);
    double s = 0.99 * 0.01 * 0.25 + 0.01 * 2.25;
    TWO_STEPS(&c, 0.01, g1, g2, 1.0 - 0.01 * 0.5 / (0.1 * 0.5 + 1e-8), sqrt(s) + 1e-8);

    /* centered: avg = √(s − ḡ²) + ε with ḡ = 0.01·g: √(0.0099)·|g| */
    c.centered = 1;
    p[0] = 1.0;
    lrs_optim_t *o = make(&c, 1);
    lrs_optim_step(o, p, &g1, 0.01);
    CLOSE(p[0], 1.0 - 0.01 * 0.5 / (sqrt(0.0099) * 0.5 + 1e-8));
    lrs_optim_destroy(&o);

    /* momentum 0.9 with weight decay 0.1: buf = 0.9·buf + g′/avg, p −= lr·buf */
    c.centered = 0, c.momentum = 0.9, c.weight_decay = 0.1;
    p[0] = 1.0;
    o = make(&c, 1);
    lrs_optim_step(o, p, &g1, 0.01);
    double gw = 0.5 + 0.1 * 1.0;
    double s1 = 0.01 * gw * gw;
    double buf = gw / (sqrt(s1) + 1e-8);
    CLOSE(p[0], 1.0 - 0.01 * buf);
    double p1 = p[0];
    double gw2 = -1.5 + 0.1 * p1;
    double s2 = 0.99 * s1 + 0.01 * gw2 * gw2;
    buf = 0.9 * buf + gw2 / (sqrt(s2) + 1e-8);
    lrs_optim_step(o, p, &g2, 0.01);
    CLOSE(p[0], p1 - 0.01 * buf);
    lrs_optim_destroy(&o);
}

static void test_adagrad(void **state)
{
    (void)state;
    const double g1 = 0.5, g2 = -1.5;
    double p[1] = {1.0};
    /* sum of squares: step 1 is lr·g/|g|, step 2 lr·g2/√(g1² + g2²) */
    lrs_optim_cfg_t c = config(LRS_OPT_ADAGRAD);
    TWO_STEPS(&c, 0.1, g1, g2, 1.0 - 0.1 * 0.5 / (0.5 + 1e-10), sqrt(2.5) + 1e-10);

    c.weight_decay = 0.5;
    p[0] = 2.0;
    lrs_optim_t *o = make(&c, 1);
    lrs_optim_step(o, p, &g1, 0.1);   /* g′ = 0.5 + 0.5·2 = 1.5 */
    CLOSE(p[0], 2.0 - 0.1 * 1.5 / (1.5 + 1e-10));
    lrs_optim_destroy(&o);
}

/* After lrs_optim_reset an optimizer behaves exactly like a new one: SGD's
 * momentum buffer starts again from the gradient, Adam's step count from 1. */
static void test_reset(void **state)
{
    (void)state;
    const double g[4][3] = {{0.5, -1, 2}, {0.1, 0.2, -0.3}, {-1, 1, 0.5}, {0.3, 0.3, 0.3}};
    for (int k = 0; k < LRS_OPT_COUNT; k++) {
        lrs_optim_cfg_t c = config((lrs_optimizer_t)k);
        c.momentum = k == LRS_OPT_SGD || k == LRS_OPT_RMSPROP ? 0.9 : 0.0;
        c.centered = k == LRS_OPT_RMSPROP;
        lrs_optim_t *used = make(&c, 3), *fresh = make(&c, 3);
        double junk[3] = {5, 6, 7};
        for (int i = 0; i < 4; i++)
            lrs_optim_step(used, junk, g[3 - i], 0.3);
        lrs_optim_reset(used);
        double a[3] = {1, 2, 3}, b[3] = {1, 2, 3};
        for (int i = 0; i < 4; i++) {
            lrs_optim_step(used, a, g[i], 0.05);
            lrs_optim_step(fresh, b, g[i], 0.05);
        }
        assert_memory_equal(a, b, sizeof a);
        assert_true(a[0] != 1.0);
        lrs_optim_destroy(&used);
        lrs_optim_destroy(&fresh);
    }
}

static void test_bad_config(void **state)
{
    (void)state;
    lrs_err_t err;
    lrs_optim_cfg_t c = config(LRS_OPT_SGD);
    c.kind = LRS_OPT_COUNT;
    lrs_err_clear(&err);
    assert_null(lrs_optim_new(&c, 4, &err));
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    c = config(LRS_OPT_SGD);
    c.nesterov = 1;   /* without momentum: torch refuses too */
    lrs_err_clear(&err);
    assert_null(lrs_optim_new(&c, 4, &err));
    assert_non_null(strstr(err.msg, "nesterov"));
    lrs_optim_t *none = NULL;
    lrs_optim_destroy(&none);
    lrs_optim_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults_match_torch),
        cmocka_unit_test(test_sgd),
        cmocka_unit_test(test_sgd_momentum),
        cmocka_unit_test(test_adam),
        cmocka_unit_test(test_adamw),
        cmocka_unit_test(test_rmsprop),
        cmocka_unit_test(test_adagrad),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_bad_config),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
