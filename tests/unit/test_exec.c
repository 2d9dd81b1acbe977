/* test_exec.c — running real commands for a trial (worker/exec.h).
 *
 * Every outcome the runner distinguishes is produced by a small /bin/sh
 * command: complete, exit status ≠ 0 (with the stderr tail), no metric,
 * NaN / Inf, timeout of a process tree that ignores SIGTERM, cancel, folds,
 * the LRSWEEP_* environment, an output flood, non-UTF-8 bytes, a missing
 * program, text that a shell would interpret.  Process-tree tests print the
 * pids they start as metrics and then check in /proc that nothing of the
 * command's process group is left running.
 */
#define _GNU_SOURCE   /* memmem */

#include <dirent.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "worker/exec.h"

static lrs_exec_spec_t base_spec(const char *command)
{
    lrs_exec_spec_t spec;
    memset(&spec, 0, sizeof spec);
    spec.command = command;
    spec.metric = "val_loss";
    spec.kill_grace_s = 0.3;
    return spec;
}

static void default_cfg(lrs_trial_cfg_t *cfg)
{
    lrs_err_t err;
    lrs_trial_cfg_init(cfg);
    assert_int_equal(lrs_trial_cfg_assign(cfg, "lr=0.125", &err), 0);
    assert_int_equal(lrs_trial_cfg_finalize(cfg, &err), 0);
}

/* Runs spec for a default cfg; the run itself must not fail. */
static void run(const lrs_exec_spec_t *spec, const lrs_exec_hooks_t *hooks, lrs_exec_result_t *r)
{
    lrs_trial_cfg_t cfg;
    default_cfg(&cfg);
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_exec_run(spec, &cfg, 7, 99, hooks, r, &err) < 0)
        fail_msg("lrs_exec_run: %s", err.msg);
}

static double final_of(const lrs_exec_result_t *r, const char *name)
{
    for (int i = 0; i < r->n_names; i++)
        if (strcmp(r->names[i], name) == 0)
            return r->finals[i];
    fail_msg("metric '%s' was not recorded", name);
    return NAN;
}

static void expect_status(const lrs_exec_result_t *r, lrs_status_t status, const char *error)
{
    if (r->status != status || strcmp(r->error, error) != 0)
        fail_msg("got %s (\"%s\"), expected %s (\"%s\"); log: %.300s", lrs_status_name(r->status),
                 r->error, lrs_status_name(status), error, r->log ? r->log : "");
}

/* State of a process from /proc/PID/stat: its state letter and group;
 * returns 0 when the process does not exist. */
static int proc_stat(long pid, char *state, long *pgrp)
{
    char path[64], line[1024];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(line, 1, sizeof line - 1, f);
    fclose(f);
    line[n] = '\0';
    char *p = strrchr(line, ')');   /* the command name may hold spaces */
    if (!p || sscanf(p + 1, " %c %*d %ld", state, pgrp) != 2)
        return 0;
    return 1;
}

/* 1 while the process exists and is not a zombie. */
static int running(long pid)
{
    char state;
    long pgrp;
    return proc_stat(pid, &state, &pgrp) && state != 'Z' && state != 'X';
}

/* Number of live (non-zombie) processes in group pgid. */
static int live_in_group(long pgid)
{
    DIR *d = opendir("/proc");
    assert_non_null(d);
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        char *end;
        long pid = strtol(e->d_name, &end, 10);
        char state;
        long pgrp;
        if (*end == '\0' && pid > 0 && proc_stat(pid, &state, &pgrp) && pgrp == pgid && state != 'Z' &&
            state != 'X')
            count++;
    }
    closedir(d);
    return count;
}

static void test_complete_with_curve(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec(
        "sh -c 'echo starting; echo \"epoch=1 val_loss=0.5 lr={lr}\"; "
        "echo \"{\\\"epoch\\\": 2, \\\"val_loss\\\": 0.25, \\\"lr\\\": 0.0625}\"; echo acc=0.75; echo bye'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_true(r.objective == 0.25);
    assert_true(r.objective_std == 0.0);
    assert_int_equal(r.exit_status, 0);
    assert_int_equal(r.runs, 1);
    /* curve: the lines with epoch (val_loss, lr twice each), not acc */
    assert_int_equal(r.n_curve, 4);
    assert_int_equal(r.curve[0].epoch, 1);
    assert_string_equal(r.names[r.curve[0].name], "val_loss");
    assert_true(r.curve[0].value == 0.5);
    assert_string_equal(r.names[r.curve[1].name], "lr");
    assert_true(r.curve[1].value == 0.125);
    assert_int_equal(r.curve[3].epoch, 2);
    assert_true(r.curve[3].value == 0.0625);
    assert_true(final_of(&r, "acc") == 0.75);
    assert_true(final_of(&r, "lr") == 0.0625);
    assert_non_null(strstr(r.log, "starting\n"));
    assert_non_null(strstr(r.log, "bye\n"));
    lrs_exec_result_free(&r);
    lrs_exec_result_free(&r);   /* twice is harmless */
}

static void test_exit_status_and_stderr_tail(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec(
        "sh -c 'echo val_loss=0.1; i=1; while [ $i -le 30 ]; do echo err$i >&2; i=$((i+1)); done; exit 3'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "exit status 3");
    assert_int_equal(r.exit_status, 3);
    assert_true(isnan(r.objective));
    /* the last 20 lines: err11 .. err30 */
    char expected[512] = "";
    for (int i = 11; i <= 30; i++)
        snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "err%d\n", i);
    assert_string_equal(r.stderr_tail, expected);
    lrs_exec_result_free(&r);
}

static void test_no_metric(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec("sh -c 'echo loss=0.5; echo val_loss is 3'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "no 'val_loss' reported");
    assert_true(final_of(&r, "loss") == 0.5);
    lrs_exec_result_free(&r);
}

static void test_diverged(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec("sh -c 'echo epoch=1 val_loss=0.5; echo epoch=2 val_loss=nan; "
                                     "echo epoch=3 val_loss=0.4'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_DIVERGED, "diverged: val_loss is nan at epoch 2");
    lrs_exec_result_free(&r);
    /* JSON's Infinity, and a crash after it: still diverged */
    spec.command = "sh -c 'echo \"{\\\"val_loss\\\": Infinity}\"; exit 1'";
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_DIVERGED, "diverged: val_loss is inf");
    lrs_exec_result_free(&r);
}

static void test_timeout_kills_group_ignoring_term(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec(
        "sh -c 'trap \"\" TERM; sleep 30 & echo child=$!; echo leader=$$; "
        "sh -c \"sleep 30\" & echo grandchild=$!; sleep 30; wait'");
    spec.timeout_s = 0.5;
    spec.kill_grace_s = 0.4;
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "timeout");
    assert_int_equal(r.term_signal, 9);   /* TERM was ignored: it took the KILL */
    long leader = (long)final_of(&r, "leader");
    long child = (long)final_of(&r, "child");
    long grandchild = (long)final_of(&r, "grandchild");
    printf("timeout run took %.2f s (timeout 0.5 + grace 0.4)\n", r.elapsed_s);
    assert_true(r.elapsed_s >= 0.85 && r.elapsed_s < 5.0);
    usleep(100 * 1000);
    assert_false(running(child));
    assert_false(running(grandchild));
    assert_int_equal(live_in_group(leader), 0);
    lrs_exec_result_free(&r);
}

static int cancel_when_ready_calls;

static void cancel_when_ready(void *ctx, int fold, int stream, const char *data, size_t len)
{
    (void)fold;
    cancel_when_ready_calls++;
    if (stream == 1 && len >= 5 && memmem(data, len, "ready", 5))
        atomic_store((atomic_int *)ctx, 1);
}

static void test_cancel_kills_group(void **state)
{
    (void)state;
    lrs_exec_spec_t spec =
        base_spec("sh -c 'sleep 30 & echo child=$!; echo leader=$$; echo ready; sleep 30'");
    spec.kill_grace_s = 2.0;
    atomic_int cancel = 0;
    lrs_exec_hooks_t hooks = {.on_output = cancel_when_ready, .ctx = &cancel, .cancel = &cancel};
    lrs_exec_result_t r;
    run(&spec, &hooks, &r);
    expect_status(&r, LRS_STATUS_CANCELLED, "cancelled");
    assert_true(cancel_when_ready_calls > 0);
    assert_int_equal(r.term_signal, 15);   /* sh dies of TERM: no KILL needed */
    assert_true(r.elapsed_s < 1.9);   /* well before the 2 s grace */
    usleep(100 * 1000);
    assert_false(running((long)final_of(&r, "child")));
    assert_int_equal(live_in_group((long)final_of(&r, "leader")), 0);
    lrs_exec_result_free(&r);
}

static void test_leftover_background_process_killed(void **state)
{
    (void)state;
    /* the leader exits at once, but leaves a sleeper holding its stdout */
    lrs_exec_spec_t spec = base_spec("sh -c 'sleep 30 & echo bg=$! leader=$$; echo val_loss=1'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_true(r.elapsed_s < 3.0);
    usleep(100 * 1000);
    assert_false(running((long)final_of(&r, "bg")));
    assert_int_equal(live_in_group((long)final_of(&r, "leader")), 0);
    lrs_exec_result_free(&r);
}

static void test_folds(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec("sh -c 'echo fold=$LRSWEEP_FOLD folds=$LRSWEEP_FOLDS; "
                                     "echo epoch=1 val_loss=$((LRSWEEP_FOLD * 2)); "
                                     "echo epoch=2 val_loss=$LRSWEEP_FOLD'");
    spec.folds = 3;
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_int_equal(r.runs, 3);
    /* last val_loss per fold: 0, 1, 2 */
    assert_true(r.objective == 1.0);
    assert_true(fabs(r.objective_std - sqrt(2.0 / 3.0)) < 1e-15);
    assert_true(final_of(&r, "fold") == 1.0);
    assert_true(final_of(&r, "folds") == 3.0);
    assert_int_equal(r.n_curve, 6);
    for (size_t i = 0; i < r.n_curve; i++) {
        assert_int_equal(r.curve[i].fold, (int)i / 2);
        assert_int_equal(r.curve[i].epoch, (int)i % 2 + 1);
    }
    assert_non_null(strstr(r.log, "[lrsweep] fold 3/3\n"));
    lrs_exec_result_free(&r);
    /* a failing fold stops the trial and is named */
    spec.command = "sh -c 'echo val_loss=1; test $LRSWEEP_FOLD -lt 1'";
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "fold 2/3: exit status 1");
    assert_int_equal(r.runs, 2);
    lrs_exec_result_free(&r);
}

static void test_environment(void **state)
{
    (void)state;
    const char *env[] = {"MY_VALUE=1", "TRICKY=$(touch lrsweep-env-injected) 'a b' \"c\"",
                         "MY_VALUE=2.5"};
    lrs_exec_spec_t spec = base_spec(
        "sh -c 'echo val_loss=$MY_VALUE; printf \"%s|%s|%s|%s|%s|%s\\n\" \"$LRSWEEP_TRIAL\" "
        "\"$LRSWEEP_SEED\" \"$LRSWEEP_PARAMS\" \"$TRICKY\" \"$PYTHONUNBUFFERED\" \"$LRSWEEP_FOLD\" >&2'");
    spec.env = env;
    spec.n_env = 3;
    lrs_trial_cfg_t cfg;
    default_cfg(&cfg);
    lrs_exec_result_t r;
    lrs_err_t err;
    assert_int_equal(lrs_exec_run(&spec, &cfg, 42, UINT64_C(18446744073709551615), NULL, &r, &err), 0);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_true(r.objective == 2.5);
    assert_string_equal(r.stderr_tail, "42|18446744073709551615|{\"lr\": 0.125}|"
                                       "$(touch lrsweep-env-injected) 'a b' \"c\"|1|\n");
    lrs_exec_result_free(&r);
    assert_int_equal(access("lrsweep-env-injected", F_OK), -1);
}

static void test_literal_words(void **state)
{
    (void)state;
    /* without a shell nothing in a word is interpreted */
    lrs_exec_spec_t spec = base_spec("printf '%s|%s|%s\\nval_loss=%s\\n' '$(touch lrsweep-injected)' "
                                     "\"a b; echo x\" '*' {lr}");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_string_equal(r.log, "$(touch lrsweep-injected)|a b; echo x|*\nval_loss=0.125\n");
    assert_true(r.objective == 0.125);
    assert_int_equal(access("lrsweep-injected", F_OK), -1);
    lrs_exec_result_free(&r);
}

/* Peak resident memory of this process in kB. */
static long peak_rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

static void test_output_flood_is_bounded(void **state)
{
    (void)state;
    /* 50 MB of log lines, then one 20 MB line with no newline for a while, then the report */
    lrs_exec_spec_t spec = base_spec("sh -c 'yes \"log line: a=b c=d 0123456789 abcdefghijklmnop\" | "
                                     "head -c 50000000; head -c 20000000 /dev/zero | tr \"\\0\" x; "
                                     "echo; echo val_loss=0.5'");
    spec.log_tail_bytes = 4096;
    long before = peak_rss_kb();
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    long after = peak_rss_kb();
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    printf("flood: %llu bytes read in %.2f s, log kept %zu bytes, peak RSS +%ld kB\n",
           (unsigned long long)r.output_bytes, r.elapsed_s, r.log_len, after - before);
    assert_true(r.output_bytes == 50000000ull + 20000000ull + 1 + 13);
    assert_int_equal(r.log_len, 4096);
    assert_true(strlen(r.log) == 4096);
    assert_string_equal(r.log + 4096 - 14, "\nval_loss=0.5\n");
    assert_int_equal(r.log[0], 'x');
    assert_true(after - before < 16 * 1024);
    lrs_exec_result_free(&r);
}

static void test_non_utf8_survives(void **state)
{
    (void)state;
    lrs_exec_spec_t spec =
        base_spec("sh -c 'printf \"caf\\351 \\377\\376\\n\"; printf \"bad \\300\\001\\n\" >&2; echo val_loss=1'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_non_null(strstr(r.log, "caf\351 \377\376\n"));
    assert_string_equal(r.stderr_tail, "bad \300\001\n");
    char *escaped = lrs_exec_escape_text(r.stderr_tail, r.stderr_tail_len);
    assert_string_equal(escaped, "bad \\xc0\001\n");   /* controls are valid UTF-8 */
    free(escaped);
    lrs_exec_result_free(&r);
}

static void test_command_not_found(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec("lrsweep-no-such-program --lr {lr}");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "command not found: lrsweep-no-such-program");
    assert_int_equal(r.runs, 0);
    lrs_exec_result_free(&r);
    spec.command = "./no-such-script.sh";
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "command not found: ./no-such-script.sh");
    lrs_exec_result_free(&r);
    /* through a shell the shell reports it */
    spec.command = "lrsweep-no-such-program --lr {lr}";
    spec.shell = 1;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "exit status 127 (command not found)");
    assert_non_null(strstr(r.stderr_tail, "lrsweep-no-such-program"));
    lrs_exec_result_free(&r);
}

static void test_shell_and_workdir(void **state)
{
    (void)state;
    char dir[] = "/tmp/lrsweep-exec-XXXXXX";
    assert_non_null(mkdtemp(dir));
    char script[128];
    snprintf(script, sizeof script, "%s/train.sh", dir);
    FILE *f = fopen(script, "w");
    assert_non_null(f);
    fputs("#!/bin/sh\necho \"val_loss=$1\"\npwd\n", f);
    fclose(f);
    assert_int_equal(chmod(script, 0755), 0);

    lrs_exec_spec_t spec = base_spec("./train.sh {lr}");
    spec.workdir = dir;
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_true(r.objective == 0.125);
    char expected[256];
    snprintf(expected, sizeof expected, "val_loss=0.125\n%s\n", dir);
    assert_string_equal(r.log, expected);
    lrs_exec_result_free(&r);

    spec.command = "./train.sh {lr} | sed s/val_loss/val_loss/ && echo $((1 + 1)) > two.txt";
    spec.shell = 1;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    char two[128];
    snprintf(two, sizeof two, "%s/two.txt", dir);
    f = fopen(two, "r");
    assert_non_null(f);
    assert_int_equal(fgetc(f), '2');
    fclose(f);
    lrs_exec_result_free(&r);

    spec.workdir = "/nonexistent/lrsweep-dir";
    spec.command = "sh -c 'echo val_loss=1'";
    spec.shell = 0;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "workdir '/nonexistent/lrsweep-dir': No such file or directory");
    lrs_exec_result_free(&r);
    unlink(two);
    unlink(script);
    rmdir(dir);
}

static void test_signal_and_last_line_without_newline(void **state)
{
    (void)state;
    lrs_exec_spec_t spec = base_spec("sh -c 'echo val_loss=1; kill -9 $$'");
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_FAILED, "killed by signal 9");
    assert_int_equal(r.exit_status, -1);
    lrs_exec_result_free(&r);
    spec.command = "printf 'val_loss=0.75'";
    run(&spec, NULL, &r);
    expect_status(&r, LRS_STATUS_COMPLETE, "");
    assert_true(r.objective == 0.75);
    lrs_exec_result_free(&r);
}

static void test_bad_spec(void **state)
{
    (void)state;
    lrs_trial_cfg_t cfg;
    default_cfg(&cfg);
    lrs_exec_result_t r;
    lrs_err_t err;
    lrs_exec_spec_t spec = base_spec("prog {learning_rate}");
    assert_int_equal(lrs_exec_run(&spec, &cfg, 0, 0, NULL, &r, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "{learning_rate} at column 6"));
    lrs_exec_result_free(&r);
    spec = base_spec("true");
    spec.metric = "val loss";
    assert_int_equal(lrs_exec_run(&spec, &cfg, 0, 0, NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "metric"));
    lrs_exec_result_free(&r);
    const char *env[] = {"NOEQUALS"};
    spec = base_spec("true");
    spec.env = env;
    spec.n_env = 1;
    assert_int_equal(lrs_exec_run(&spec, &cfg, 0, 0, NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "env: entry 1 ('NOEQUALS')"));
    lrs_exec_result_free(&r);
    env[0] = "LRSWEEP_TRIAL=3";
    assert_int_equal(lrs_exec_run(&spec, &cfg, 0, 0, NULL, &r, &err), -1);
    assert_non_null(strstr(err.msg, "env: LRSWEEP_TRIAL is set by lrsweep itself"));
    lrs_exec_result_free(&r);
}

static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    assert_non_null(d);
    int n = 0;
    while (readdir(d))
        n++;
    closedir(d);
    return n;
}

static void test_no_descriptor_leaks(void **state)
{
    (void)state;
    static const char *const commands[] = {
        "sh -c 'echo val_loss=1'", "sh -c 'exit 4'", "lrsweep-no-such-program", "sh -c 'sleep 5'",
    };
    int before = open_fds();
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++) {
        lrs_exec_spec_t spec = base_spec(commands[i]);
        spec.timeout_s = 0.2;
        lrs_exec_result_t r;
        run(&spec, NULL, &r);
        lrs_exec_result_free(&r);
    }
    lrs_exec_spec_t spec = base_spec("true");
    spec.workdir = "/nonexistent/lrsweep-dir";
    lrs_exec_result_t r;
    run(&spec, NULL, &r);
    lrs_exec_result_free(&r);
    assert_int_equal(open_fds(), before);
}

typedef struct parallel_job {
    const char *command;
    uint64_t trial;
    lrs_trial_cfg_t cfg;
    lrs_exec_result_t result;
    int rc;
    lrs_err_t err;
} parallel_job_t;

static void *parallel_run(void *arg)
{
    parallel_job_t *job = arg;
    lrs_exec_spec_t spec = base_spec(job->command);
    job->rc = lrs_exec_run(&spec, &job->cfg, job->trial, 0, NULL, &job->result, &job->err);
    return NULL;
}

/* Several trial threads at once (a worker with --jobs): each run reads only
 * its own pipes, and a long run does not hold up the short ones (pipes are
 * close-on-exec, so no other thread's child keeps them open). */
static void test_parallel_runs(void **state)
{
    (void)state;
    enum { N = 6 };
    parallel_job_t jobs[N];
    pthread_t threads[N];
    memset(jobs, 0, sizeof jobs);
    for (int i = 0; i < N; i++) {
        jobs[i].command = i == N - 1 || i == 2 ? "sh -c 'sleep 2; echo val_loss=$LRSWEEP_TRIAL'"
                                 : "sh -c 'i=0; while [ $i -lt 200 ]; do echo line $i; i=$((i+1)); done; "
                                   "echo val_loss=$LRSWEEP_TRIAL'";
        jobs[i].trial = (uint64_t)i + 100;
        default_cfg(&jobs[i].cfg);
        assert_int_equal(pthread_create(&threads[i], NULL, parallel_run, &jobs[i]), 0);
    }
    for (int i = 0; i < N; i++)
        assert_int_equal(pthread_join(threads[i], NULL), 0);
    for (int i = 0; i < N; i++) {
        lrs_exec_result_t *r = &jobs[i].result;
        if (jobs[i].rc < 0)
            fail_msg("job %d: %s", i, jobs[i].err.msg);
        expect_status(r, LRS_STATUS_COMPLETE, "");
        assert_true(r->objective == (double)(i + 100));
        if (i != N - 1 && i != 2 && r->elapsed_s > 1.5)
            fail_msg("job %d took %.2f s: held up by the 2 s run", i, r->elapsed_s);
        lrs_exec_result_free(r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_complete_with_curve),
        cmocka_unit_test(test_exit_status_and_stderr_tail),
        cmocka_unit_test(test_no_metric),
        cmocka_unit_test(test_diverged),
        cmocka_unit_test(test_timeout_kills_group_ignoring_term),
        cmocka_unit_test(test_cancel_kills_group),
        cmocka_unit_test(test_leftover_background_process_killed),
        cmocka_unit_test(test_folds),
        cmocka_unit_test(test_environment),
        cmocka_unit_test(test_literal_words),
        cmocka_unit_test(test_output_flood_is_bounded),
        cmocka_unit_test(test_non_utf8_survives),
        cmocka_unit_test(test_command_not_found),
        cmocka_unit_test(test_shell_and_workdir),
        cmocka_unit_test(test_signal_and_last_line_without_newline),
        cmocka_unit_test(test_bad_spec),
        cmocka_unit_test(test_no_descriptor_leaks),
        cmocka_unit_test(test_parallel_runs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
