/* test_exec_template.c — command templates: checking, expansion into argv
 * words (with and without a shell), LRSWEEP_PARAMS, program lookup and the
 * UTF-8 escaping used before output goes into JSON (worker/exec.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "worker/exec.h"

/* A finalized cfg from "name=value" words (NULL-terminated). */
static void make_cfg(lrs_trial_cfg_t *cfg, const char *const *words)
{
    lrs_err_t err;
    lrs_trial_cfg_init(cfg);
    for (; *words; words++)
        if (lrs_trial_cfg_assign(cfg, *words, &err) < 0)
            fail_msg("%s: %s", *words, err.msg);
    if (lrs_trial_cfg_finalize(cfg, &err) < 0)
        fail_msg("finalize: %s", err.msg);
}

/* Expands and compares with the expected words (NULL-terminated). */
static void expect_argv(const char *command, unsigned flags, const lrs_trial_cfg_t *cfg,
                        const char *const *expected)
{
    char **argv;
    int argc;
    lrs_err_t err;
    if (lrs_exec_expand(command, flags, cfg, &argv, &argc, &err) < 0)
        fail_msg("expand '%s': %s", command, err.msg);
    int n = 0;
    while (expected[n])
        n++;
    for (int i = 0; i < argc || i < n; i++) {
        const char *got = i < argc ? argv[i] : "(none)";
        const char *want = i < n ? expected[i] : "(none)";
        if (strcmp(got, want) != 0)
            fail_msg("'%s': word %d is [%s], expected [%s]", command, i, got, want);
    }
    assert_null(argv[argc]);
    lrs_exec_argv_free(&argv);
    assert_null(argv);
}

static void expect_error(const char *command, int shell, const char *fragment)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_exec_check_template(command, shell, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    if (!strstr(err.msg, fragment))
        fail_msg("'%s': error '%s' lacks '%s'", command, err.msg, fragment);
}

static void test_placeholders_and_args(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"lr=0.5", "scheduler=step", "step_size=3", "gamma=0.25",
                                         "epochs=7", NULL});
    expect_argv("python3 train.py --lr {lr} --scheduler {scheduler} {args}", 0, &cfg,
                (const char *const[]){"python3", "train.py", "--lr", "0.5", "--scheduler", "step",
                                      "--step_size", "3", "--gamma", "0.25", "--epochs", "7", NULL});
    /* {name} inside a word, and a parameter the trial did not set (its default) */
    expect_argv("prog --lr={lr} --momentum={momentum} x{epochs}y", 0, &cfg,
                (const char *const[]){"prog", "--lr=0.5", "--momentum=0.0", "x7y", NULL});
    /* {args} skips what the template names itself; {{ }} are literal braces */
    expect_argv("prog {args} --gamma {gamma} {{lr}} ${HOME}", 0, &cfg,
                (const char *const[]){"prog", "--lr", "0.5", "--scheduler", "step", "--step_size", "3",
                                      "--epochs", "7", "--gamma", "0.25", "{lr}", "${HOME}", NULL});
}

static void test_inactive_parameter_vanishes(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"optimizer=adam", "lr=0.001", "beta1=0.8", NULL});
    /* momentum does not apply to adam: the bare word disappears, a word with
     * more text keeps its text */
    expect_argv("prog {momentum} --m={momentum} {beta1} {step_size} '' end", 0, &cfg,
                (const char *const[]){"prog", "--m=", "0.8", "", "end", NULL});
    expect_argv("prog {args}", 0, &cfg,
                (const char *const[]){"prog", "--lr", "0.001", "--optimizer", "adam", "--beta1",
                                      "0.8", NULL});
}

static void test_quoting_without_shell(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"lr=0.25", "milestones=2,5", "scheduler=multistep", NULL});
    expect_argv("  sh -c 'echo \"$1\" {lr}' x\\ y \"a b\\\"c\" {milestones}  ", 0, &cfg,
                (const char *const[]){"sh", "-c", "echo \"$1\" 0.25", "x y", "a b\"c", "2,5", NULL});
}

static void test_shell_mode(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"lr=0.5", "optimizer=sgd", "nesterov=true", "momentum=0.9",
                                         NULL});
    expect_argv("cd /tmp && python3 t.py --lr {lr} {beta1} {args} | tee log", 1, &cfg,
                (const char *const[]){"/bin/sh", "-c",
                                      "cd /tmp && python3 t.py --lr '0.5'  --optimizer 'sgd' "
                                      "--momentum '0.9' --nesterov 'true' | tee log",
                                      NULL});
}

static void test_check_errors(void **state)
{
    (void)state;
    expect_error("python3 train.py --lr {lr} --x {learning_rate}", 0, "{learning_rate} at column 32");
    expect_error("python3 train.py --lr {lr} --x {learning_rate}", 1, "is not a parameter");
    expect_error("prog {args} {args}", 0, "appears twice");
    expect_error("prog --{args}", 0, "{args} at column 8 must be a word of its own");
    expect_error("prog {args}x", 0, "must be a word of its own");
    expect_error("prog '{args}'", 0, "must be a word of its own");
    expect_error("prog 'unclosed", 0, "quote ' at column 6 is never closed");
    expect_error("prog \\", 0, "trailing backslash");
    expect_error("", 0, "empty");
    expect_error("   ", 0, "no words");
    lrs_err_t err;
    /* with a shell, {args} may sit anywhere and quotes are the shell's business */
    assert_int_equal(lrs_exec_check_template("prog --{args} 'x", 1, &err), 0);
    /* text that only looks like a placeholder is literal */
    assert_int_equal(lrs_exec_check_template("awk '{ print $1 }' ${HOME} {1} {lr", 0, &err), 0);
}

static void test_nothing_to_run(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"optimizer=adam", NULL});
    char **argv = (char **)1;
    int argc = 7;
    lrs_err_t err;
    assert_int_equal(lrs_exec_expand("{momentum}", 0, &cfg, &argv, &argc, &err), -1);
    assert_null(argv);
    assert_int_equal(argc, 0);
    assert_non_null(strstr(err.msg, "nothing to run"));
}

static void test_params_json(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"lr=0.1", "scheduler=multistep", "milestones=3,6",
                                         "nesterov=true", "momentum=0.5", "epochs=9", NULL});
    char *json = lrs_exec_params_json(&cfg);
    assert_non_null(json);
    assert_string_equal(json, "{\"lr\": 0.1, \"momentum\": 0.5, \"nesterov\": true, "
                              "\"scheduler\": \"multistep\", \"milestones\": [3, 6], \"epochs\": 9}");
    free(json);
}

static void test_find_program(void **state)
{
    (void)state;
    char *p = lrs_exec_find_program("sh", "/nonexistent-dir::/bin:/usr/bin");
    assert_non_null(p);
    assert_string_equal(p, "/bin/sh");
    free(p);
    assert_null(lrs_exec_find_program("lrsweep-no-such-program-x", "/bin:/usr/bin"));
    assert_null(lrs_exec_find_program("/etc/passwd", NULL));   /* not executable */
    p = lrs_exec_find_program("/bin/sh", "");
    assert_non_null(p);
    free(p);
}

static void test_template_program(void **state)
{
    (void)state;
    char *p = lrs_exec_template_program("'my trainer' --lr {lr} {args}", 0, NULL, 0);
    assert_non_null(p);
    assert_string_equal(p, "my trainer");
    free(p);
    assert_null(lrs_exec_template_program("cd x && python3 t.py", 1, NULL, 0));
    assert_null(lrs_exec_template_program("prog {nope}", 0, NULL, 0));
    /* A user placeholder is known (and empty) when its name is given. */
    const char *const users[] = {"dropout"};
    assert_null(lrs_exec_template_program("python3 t.py --drop {dropout}", 0, NULL, 0));
    p = lrs_exec_template_program("python3 t.py --drop {dropout} {args}", 0, users, 1);
    assert_non_null(p);
    assert_string_equal(p, "python3");
    free(p);
}

/* args: {dashes: true}: {args} writes --weight-decay, the template's own
 * words and {name} values are untouched. */
static void test_args_dashes(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"lr=0.1", "optimizer=adamw", "weight_decay=0.01", NULL});
    const char *plain[] = {"t_x", "--a_b", "--lr", "0.1", "--optimizer", "adamw", "--weight_decay", "0.01", NULL};
    expect_argv("t_x --a_b {args}", 0, &cfg, plain);
    const char *dashed[] = {"t_x", "--a_b", "--lr", "0.1", "--optimizer", "adamw", "--weight-decay", "0.01", NULL};
    expect_argv("t_x --a_b {args}", LRS_EXEC_DASHES, &cfg, dashed);
    const char *named[] = {"t", "--w", "0.01", "--lr", "0.1", "--optimizer", "adamw", NULL};
    expect_argv("t --w {weight_decay} {args}", LRS_EXEC_DASHES, &cfg, named);
    const char *shell[] = {"/bin/sh", "-c", "t --lr '0.1' --optimizer 'adamw' --weight-decay '0.01'", NULL};
    expect_argv("t {args}", LRS_EXEC_SHELL | LRS_EXEC_DASHES, &cfg, shell);
    lrs_exec_spec_t ex = {.shell = 1, .args_dashes = 1};
    assert_int_equal(lrs_exec_flags(&ex), LRS_EXEC_SHELL | LRS_EXEC_DASHES);
    ex.shell = 0;
    assert_int_equal(lrs_exec_flags(&ex), LRS_EXEC_DASHES);
}

static void test_escape_text(void **state)
{
    (void)state;
    const char raw[] = "ok \xc3\xa9 \xff\xfe bad \xe2\x82 cut\x00z";
    char *s = lrs_exec_escape_text(raw, sizeof raw - 1);
    assert_non_null(s);
    assert_string_equal(s, "ok \xc3\xa9 \\xff\\xfe bad \\xe2\\x82 cut\\x00z");
    free(s);
}

/* Random templates never crash the scanner, and expansion agrees with the
 * check: what the check accepts expands (or has nothing left to run). */
static void test_random_templates_are_safe(void **state)
{
    (void)state;
    static const char *const pieces[] = {"{lr}", "{args}", "{momentum}", "{{", "}}", "{", "}", "'", "\"",
                                         "\\", " ", "x", "${", "{nope}", "--a=", "\t", "{beta1}"};
    const size_t n_pieces = sizeof pieces / sizeof pieces[0];
    lrs_trial_cfg_t cfg;
    make_cfg(&cfg, (const char *const[]){"lr=0.5", "optimizer=adam", "beta1=0.8", NULL});
    uint64_t x = 0x243f6a8885a308d3ull;
    int accepted = 0;
    for (int iter = 0; iter < 5000; iter++) {
        char command[256] = "prog ";
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int count = (int)(x % 10);
        for (int k = 0; k < count; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            strcat(command, pieces[x % n_pieces]);
        }
        for (int shell = 0; shell <= 1; shell++) {
            lrs_err_t err;
            int ok = lrs_exec_check_template(command, shell, &err) == 0;
            char **argv;
            int argc;
            int expanded = lrs_exec_expand(command, shell ? LRS_EXEC_SHELL : 0u, &cfg, &argv, &argc, &err) == 0;
            if (expanded) {
                assert_true(ok);
                assert_true(argc >= 1);
                lrs_exec_argv_free(&argv);
            } else if (ok && !strstr(err.msg, "nothing to run")) {
                fail_msg("'%s' (shell %d) passed the check but did not expand: %s", command, shell,
                         err.msg);
            }
            accepted += ok;
        }
    }
    printf("random templates: %d of 10000 accepted\n", accepted);
    assert_true(accepted > 0 && accepted < 10000);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_placeholders_and_args),
        cmocka_unit_test(test_inactive_parameter_vanishes),
        cmocka_unit_test(test_quoting_without_shell),
        cmocka_unit_test(test_shell_mode),
        cmocka_unit_test(test_check_errors),
        cmocka_unit_test(test_nothing_to_run),
        cmocka_unit_test(test_params_json),
        cmocka_unit_test(test_find_program),
        cmocka_unit_test(test_template_program),
        cmocka_unit_test(test_args_dashes),
        cmocka_unit_test(test_escape_text),
        cmocka_unit_test(test_random_templates_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
