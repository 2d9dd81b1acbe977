/* test_pycmd.c — which command lines a preload helper runs as they are. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "common/pycmd.h"

static int parse(const char *const *words, lrs_pycmd_t *cmd, char *why)
{
    int n = 0;
    while (words[n])
        n++;
    return lrs_pycmd_parse((char *const *)words, n, cmd, why, 200);
}

static void expect_ok(const char *const *words, int n_opts, int target, int module)
{
    lrs_pycmd_t cmd;
    char why[200] = "";
    if (!parse(words, &cmd, why))
        fail_msg("%s ...: refused: %s", words[0], why);
    assert_int_equal(cmd.n_opts, n_opts);
    assert_int_equal(cmd.target, target);
    assert_int_equal(cmd.module, module);
}

static void expect_refused(const char *const *words, const char *fragment)
{
    lrs_pycmd_t cmd;
    char why[200] = "";
    assert_int_equal(parse(words, &cmd, why), 0);
    if (!strstr(why, fragment))
        fail_msg("reason '%s' lacks '%s'", why, fragment);
}

static void test_scripts_and_modules(void **state)
{
    (void)state;
    expect_ok((const char *[]){"python3", "train.py", "--lr", "0.1", NULL}, 0, 1, 0);
    expect_ok((const char *[]){"/usr/bin/python3.11", "-u", "train.py", NULL}, 1, 2, 0);
    expect_ok((const char *[]){"python", "-uB", "-W", "ignore", "-Xdev", "t.py", "-m", "x", NULL}, 4, 5, 0);
    expect_ok((const char *[]){"python3", "-u", "--", "-odd-name.py", NULL}, 1, 3, 0);
    expect_ok((const char *[]){"python3", "-m", "pkg.train", "--lr", "1", NULL}, 0, 2, 1);
    expect_ok((const char *[]){"python3", "-OO", "-m", "pkg", NULL}, 1, 3, 1);
}

static void test_refused(void **state)
{
    (void)state;
    expect_refused((const char *[]){"sh", "-c", "python3 t.py", NULL}, "'sh' is not a Python interpreter");
    expect_refused((const char *[]){"python3x", "t.py", NULL}, "not a Python interpreter");
    expect_refused((const char *[]){"pythonw", "t.py", NULL}, "not a Python interpreter");
    expect_refused((const char *[]){"python3", "-c", "print(1)", NULL}, "option -c");
    expect_refused((const char *[]){"python3", "-i", "t.py", NULL}, "option -i");
    expect_refused((const char *[]){"python3", "-", NULL}, "stdin");
    expect_refused((const char *[]){"python3", "--version", NULL}, "'--version'");
    expect_refused((const char *[]){"python3", "-u", NULL}, "names no script");
    expect_refused((const char *[]){"python3", "-W", NULL}, "lacks its argument");
    expect_refused((const char *[]){"python3", "-mpkg", NULL}, "-m MODULE as two words");
    expect_refused((const char *[]){"python3", "-m", NULL}, "-m MODULE as two words");
    expect_refused((const char *[]){"python3", "-um", "pkg", NULL}, "-m MODULE as two words");
    expect_refused((const char *[]){"python3", "--", NULL}, "no script after --");
}

static void test_plan(void **state)
{
    (void)state;
    lrs_pycmd_t cmd;
    char why[200] = "";
    char *argv[] = {"python3", "t.py", NULL};
    assert_int_equal(lrs_pycmd_plan(0, argv, 2, &cmd, why, sizeof why), 1);
    assert_int_equal(cmd.target, 1);
    assert_int_equal(lrs_pycmd_plan(1, NULL, 0, &cmd, why, sizeof why), 0);
    assert_string_equal(why, "preload: shell: true runs the command with /bin/sh");
    char *sh[] = {"sh", "t.py", NULL};
    assert_int_equal(lrs_pycmd_plan(0, sh, 2, &cmd, why, sizeof why), 0);
    assert_string_equal(why, "preload: 'sh' is not a Python interpreter");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scripts_and_modules),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_plan),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
