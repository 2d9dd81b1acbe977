/* test_worker_commands.c — a worker never runs a command it was not
 * allowed to: the sweep context of a command sweep built without
 * --allow-commands refuses every trial (a failed attempt, the command not
 * started), whatever a coordinator sends; with it, the command runs. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/protocol.h"
#include "common/spec.h"
#include "support.h"
#include "worker/sweep_ctx.h"

static void run_one(int allowed, const char *marker, lrs_wire_result_t *out)
{
    char spec_text[512];
    snprintf(spec_text, sizeof spec_text,
             "name: cmds\nseed: 1\ntrials: 2\n"
             "command: \"touch %s; echo epoch=1 val_loss=0.5\"\nshell: true\n"
             "metric: {name: val_loss, goal: minimize}\n"
             "search:\n  lr: {log_uniform: [0.01, 0.1]}\n", marker);
    lrs_spec_t *spec;
    lrs_err_t err;
    assert_int_equal(lrs_spec_parse("cmds.yaml", spec_text, strlen(spec_text), NULL, &spec, &err), 0);
    lrs_msg_t w;
    memset(&w, 0, sizeof w);
    w.type = LRS_MSG_WELCOME;
    w.sweep = 77;
    w.sweep_name = "cmds";
    w.spec_text = spec_text;
    w.spec_len = strlen(spec_text);
    w.space_hash = lrs_spec_space_hash(spec);
    lrs_trial_cfg_t cfg;
    uint64_t seed;
    assert_int_equal(lrs_spec_sample(spec, 0, &cfg, &seed, &err), 0);
    lrs_sweep_ctx_t *c = lrs_sweep_ctx_new(&w, NULL, 0, NULL, allowed, &err);
    assert_non_null(c);
    assert_int_equal(lrs_sweep_ctx_may_run(c), allowed);
    lrs_wire_trial_t t = {.trial = 0, .attempt = 1, .seed = seed};
    assert_int_equal(lrs_sweep_ctx_run_trial(c, &t, NULL, out), 0);
    lrs_sweep_ctx_unref(c);
    lrs_spec_destroy(&spec);
}

static void test_refused_without_permission(void **state)
{
    (void)state;
    char dir[] = "/tmp/lrs-cmds-XXXXXX", marker[256];
    sup_tmpdir(dir, "ran", marker, sizeof marker);
    lrs_wire_result_t r;
    run_one(0, marker, &r);
    assert_int_equal(r.result.status, LRS_STATUS_FAILED);
    assert_null(r.result.command);   /* an attempt that could not run, not the command's outcome */
    assert_non_null(r.result.error);
    assert_non_null(strstr(r.result.error, "--allow-commands"));
    assert_int_equal(access(marker, F_OK), -1);   /* the command never started */
    lrs_wire_result_clear(&r);

    run_one(1, marker, &r);
    assert_int_equal(r.result.status, LRS_STATUS_COMPLETE);
    assert_true(r.result.score == 0.5);
    assert_int_equal(access(marker, F_OK), 0);
    lrs_wire_result_clear(&r);
    sup_rm_rf(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_refused_without_permission),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
