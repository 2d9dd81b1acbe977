/* test_params.c — common/params.c: the parameter table, value parsing
 * (numbers, ranges, choices, bools, milestones), torch defaults per optimizer
 * and scheduler, branch and required-parameter errors, the nesterov rule,
 * and that formatting a config and parsing it back gives the same config. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "common/params.h"

/* Applies words (NULL-terminated) to a fresh cfg; returns the first failure. */
static int apply(lrs_trial_cfg_t *cfg, lrs_err_t *err, const char *const *words)
{
    lrs_trial_cfg_init(cfg);
    lrs_err_clear(err);
    for (int i = 0; words[i]; i++)
        if (lrs_trial_cfg_assign(cfg, words[i], err) < 0)
            return -1;
    return 0;
}

/* Words then finalize; returns 0 or -1 (err filled). */
static int build(lrs_trial_cfg_t *cfg, lrs_err_t *err, const char *const *words)
{
    if (apply(cfg, err, words) < 0)
        return -1;
    return lrs_trial_cfg_finalize(cfg, err);
}

#define WORDS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* Asserts that setting name=text fails with a usage error whose message
 * contains `needle`. */
static void expect_set_error(const char *name, const char *text, const char *needle)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    lrs_err_clear(&err);
    if (lrs_trial_cfg_set(&cfg, name, text, &err) == 0)
        fail_msg("%s=%s was accepted", name, text);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    if (!strstr(err.msg, needle))
        fail_msg("%s=%s: message '%s' lacks '%s'", name, text, err.msg, needle);
    assert_true(cfg.set_mask == 0);
}

static void expect_build_error(const char *const *words, const char *needle)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    if (build(&cfg, &err, words) == 0)
        fail_msg("config starting '%s' was accepted", words[0]);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    if (!strstr(err.msg, needle))
        fail_msg("message '%s' lacks '%s'", err.msg, needle);
}

static void test_table_is_consistent(void **state)
{
    (void)state;
    const lrs_param_info_t *t = lrs_param_table();
    for (int i = 0; i < LRS_P_COUNT; i++) {
        assert_int_equal(t[i].id, i);
        assert_ptr_equal(lrs_param_find(t[i].name), &t[i]);
        assert_true(t[i].offset < sizeof(lrs_trial_cfg_t));
        assert_non_null(t[i].help);
        assert_true((t[i].type == LRS_PT_CHOICE) == (t[i].choices != NULL));
        for (int j = 0; j < i; j++)
            assert_string_not_equal(t[i].name, t[j].name);
        /* required only where it applies */
        assert_true((t[i].required & ~t[i].applies) == 0);
    }
    assert_null(lrs_param_find("learning_rate"));
    assert_null(lrs_param_find(""));
    assert_true(LRS_P_COUNT <= 64); /* set_mask has one bit per parameter */
}

static void test_names(void **state)
{
    (void)state;
    for (int k = 0; k < LRS_OPT_COUNT; k++)
        assert_int_equal(lrs_optimizer_from_name(lrs_optimizer_name((lrs_optimizer_t)k)), k);
    for (int k = 0; k < LRS_SCHED_COUNT; k++)
        assert_int_equal(lrs_scheduler_from_name(lrs_scheduler_name((lrs_scheduler_t)k)), k);
    assert_string_equal(lrs_optimizer_name(LRS_OPT_ADAMW), "adamw");
    assert_string_equal(lrs_scheduler_name(LRS_SCHED_COSINE_WARM_RESTARTS), "cosine_warm_restarts");
    assert_string_equal(lrs_optimizer_name(LRS_OPT_COUNT), "?");
    assert_string_equal(lrs_scheduler_name((lrs_scheduler_t)-1), "?");
    assert_int_equal(lrs_optimizer_from_name("SGD"), -1);
    assert_int_equal(lrs_scheduler_from_name("cosineannealing"), -1);
}

static void test_init_defaults(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(cfg.optim.kind, LRS_OPT_SGD);
    assert_true(cfg.optim.lr == 0.01);
    assert_int_equal(cfg.sched.kind, LRS_SCHED_CONSTANT);
    assert_int_equal(cfg.epochs, 100);
    assert_int_equal(cfg.batch_size, 0);
    assert_true(cfg.set_mask == 0);
}

static void test_parse_floats(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(apply(&cfg, &err, WORDS("lr=0.25", "weight_decay=0", "momentum=1e-3")), 0);
    assert_true(cfg.optim.lr == 0.25);
    assert_true(cfg.optim.weight_decay == 0.0);
    assert_true(cfg.optim.momentum == 1e-3);
    assert_true(cfg.set_mask == ((1ull << LRS_P_LR) | (1ull << LRS_P_WEIGHT_DECAY) | (1ull << LRS_P_MOMENTUM)));
    expect_set_error("lr", "abc", "expected a number");
    expect_set_error("lr", "", "expected a number");
    expect_set_error("lr", "0.1x", "expected a number");
    expect_set_error("lr", "inf", "expected a number");
    expect_set_error("lr", "nan", "expected a number");
    expect_set_error("lr", "1e999", "expected a number");
    /* ranges: lr is (0, inf), beta1 [0, 1), alpha [0, 1], factor (0, 1) */
    expect_set_error("lr", "0", "out of range");
    expect_set_error("lr", "-0.1", "(0, inf)");
    expect_set_error("beta1", "1", "[0, 1)");
    expect_set_error("factor", "1", "(0, 1)");
    expect_set_error("factor", "0", "out of range");
    expect_set_error("weight_decay", "-1e-9", "out of range");
    assert_int_equal(apply(&cfg, &err, WORDS("beta1=0", "alpha=1", "start_factor=1", "end_factor=0")), 0);
    assert_true(cfg.optim.alpha == 1.0 && cfg.sched.end_factor == 0.0);
    expect_set_error("start_factor", "0", "(0, 1]");
}

static void test_parse_ints(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(apply(&cfg, &err, WORDS("step_size=3", "patience=0", "epochs=10000000", "batch_size=0")), 0);
    assert_int_equal(cfg.sched.step_size, 3);
    assert_int_equal(cfg.sched.patience, 0);
    assert_int_equal(cfg.epochs, LRS_MAX_EPOCHS);
    expect_set_error("step_size", "1.5", "expected an integer");
    expect_set_error("step_size", "0", "[1, 10000000]");
    expect_set_error("epochs", "10000001", "out of range");
    expect_set_error("epochs", "99999999999999999999", "expected an integer");
    expect_set_error("T_mult", "1001", "out of range");
    expect_set_error("cooldown", "-1", "out of range");
    expect_set_error("batch_size", "two", "expected an integer");
}

static void test_choices_and_bools(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(apply(&cfg, &err, WORDS("optimizer=rmsprop", "centered=true", "scheduler=plateau",
                                             "mode=max", "threshold_mode=abs")), 0);
    assert_int_equal(cfg.optim.kind, LRS_OPT_RMSPROP);
    assert_int_equal(cfg.optim.centered, 1);
    assert_int_equal(cfg.sched.kind, LRS_SCHED_PLATEAU);
    assert_int_equal(cfg.sched.mode, 1);
    assert_int_equal(cfg.sched.threshold_mode, 1);
    assert_int_equal(apply(&cfg, &err, WORDS("anneal_strategy=linear", "nesterov=false")), 0);
    assert_int_equal(cfg.sched.anneal_strategy, 1);
    assert_int_equal(cfg.optim.nesterov, 0);
    assert_true((cfg.set_mask >> LRS_P_NESTEROV) & 1u);
    expect_set_error("optimizer", "Adam", "expected one of sgd, adam, adamw, rmsprop, adagrad");
    expect_set_error("scheduler", "cosineannealing", "expected one of constant, step");
    expect_set_error("anneal_strategy", "cosine", "expected one of cos, linear");
    expect_set_error("nesterov", "1", "expected true or false");
    expect_set_error("centered", "yes", "expected true or false");
    expect_set_error("nesterov", "True", "expected true or false");
}

static void test_milestones(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(apply(&cfg, &err, WORDS("milestones=30,60,80")), 0);
    assert_int_equal(cfg.sched.n_milestones, 3);
    assert_int_equal(cfg.sched.milestones[0], 30);
    assert_int_equal(cfg.sched.milestones[2], 80);
    assert_int_equal(apply(&cfg, &err, WORDS("milestones=5")), 0);
    assert_int_equal(cfg.sched.n_milestones, 1);
    expect_set_error("milestones", "", "empty");
    expect_set_error("milestones", "3,3", "strictly increasing");
    expect_set_error("milestones", "5,3", "strictly increasing");
    expect_set_error("milestones", "3,,5", "comma-separated");
    expect_set_error("milestones", "3,5,", "comma-separated");
    expect_set_error("milestones", ",3", "comma-separated");
    expect_set_error("milestones", "0", "out of range");
    expect_set_error("milestones", "2,x", "'x' is not an integer");
    expect_set_error("milestones", "1.5", "not an integer");

    char text[1024] = "";
    for (int i = 1; i <= LRS_MAX_MILESTONES; i++)
        snprintf(text + strlen(text), sizeof text - strlen(text), "%s%d", i > 1 ? "," : "", i);
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(lrs_trial_cfg_set(&cfg, "milestones", text, &err), 0);
    assert_int_equal(cfg.sched.n_milestones, LRS_MAX_MILESTONES);
    snprintf(text + strlen(text), sizeof text - strlen(text), ",%d", LRS_MAX_MILESTONES + 1);
    expect_set_error("milestones", text, "at most 64");

    /* a failed update leaves the earlier list as it was */
    assert_int_equal(apply(&cfg, &err, WORDS("milestones=10,20")), 0);
    assert_int_equal(lrs_trial_cfg_set(&cfg, "milestones", "3,x", &err), -1);
    assert_int_equal(cfg.sched.n_milestones, 2);
    assert_int_equal(cfg.sched.milestones[0], 10);
    assert_int_equal(cfg.sched.milestones[1], 20);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "milestones", 3, &err), -1);
}

static void test_assign_words(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "lr=0.5", &err), 0);
    assert_true(cfg.optim.lr == 0.5);
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "lr", &err), -1);
    assert_non_null(strstr(err.msg, "expected PARAM=VALUE"));
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "=0.5", &err), -1);
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "learning_rate=0.5", &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "unknown parameter 'learning_rate'"));
    char long_word[200];
    memset(long_word, 'a', 150);
    strcpy(long_word + 150, "=1");
    assert_int_equal(lrs_trial_cfg_assign(&cfg, long_word, &err), -1);
    assert_non_null(strstr(err.msg, "too long"));
    /* the value may itself contain '=': it is then simply not a number */
    assert_int_equal(lrs_trial_cfg_assign(&cfg, "lr=1=2", &err), -1);
    assert_true(cfg.optim.lr == 0.5);
}

static void test_set_number(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "lr", 0.125, &err), 0);
    assert_true(cfg.optim.lr == 0.125);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "step_size", 4, &err), 0);
    assert_int_equal(cfg.sched.step_size, 4);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "optimizer", LRS_OPT_ADAGRAD, &err), 0);
    assert_int_equal(cfg.optim.kind, LRS_OPT_ADAGRAD);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "nesterov", 1, &err), 0);
    assert_int_equal(cfg.optim.nesterov, 1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "step_size", 2.5, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "step_size", 0, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "nesterov", 2, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "optimizer", LRS_OPT_COUNT, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "scheduler", -1, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "lr", NAN, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "lr", INFINITY, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "epochs", NAN, &err), -1);
    assert_int_equal(lrs_trial_cfg_set_number(&cfg, "nope", 1, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    /* failures leave values as they were */
    assert_int_equal(cfg.sched.step_size, 4);
    assert_int_equal(cfg.optim.kind, LRS_OPT_ADAGRAD);
}

static void test_optimizer_defaults(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=sgd")), 0);
    assert_true(cfg.optim.momentum == 0 && cfg.optim.dampening == 0 && cfg.optim.weight_decay == 0);
    assert_int_equal(cfg.optim.nesterov, 0);
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=adam")), 0);
    assert_true(cfg.optim.beta1 == 0.9 && cfg.optim.beta2 == 0.999);
    assert_true(cfg.optim.eps == 1e-8 && cfg.optim.weight_decay == 0);
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=adamw")), 0);
    assert_true(cfg.optim.weight_decay == 1e-2 && cfg.optim.eps == 1e-8);
    assert_true(cfg.optim.beta1 == 0.9 && cfg.optim.beta2 == 0.999);
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=rmsprop")), 0);
    assert_true(cfg.optim.alpha == 0.99 && cfg.optim.eps == 1e-8 && cfg.optim.momentum == 0);
    assert_int_equal(cfg.optim.centered, 0);
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=adagrad")), 0);
    assert_true(cfg.optim.eps == 1e-10 && cfg.optim.weight_decay == 0);
    /* a value given explicitly, even one equal to zero, is kept */
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=adamw", "weight_decay=0", "eps=1e-6")), 0);
    assert_true(cfg.optim.weight_decay == 0 && cfg.optim.eps == 1e-6);
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=adagrad", "eps=1e-8")), 0);
    assert_true(cfg.optim.eps == 1e-8);
    /* finalize is idempotent */
    lrs_trial_cfg_t again;
    memcpy(&again, &cfg, sizeof cfg);
    assert_int_equal(lrs_trial_cfg_finalize(&again, &err), 0);
    assert_memory_equal(&again, &cfg, sizeof cfg);
}

static void test_scheduler_defaults(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=step", "step_size=2")), 0);
    assert_true(cfg.sched.gamma == 0.1);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=multistep", "milestones=2")), 0);
    assert_true(cfg.sched.gamma == 0.1);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=cosine", "epochs=37")), 0);
    assert_int_equal(cfg.sched.T_max, 37);
    assert_true(cfg.sched.eta_min == 0);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=cosine_warm_restarts", "T_0=4")), 0);
    assert_int_equal(cfg.sched.T_mult, 1);
    assert_true(cfg.sched.eta_min == 0);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=linear")), 0);
    assert_true(cfg.sched.start_factor == 1.0 / 3 && cfg.sched.end_factor == 1.0);
    assert_int_equal(cfg.sched.total_iters, 5);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=onecycle", "lr=0.3")), 0);
    assert_true(cfg.sched.max_lr == 0.3 && cfg.sched.pct_start == 0.3);
    assert_true(cfg.sched.div_factor == 25 && cfg.sched.final_div_factor == 1e4);
    assert_int_equal(cfg.sched.anneal_strategy, 0);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=polynomial")), 0);
    assert_int_equal(cfg.sched.total_iters, 5);
    assert_true(cfg.sched.power == 1.0);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=plateau")), 0);
    assert_int_equal(cfg.sched.mode, 0);
    assert_true(cfg.sched.factor == 0.1 && cfg.sched.threshold == 1e-4 && cfg.sched.min_lr == 0);
    assert_int_equal(cfg.sched.patience, 10);
    assert_int_equal(cfg.sched.threshold_mode, 0);
    assert_int_equal(cfg.sched.cooldown, 0);
    assert_int_equal(build(&cfg, &err, WORDS("warmup_epochs=3")), 0);
    assert_true(cfg.sched.warmup_start_factor == 1.0 / 3);
    /* T_max and max_lr follow epochs and lr unless given */
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=cosine", "T_max=5", "epochs=50")), 0);
    assert_int_equal(cfg.sched.T_max, 5);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=onecycle", "max_lr=1", "lr=0.3")), 0);
    assert_true(cfg.sched.max_lr == 1.0);
}

static void test_branch_errors(void **state)
{
    (void)state;
    expect_build_error(WORDS("optimizer=sgd", "beta1=0.9"), "beta1 does not apply to optimizer sgd");
    expect_build_error(WORDS("eps=1e-8"), "eps does not apply to optimizer sgd");
    expect_build_error(WORDS("optimizer=adam", "momentum=0.9"), "momentum does not apply to optimizer adam");
    expect_build_error(WORDS("optimizer=adam", "centered=true"), "centered does not apply");
    expect_build_error(WORDS("scheduler=cosine", "step_size=3"), "step_size does not apply to scheduler cosine");
    expect_build_error(WORDS("gamma=0.5"), "gamma does not apply to scheduler constant");
    expect_build_error(WORDS("scheduler=step", "step_size=1", "T_max=3"), "T_max does not apply");
    expect_build_error(WORDS("scheduler=linear", "power=2"), "power does not apply to scheduler linear");
    /* the same parameters are fine where they belong */
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=rmsprop", "momentum=0.9", "centered=true")), 0);
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=polynomial", "total_iters=3", "power=2")), 0);
    /* lrs_param_active agrees */
    assert_true(lrs_param_active(lrs_param_find("momentum"), &cfg));
    assert_false(lrs_param_active(lrs_param_find("beta2"), &cfg));
    assert_true(lrs_param_active(lrs_param_find("power"), &cfg));
    assert_false(lrs_param_active(lrs_param_find("gamma"), &cfg));
    assert_true(lrs_param_active(lrs_param_find("epochs"), &cfg));
}

static void test_required(void **state)
{
    (void)state;
    expect_build_error(WORDS("scheduler=step"), "scheduler step requires step_size");
    expect_build_error(WORDS("scheduler=multistep", "gamma=0.5"), "scheduler multistep requires milestones");
    expect_build_error(WORDS("scheduler=exponential"), "scheduler exponential requires gamma");
    expect_build_error(WORDS("scheduler=cosine_warm_restarts", "T_mult=2"),
                       "scheduler cosine_warm_restarts requires T_0");
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(build(&cfg, &err, WORDS("scheduler=exponential", "gamma=0.9")), 0);
    assert_true(cfg.sched.gamma == 0.9);
}

static void test_nesterov_and_warmup_rules(void **state)
{
    (void)state;
    expect_build_error(WORDS("nesterov=true"), "nesterov=true requires momentum > 0 and dampening 0");
    expect_build_error(WORDS("nesterov=true", "momentum=0.9", "dampening=0.1"), "nesterov");
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    assert_int_equal(build(&cfg, &err, WORDS("nesterov=true", "momentum=0.9")), 0);
    assert_int_equal(build(&cfg, &err, WORDS("nesterov=false", "dampening=0.5")), 0);
    expect_build_error(WORDS("warmup_epochs=10", "epochs=10"), "warmup_epochs=10 must be less than epochs=10");
    expect_build_error(WORDS("scheduler=plateau", "warmup_epochs=2"), "plateau");
    assert_int_equal(build(&cfg, &err, WORDS("warmup_epochs=9", "epochs=10", "scheduler=cosine")), 0);
}

/* Formats every parameter of a finalized cfg, parses the texts into a fresh
 * cfg, finalizes that, and expects the same values. */
static void round_trip(const char *const *words)
{
    lrs_trial_cfg_t a, b;
    lrs_err_t err;
    if (build(&a, &err, words) < 0)
        fail_msg("'%s...': %s", words[0], err.msg);
    lrs_trial_cfg_init(&b);
    const lrs_param_info_t *t = lrs_param_table();
    for (int i = 0; i < LRS_P_COUNT; i++) {
        if (!((a.set_mask >> i) & 1u))
            continue;
        char text[1024];
        int n = lrs_trial_cfg_format(&a, (lrs_param_id_t)i, text, sizeof text);
        assert_true(n > 0 && n < (int)sizeof text);
        if (lrs_trial_cfg_set(&b, t[i].name, text, &err) < 0)
            fail_msg("%s=%s does not parse back: %s", t[i].name, text, err.msg);
    }
    assert_int_equal(lrs_trial_cfg_finalize(&b, &err), 0);
    for (int i = 0; i < LRS_P_COUNT; i++) {
        char ta[1024], tb[1024];
        lrs_trial_cfg_format(&a, (lrs_param_id_t)i, ta, sizeof ta);
        lrs_trial_cfg_format(&b, (lrs_param_id_t)i, tb, sizeof tb);
        if (strcmp(ta, tb) != 0)
            fail_msg("%s: %s became %s", t[i].name, ta, tb);
    }
    assert_true(a.set_mask == b.set_mask);
    assert_memory_equal(&a.optim, &b.optim, sizeof a.optim);
    assert_memory_equal(&a.sched, &b.sched, sizeof a.sched);
}

static void test_format_round_trip(void **state)
{
    (void)state;
    round_trip(WORDS("lr=0.1", "optimizer=sgd", "momentum=0.9", "nesterov=true", "weight_decay=1e-4",
                     "scheduler=multistep", "milestones=3,7,11", "gamma=0.3333333333333333", "epochs=20",
                     "batch_size=32"));
    round_trip(WORDS("lr=3e-4", "optimizer=adamw", "beta1=0.85", "beta2=0.9999", "eps=1e-7",
                     "scheduler=onecycle", "max_lr=0.01", "pct_start=0.25", "anneal_strategy=linear",
                     "div_factor=10", "final_div_factor=1000"));
    round_trip(WORDS("optimizer=rmsprop", "alpha=0.9", "centered=true", "scheduler=plateau", "mode=max",
                     "threshold_mode=abs", "factor=0.5", "patience=3", "threshold=0.01", "cooldown=2",
                     "min_lr=1e-6"));
    round_trip(WORDS("optimizer=adagrad", "scheduler=cosine_warm_restarts", "T_0=7", "T_mult=2",
                     "eta_min=1e-5", "warmup_epochs=3", "warmup_start_factor=0.1"));
    round_trip(WORDS("scheduler=linear", "start_factor=0.1", "end_factor=0.9", "total_iters=12", "lr=0.7"));
    round_trip(WORDS("scheduler=cosine", "T_max=13", "eta_min=0.001"));
    round_trip(WORDS("scheduler=polynomial", "power=2.5"));
    /* formatting choices, bools, floats and lists */
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    char text[64];
    assert_int_equal(build(&cfg, &err, WORDS("optimizer=adam", "lr=0.1", "scheduler=multistep",
                                             "milestones=4,9")), 0);
    lrs_trial_cfg_format(&cfg, LRS_P_OPTIMIZER, text, sizeof text);
    assert_string_equal(text, "adam");
    lrs_trial_cfg_format(&cfg, LRS_P_LR, text, sizeof text);
    assert_string_equal(text, "0.1");
    lrs_trial_cfg_format(&cfg, LRS_P_MILESTONES, text, sizeof text);
    assert_string_equal(text, "4,9");
    lrs_trial_cfg_format(&cfg, LRS_P_NESTEROV, text, sizeof text);
    assert_string_equal(text, "false");
    /* a short buffer truncates but reports the full length */
    assert_int_equal(lrs_trial_cfg_format(&cfg, LRS_P_MILESTONES, text, 2), 3);
    assert_string_equal(text, "4");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_table_is_consistent),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_init_defaults),
        cmocka_unit_test(test_parse_floats),
        cmocka_unit_test(test_parse_ints),
        cmocka_unit_test(test_choices_and_bools),
        cmocka_unit_test(test_milestones),
        cmocka_unit_test(test_assign_words),
        cmocka_unit_test(test_set_number),
        cmocka_unit_test(test_optimizer_defaults),
        cmocka_unit_test(test_scheduler_defaults),
        cmocka_unit_test(test_branch_errors),
        cmocka_unit_test(test_required),
        cmocka_unit_test(test_nesterov_and_warmup_rules),
        cmocka_unit_test(test_format_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
