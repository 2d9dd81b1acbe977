/* test_user_params.c — a command sweep's own parameters (common/space_user.h):
 * the typo and alias rules, types from what is written, deterministic
 * sampling into the config's user slots, conditional user parameters,
 * `user:` declarations, placeholders, {args} and LRSWEEP_PARAMS, and the
 * errors validate shows.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/command.h"
#include "common/space_user.h"
#include "common/spec.h"

#define HEAD "name: u\ntrials: 8\nseed: 5\nmetric: val_loss\n"

static lrs_spec_t *parse_ok(const char *text)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_parse("u.yaml", text, strlen(text), NULL, &spec, &err) < 0)
        fail_msg("parse: %s", err.msg);
    return spec;
}

static void expect_refused(const char *text, const char *fragment)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_spec_parse("u.yaml", text, strlen(text), NULL, &spec, &err), -1);
    assert_null(spec);
    if (!strstr(err.msg, fragment))
        fail_msg("error '%s' lacks '%s'", err.msg, fragment);
}

static void sample_json(const lrs_spec_t *spec, uint64_t i, lrs_trial_cfg_t *cfg, char *json,
                        size_t size)
{
    lrs_err_t err;
    if (lrs_spec_sample(spec, i, cfg, NULL, &err) < 0)
        fail_msg("sample %llu: %s", (unsigned long long)i, err.msg);
    assert_true(lrs_trial_cfg_json(cfg, json, size) > 0);
}

static void test_typo_and_alias_rules(void **state)
{
    (void)state;
    assert_string_equal(lrs_user_typo_of("momentun"), "momentum");
    assert_string_equal(lrs_user_typo_of("gama"), "gamma");
    assert_string_equal(lrs_user_typo_of("eta_mn"), "eta_min");
    assert_string_equal(lrs_user_typo_of("mometnum"), "momentum");   /* a swap */
    assert_null(lrs_user_typo_of("momentum"));
    assert_null(lrs_user_typo_of("dropout"));
    assert_null(lrs_user_typo_of("l2"));                /* lr is too short to guard */
    assert_null(lrs_user_typo_of("hidden_size"));
    assert_string_equal(lrs_user_alias_of("learning_rate"), "lr");
    assert_string_equal(lrs_user_alias_of("lr_gamma"), "gamma");
    assert_string_equal(lrs_user_alias_of("lr_step_size"), "step_size");
    assert_null(lrs_user_alias_of("dropout"));
}

static void test_types_and_determinism(void **state)
{
    (void)state;
    const char *text = HEAD "command: prog {args}\n"
                            "search:\n"
                            "  lr: {log_uniform: [0.001, 0.1]}\n"
                            "  dropout: {uniform: [0.0, 0.5]}\n"
                            "  width: {values: [32, 64]}\n"
                            "  scale: {values: [1, 2.5]}\n"
                            "  act: {values: [relu, tanh]}\n"
                            "  bn: {values: [true, false]}\n"
                            "  tag: '7'\n"
                            "  warmup_steps: {int_uniform: [0, 100]}\n";
    lrs_spec_t *a = parse_ok(text), *b = parse_ok(text);
    assert_int_equal(lrs_spec_param_count(a), 7);
    int seen_tanh = 0, seen_relu = 0;
    for (uint64_t i = 0; i < 8; i++) {
        lrs_trial_cfg_t ca, cb;
        char ja[2048], jb[2048];
        sample_json(a, i, &ca, ja, sizeof ja);
        sample_json(b, i, &cb, jb, sizeof jb);
        assert_string_equal(ja, jb);   /* trial i = f(seed, i) */
        /* lrsweep's first, then the script's by name, each with its type */
        assert_true(strncmp(ja, "{\"lr\": ", 7) == 0);
        const char *act = strstr(ja, "\"act\": \""), *bn = strstr(ja, "\"bn\": ");
        const char *drop = strstr(ja, "\"dropout\": 0."), *tag = strstr(ja, "\"tag\": \"7\"");
        const char *width = strstr(ja, "\"width\": "), *scale = strstr(ja, "\"scale\": ");
        assert_non_null(act);
        assert_non_null(bn);
        assert_non_null(drop);
        assert_non_null(tag);
        assert_true(act < bn && bn < drop && drop < strstr(ja, "\"scale\"") && tag < width);
        assert_true(strncmp(bn + 6, "true", 4) == 0 || strncmp(bn + 6, "false", 5) == 0);
        assert_true(strcmp(width + 9, "32}") == 0 || strcmp(width + 9, "64}") == 0);   /* last by name */
        assert_true(strncmp(scale + 9, "1.0,", 4) == 0 || strncmp(scale + 9, "2.5,", 4) == 0);
        seen_tanh |= strstr(act, "tanh") == act + 8;
        seen_relu |= strstr(act, "relu") == act + 8;
        int slot = lrs_trial_cfg_user_slot(&ca, "dropout");
        assert_true(slot >= 0);
        assert_true(ca.user[slot].number >= 0.0 && ca.user[slot].number <= 0.5);
    }
    assert_true(seen_tanh && seen_relu);
    lrs_spec_destroy(&a);
    lrs_spec_destroy(&b);
}

static void expect_words(const lrs_spec_t *spec, uint64_t i, const char *const *want)
{
    lrs_trial_cfg_t cfg;
    char json[2048];
    sample_json(spec, i, &cfg, json, sizeof json);
    char **argv;
    int argc;
    lrs_err_t err;
    const lrs_exec_spec_t *ex = lrs_spec_info(spec)->exec;
    if (lrs_exec_expand(ex->command, lrs_exec_flags(ex), &cfg, &argv, &argc, &err) < 0)
        fail_msg("expand: %s", err.msg);
    int n = 0;
    while (want[n])
        n++;
    for (int k = 0; k < argc || k < n; k++) {
        const char *got = k < argc ? argv[k] : "(none)", *w = k < n ? want[k] : "(none)";
        if (strcmp(w, "*") != 0 && strcmp(got, w) != 0)
            fail_msg("trial %llu word %d is [%s], expected [%s]", (unsigned long long)i, k, got, w);
    }
    lrs_exec_argv_free(&argv);
}

static void test_conditional_placeholders_args(void **state)
{
    (void)state;
    const char *text = HEAD "sampler: grid\n"
                            "command: prog --d {dropout} {args}\n"
                            "search:\n"
                            "  optimizer:\n"
                            "    sgd: {lr: 0.1}\n"
                            "    adam: {lr: 0.001, dropout: {values: [0.1, 0.2]}}\n"
                            "  bn: {values: [true]}\n";
    lrs_spec_t *spec = parse_ok(text);
    assert_int_equal(lrs_spec_trial_count(spec), 3);   /* adam × 2 dropouts + sgd */
    /* grid order: optimizer choices in table order (sgd, adam) */
    expect_words(spec, 0, (const char *const[]){"prog", "--d", "--lr", "0.1", "--optimizer", "sgd",
                                                "--bn", "true", NULL});
    expect_words(spec, 1, (const char *const[]){"prog", "--d", "0.1", "--lr", "0.001", "--optimizer",
                                                "adam", "--bn", "true", NULL});
    lrs_trial_cfg_t cfg;
    char json[2048];
    sample_json(spec, 2, &cfg, json, sizeof json);
    char *env = lrs_exec_params_json(&cfg);
    assert_non_null(env);
    assert_string_equal(env, "{\"lr\": 0.001, \"optimizer\": \"adam\", \"bn\": true, \"dropout\": 0.2}");
    free(env);
    lrs_spec_destroy(&spec);
}

static void test_declared_names(void **state)
{
    (void)state;
    /* gamma under user: is the focal loss's, not the scheduler's */
    lrs_spec_t *spec = parse_ok(HEAD "user: [gamma]\ncommand: prog --gamma {gamma}\n"
                                     "search:\n  lr: 0.01\n  gamma: {values: [0, 2]}\n");
    lrs_trial_cfg_t cfg;
    char json[2048];
    sample_json(spec, 0, &cfg, json, sizeof json);
    assert_true(strstr(json, "\"gamma\": 0") || strstr(json, "\"gamma\": 2"));
    assert_false((cfg.set_mask >> LRS_P_GAMMA) & 1u);
    lrs_spec_destroy(&spec);
    /* declared and searched only under cosine: a step trial's {gamma} is
     * empty, not StepLR's default 0.1 */
    spec = parse_ok(HEAD "user: [gamma]\nsampler: grid\ncommand: prog --g {gamma} {args}\nsearch:\n"
                         "  lr: 0.01\n  scheduler:\n    step: {step_size: 2}\n"
                         "    cosine: {gamma: 0.5}\n");
    expect_words(spec, 0, (const char *const[]){"prog", "--g", "--lr", "0.01", "--scheduler", "step",
                                                "--step_size", "2", NULL});
    expect_words(spec, 1, (const char *const[]){"prog", "--g", "0.5", "--lr", "0.01", "--scheduler",
                                                "cosine", NULL});
    lrs_spec_destroy(&spec);
    /* declared and never searched: still the script's, empty in every trial */
    spec = parse_ok(HEAD "user: [gamma]\ncommand: prog --g {gamma} {args}\nsearch:\n  lr: 0.01\n"
                         "  scheduler: {step: {step_size: 2}}\n");
    expect_words(spec, 0, (const char *const[]){"prog", "--g", "--lr", "0.01", "--scheduler", "step",
                                                "--step_size", "2", NULL});
    lrs_spec_destroy(&spec);
    /* args: {dashes: true} writes --hidden-size and --step-size */
    spec = parse_ok(HEAD "args: {dashes: true}\ncommand: prog {args}\nsearch:\n  lr: 0.01\n"
                         "  hidden_size: 64\n  scheduler: {step: {step_size: 2}}\n");
    expect_words(spec, 0, (const char *const[]){"prog", "--lr", "0.01", "--scheduler", "step",
                                                "--step-size", "2", "--hidden-size", "64", NULL});
    lrs_spec_destroy(&spec);
    /* a typo declared as the script's own is kept */
    spec = parse_ok(HEAD "user: [gama]\ncommand: prog {args}\nsearch:\n  gama: 1\n");
    lrs_spec_destroy(&spec);
    /* an alias is the script's own, noted for the warning */
    spec = parse_ok(HEAD "command: prog {args}\nsearch:\n  learning_rate: 0.1\n");
    assert_string_equal(lrs_spec_users(spec)->alias, "learning_rate");
    assert_string_equal(lrs_spec_users(spec)->alias_of, "lr");
    lrs_spec_destroy(&spec);
    spec = parse_ok(HEAD "user: [learning_rate]\ncommand: prog {args}\nsearch:\n  learning_rate: 0.1\n");
    assert_null(lrs_spec_users(spec)->alias);
    lrs_spec_destroy(&spec);
}

static void test_errors(void **state)
{
    (void)state;
    expect_refused(HEAD "command: prog {args}\nsearch:\n  momentun: 0.9\n", "did you mean 'momentum'?");
    expect_refused(HEAD "command: prog {args}\nsearch:\n  eta_mn: 0.0\n", "did you mean 'eta_min'?");
    expect_refused(HEAD "command: prog {args}\nsearch:\n  Dropout: 0.1\n", "[a-z_][a-z0-9_]*");
    expect_refused(HEAD "command: prog {nope}\nsearch:\n  dropout: 0.1\n", "{nope} at column 6");
    expect_refused(HEAD "command: prog {args}\nsearch:\n  dropout: {uniform: [0.5, 0.1]}\n",
                   "low 0.5 must be less than high 0.1");
    expect_refused(HEAD "command: prog {args}\nsearch:\n  width: {int_uniform: [8, 2.5]}\n",
                   "search.width.int_uniform");
    expect_refused(HEAD "command: prog {args}\nsearch:\n  dropout: 0.1\n"
                        "  optimizer: {adam: {dropout: 0.2}}\n",
                   "dropout is already given for the same trials");
    expect_refused(HEAD "command: prog {args}\nuser: [a, a]\nsearch:\n  a: 1\n", "declared twice");
    expect_refused(HEAD "command: prog {args}\nargs: {dashes: yes_please}\nsearch:\n  a: 1\n",
                   "args.dashes");
    expect_refused(HEAD "command: prog {args}\nargs: {dash: true}\nsearch:\n  a: 1\n",
                   "args: unknown key 'dash': expected one of dashes");
    expect_refused(HEAD "command: prog {args}\nargs: true\nsearch:\n  a: 1\n",
                   "args: expected a mapping, got");
    expect_refused(HEAD "data: {path: x.csv, target: y}\nargs: {dashes: true}\nsearch:\n  lr: 0.1\n",
                   "args: applies only to an exec spec");
    expect_refused("name: u\ntrials: 2\nmetric: val_loss\ndata: {synthetic: {rows: 20, features: 2}}\n"
                   "search:\n  dropout: 0.1\n",
                   "a script's own parameters need command:");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typo_and_alias_rules),
        cmocka_unit_test(test_types_and_determinism),
        cmocka_unit_test(test_conditional_placeholders_args),
        cmocka_unit_test(test_declared_names),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
