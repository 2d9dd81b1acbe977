/* test_forksrv.c — preload helpers (worker/forksrv.h) with /usr/bin/python3:
 * a helper forks runs that see its imports, reports exit statuses, says
 * when it is gone; through lrs_exec_run a helper that died while idle is
 * replaced and the trial runs, a run that ignores SIGTERM is killed with
 * its group at the timeout, and a cancel ends a run. */
#define _GNU_SOURCE

#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "worker/exec.h"
#include "worker/exec_env.h"
#include "worker/forksrv.h"

#define PY "/usr/bin/python3"

static char dir[64];

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof dir, "/tmp/lrs_forksrv_XXXXXX");
    if (!mkdtemp(dir))
        return -1;
    char path[128];
    snprintf(path, sizeof path, "%s/t.py", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs("import json, os, sys, time\n"
          "mode = sys.argv[1]\n"
          "if mode == 'exit': sys.exit(int(sys.argv[2]))\n"
          "if mode == 'stubborn':\n"
          "    import signal\n"
          "    signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
          "    if os.fork() == 0: time.sleep(60)\n"
          "    time.sleep(60)\n"
          "print('json_loaded=%d' % ('json' in sys.modules))\n"
          "print('helper=%d' % os.getppid())\n"
          "print('val_loss=0.5')\n",
          f);
    return fclose(f);
}

static int teardown(void **state)
{
    (void)state;
    lrs_forksrv_close_all();
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    return system(cmd) == 0 ? 0 : -1;
}

static char *const env[] = {"PATH=/usr/bin:/bin", "LRSWEEP_TRIAL=1", NULL};
static const char *const preload[] = {"json"};

/* One run through fs; its stdout in out, its wait status returned. */
static int run_through(lrs_forksrv_t *fs, char **argv, int argc, const lrs_pycmd_t *py, char *out,
                       size_t size)
{
    int p[2];
    assert_int_equal(pipe(p), 0);
    lrs_err_t err;
    lrs_err_clear(&err);
    pid_t pid = lrs_forksrv_spawn(fs, argv, argc, py, env, dir, 0, p[1], 2, &err);
    if (pid <= 0)
        fail_msg("spawn: %ld %s", (long)pid, err.msg);
    close(p[1]);
    size_t n = 0;
    ssize_t got;
    while ((got = read(p[0], out + n, size - 1 - n)) > 0)
        n += (size_t)got;
    out[n] = '\0';
    close(p[0]);
    while (lrs_forksrv_exited(fs) == 0)
        usleep(1000);
    int status = -1;
    assert_int_equal(lrs_forksrv_reap(fs, &status), 0);
    return status;
}

static void test_helper_runs(void **state)
{
    (void)state;
    char script[128];
    snprintf(script, sizeof script, "%s/t.py", dir);
    char *argv[] = {PY, "-u", script, "ok", NULL};
    lrs_pycmd_t py;
    char why[200];
    assert_int_equal(lrs_pycmd_parse(argv, 4, &py, why, sizeof why), 1);
    lrs_err_t err;
    lrs_forksrv_t *fs = lrs_forksrv_take(PY, argv, &py, preload, 1, env, &err);
    if (!fs)
        fail_msg("take: %s", err.msg);
    assert_int_equal(lrs_forksrv_threads(fs), 1);
    char out[4096];
    int st = run_through(fs, argv, 4, &py, out, sizeof out);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    assert_non_null(strstr(out, "json_loaded=1\n"));
    char want[64];
    snprintf(want, sizeof want, "helper=%ld\n", (long)lrs_forksrv_pid(fs));
    assert_non_null(strstr(out, want));
    char *argv3[] = {PY, "-u", script, "exit", "3", NULL};
    st = run_through(fs, argv3, 5, &py, out, sizeof out);
    assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    /* the same key gets the same helper back; a dead one says so */
    lrs_forksrv_give(fs);
    lrs_forksrv_t *again = lrs_forksrv_take(PY, argv, &py, preload, 1, env, &err);
    assert_ptr_equal(again, fs);
    kill(lrs_forksrv_pid(fs), SIGKILL);
    usleep(100000);
    assert_int_equal(lrs_forksrv_spawn(fs, argv, 4, &py, env, dir, 0, 1, 2, &err), -2);
    lrs_forksrv_give(fs);   /* gone: ended, not kept */
    lrs_forksrv_t *fresh = lrs_forksrv_take(PY, argv, &py, preload, 1, env, &err);
    assert_non_null(fresh);
    assert_int_not_equal(lrs_forksrv_pid(fresh), 0);
    lrs_forksrv_give(fresh);
}

static lrs_exec_spec_t preload_spec(const char *command)
{
    lrs_exec_spec_t spec;
    memset(&spec, 0, sizeof spec);
    spec.command = command;
    spec.metric = "val_loss";
    spec.kill_grace_s = 0.3;
    spec.workdir = dir;
    spec.preload_set = 1;
    spec.preload = preload;
    spec.n_preload = 1;
    return spec;
}

static double final_of(const lrs_exec_result_t *r, const char *name)
{
    for (int i = 0; i < r->n_names; i++)
        if (strcmp(r->names[i], name) == 0)
            return r->finals[i];
    fail_msg("metric '%s' was not recorded; log: %s", name, r->log ? r->log : "");
    return 0;
}

static void run_trial(const lrs_exec_spec_t *spec, const lrs_exec_hooks_t *hooks, lrs_exec_result_t *r)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(lrs_trial_cfg_finalize(&cfg, &err), 0);
    if (lrs_exec_run(spec, &cfg, 7, 99, hooks, r, &err) < 0)
        fail_msg("lrs_exec_run: %s", err.msg);
}

/* The helper lrs_exec_run would take for spec's trial 7 (seed 99). */
static lrs_forksrv_t *trial_helper(const lrs_exec_spec_t *spec, char **argv, int argc)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    assert_int_equal(lrs_trial_cfg_finalize(&cfg, &err), 0);
    lrs_words_t envp = {0};
    int fold_at;
    assert_int_equal(lrs_exec_trial_env(spec, &cfg, 7, 99, NULL, &envp, &fold_at), 0);
    lrs_pycmd_t py;
    char why[200];
    assert_int_equal(lrs_pycmd_parse(argv, argc, &py, why, sizeof why), 1);
    lrs_forksrv_t *fs = lrs_forksrv_take(PY, argv, &py, preload, 1, envp.v, &err);
    lrs_words_free(&envp);
    assert_non_null(fs);
    return fs;
}

static void test_trial_after_helper_death(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = preload_spec(PY " t.py ok");
    lrs_exec_result_t r;
    run_trial(&spec, NULL, &r);
    assert_int_equal(r.status, LRS_STATUS_COMPLETE);
    assert_true(final_of(&r, "json_loaded") == 1.0);
    double first = final_of(&r, "helper");
    lrs_exec_result_free(&r);
    /* kill the idle helper the next trial will take */
    char *argv[] = {PY, "t.py", "ok", NULL};
    lrs_forksrv_t *fs = trial_helper(&spec, argv, 3);
    assert_true((double)lrs_forksrv_pid(fs) == first);
    kill(lrs_forksrv_pid(fs), SIGKILL);
    usleep(100000);
    lrs_forksrv_give(fs);   /* not seen dead yet: kept */
    run_trial(&spec, NULL, &r);
    if (r.status != LRS_STATUS_COMPLETE)
        fail_msg("after the helper died: %s (%s)", lrs_status_name(r.status), r.error);
    assert_true(final_of(&r, "helper") != first);
    assert_true(final_of(&r, "json_loaded") == 1.0);
    lrs_exec_result_free(&r);
}

static void test_timeout_kills_group(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = preload_spec(PY " t.py stubborn");
    spec.timeout_s = 0.5;
    lrs_exec_result_t r;
    run_trial(&spec, NULL, &r);
    if (r.status != LRS_STATUS_FAILED || strcmp(r.error, "timeout") != 0)
        fail_msg("stubborn: %s (%s)", lrs_status_name(r.status), r.error);
    assert_true(r.elapsed_s < 5.0);
    lrs_exec_result_free(&r);
    /* and the helper goes on serving */
    lrs_exec_spec_t ok = preload_spec(PY " t.py ok");
    run_trial(&ok, NULL, &r);
    assert_int_equal(r.status, LRS_STATUS_COMPLETE);
    lrs_exec_result_free(&r);
}

static void test_cancel(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = preload_spec(PY " t.py stubborn");
    static atomic_int cancel = 1;
    lrs_exec_hooks_t hooks = {.cancel = &cancel};
    lrs_exec_result_t r;
    run_trial(&spec, &hooks, &r);
    assert_int_equal(r.status, LRS_STATUS_CANCELLED);
    lrs_exec_result_free(&r);
}

int main(void)
{
    if (access(PY, X_OK) != 0) {
        fprintf(stderr, "test_forksrv: %s is missing (deploy/install-deps.sh installs python3)\n", PY);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_helper_runs),
        cmocka_unit_test(test_trial_after_helper_death),
        cmocka_unit_test(test_timeout_kills_group),
        cmocka_unit_test(test_cancel),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
