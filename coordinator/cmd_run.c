/* cmd_run.c — `lrsweep run` (a coordinator plus N local worker processes:
 * the embedded default) and `lrsweep coordinator` (for sweeps across
 * machines).  Both create or resume the sweep in the database, run the
 * broker until every trial is recorded, and print the best configs.
 *
 * Local workers are this same binary (/proc/self/exe) run as `lrsweep worker`
 * over an ipc:// endpoint in a private temp folder.  They sit in their own
 * process group (a terminal's Ctrl-C reaches only the coordinator, which
 * drains them in order) and die with the coordinator (PR_SET_PDEATHSIG). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/devices.h"
#include "common/err.h"
#include "common/numfmt.h"
#include "common/log.h"
#include "common/spec.h"
#include "common/spec_confirm.h"
#include "common/spec_info.h"
#include "common/spec_notes.h"
#include "common/textesc.h"
#include "coordinator/access.h"
#include "coordinator/broker.h"
#include "coordinator/cmd_query.h"
#include "coordinator/confirmed.h"

typedef struct run_args {
    const char *cmd;
    const char *spec_path;
    const char *db_path;
    const char *bind;
    const char *key_path, *allow_path;
    int insecure;
    int max_workers;
    int workers;
    int quiet;
    int heartbeat_ms, liveness;   /* 0: the defaults */
    int64_t linger_ms;            /* -1: forever */
    int log_format;
    int confirm;                  /* `lrsweep confirm` */
    int top, repeats;             /* its --top and --repeats (0: not given) */
    lrs_devices_t gpus;           /* --gpus: one a local worker, round robin */
    int workers_given;
} run_args_t;

static void usage(FILE *out, const char *cmd, int is_run)
{
    if (strcmp(cmd, "confirm") == 0)
        fprintf(out,
                "usage: lrsweep confirm SPEC [--top K] [--repeats R] [--db FILE] [--workers N]\n"
                "                            [--bind ENDPOINT] [--quiet] [--key FILE --allow FILE|DIR]\n\n"
                "Confirms the best configs of sweep SPEC: re-runs the K best complete search\n"
                "trials with R fresh training seeds each, as confirmation runs (trial\n"
                "1000000000 + j confirms trial j), dispatched like any trial to a coordinator\n"
                "plus N local workers (remote ones join with --bind).  A spec with `confirm:`\n"
                "does this by itself when its search ends (`lrsweep run`); this command\n"
                "reopens a complete sweep to do it, and finishes an unfinished search first.\n"
                "Confirmed configs already in the database are not run again.  Afterwards\n"
                "`lrsweep best` ranks them by their confirmed mean with a 95%% interval.\n\n"
                "  --top K            configs to confirm (default: the spec's confirm.top, else %d)\n"
                "  --repeats R        fresh seeds per config (default: confirm.repeats, else %d);\n"
                "                     --top and --repeats are for a spec without `confirm:`\n"
                "  --db FILE          results database (default lrsweep.db)\n"
                "  --workers N        local worker processes (default: number of cores)\n"
                "  --bind ENDPOINT    also accept remote workers, e.g. tcp://0.0.0.0:5555\n",
                LRS_CONFIRM_DEFAULT_TOP, LRS_CONFIRM_DEFAULT_REPEATS);
    else if (is_run)
        fprintf(out,
                "usage: lrsweep run SPEC [--db FILE] [--workers N] [--bind ENDPOINT] [--quiet]\n"
                "                        [--gpus IDS] [--key FILE --allow FILE|DIR] [--insecure]\n\n"
                "Runs the sweep SPEC on this machine: a coordinator plus N local workers.\n"
                "Running it again on the same database resumes the sweep (same name);\n"
                "a larger `trials:` extends it.\n\n"
                "  --db FILE          results database (default lrsweep.db)\n"
                "  --workers N        local worker processes (default: number of cores)\n"
                "  --bind ENDPOINT    also accept remote workers, e.g. tcp://0.0.0.0:5555\n");
    else
        fprintf(out,
                "usage: lrsweep coordinator SPEC --bind ENDPOINT [--db FILE] [--workers N] [--quiet]\n"
                "                                [--key FILE --allow FILE|DIR] [--insecure]\n\n"
                "Runs the coordinator of sweep SPEC for workers on any machine\n"
                "(`lrsweep worker --connect tcp://THIS-HOST:PORT`).  Resumes like `run`.\n\n"
                "  --bind ENDPOINT    where workers connect, e.g. tcp://0.0.0.0:5555 (required)\n"
                "  --db FILE          results database (default lrsweep.db)\n"
                "  --workers N        local worker processes too (default 0)\n");
    fprintf(out,
            "  --gpus IDS         devices for a user's command, e.g. 0,1: local worker i runs\n"
            "                     with CUDA_VISIBLE_DEVICES and LRSWEEP_GPU set to id i (round\n"
            "                     robin when --workers is more; --workers defaults to their count)\n"
            "  --key FILE         this coordinator's secret key (lrsweep keygen); with it every\n"
            "                     connection is CURVE-encrypted and authenticated\n"
            "  --allow FILE|DIR   the workers' public keys: a file with one a line, or a folder\n"
            "                     of .pub files; read again on SIGHUP\n"
            "  --max-workers N    workers connected at once; more are refused (default 1024)\n"
            "  --insecure         accept workers on a reachable TCP endpoint without keys\n"
            "                     (a trusted network only: see docs/security.md)\n"
            "  --heartbeat-ms MS  heartbeat interval, sent to workers in the welcome\n"
            "                     (default 1000; 10..600000)\n"
            "  --liveness N       heartbeats a peer may miss before it counts as gone: a\n"
            "                     silent worker's trials go back to the queue after\n"
            "                     MS x N (default 3; 1..100)\n"
            "  --linger SECONDS   after the sweep is complete, tell workers that still call\n"
            "                     so (they exit 0) for SECONDS, or `forever` (until a\n"
            "                     signal; for Kubernetes); default 0\n"
            "  --log-format FMT   text (default; off a terminal each line starts with an\n"
            "                     ISO 8601 UTC time) or json (JSON Lines)\n"
            "  --quiet            no progress output; at the end, instead of the best\n"
            "                     trials, one line on stdout: 'sweep NAME: DONE/TOTAL\n"
            "                     trials, best METRIC SCORE (lr X, SCHEDULER)'\n\n"
            "Environment: LRSWEEP_KEY and LRSWEEP_ALLOW stand for --key and --allow.\n"
            "Without keys only ipc:// and loopback tcp:// endpoints are accepted.\n\n"
            "Progress: a live line on a terminal, a log line every 5 s otherwise.\n"
            "Ctrl-C: stop dispatching, let running trials finish (up to 30 s), exit 130;\n"
            "a second Ctrl-C exits at once.  Everything committed stays; run again to resume.\n"
            "Workers are told only when the sweep is complete; a coordinator stopped before\n"
            "that leaves its remote workers waiting for it to return.\n\n"
            "Exit status: 0 the sweep is complete, 1 runtime failure, 2 usage, spec or\n"
            "input error, 130 interrupted.\n");
    (void)cmd;
}

static int parse_args(int argc, char **argv, int is_run, run_args_t *a)
{
    static const struct option long_opts[] = {
        {"db", required_argument, NULL, 'd'},   {"workers", required_argument, NULL, 'w'},
        {"bind", required_argument, NULL, 'b'}, {"quiet", no_argument, NULL, 'q'},
        {"key", required_argument, NULL, 'k'},  {"allow", required_argument, NULL, 'a'},
        {"insecure", no_argument, NULL, 'I'},   {"max-workers", required_argument, NULL, 'M'},
        {"heartbeat-ms", required_argument, NULL, 'H'}, {"liveness", required_argument, NULL, 'L'},
        {"linger", required_argument, NULL, 'G'}, {"log-format", required_argument, NULL, 'F'},
        {"top", required_argument, NULL, 'T'}, {"repeats", required_argument, NULL, 'R'},
        {"gpus", required_argument, NULL, 'g'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int confirm = is_run == 2;
    memset(a, 0, sizeof *a);
    a->cmd = confirm ? "confirm" : is_run ? "run" : "coordinator";
    a->confirm = confirm;
    a->db_path = "lrsweep.db";
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    a->workers = is_run ? (int)(cores > 0 ? cores : 1) : 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "d:w:b:qh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'd':
            a->db_path = optarg;
            break;
        case 'w':
            if (lrs_cli_int_option(a->cmd, "--workers", optarg, 0, 1024, &a->workers) != 0)
                return LRS_EXIT_USAGE;
            a->workers_given = 1;
            break;
        case 'g': {
            char why[160];
            if (lrs_devices_parse(optarg, &a->gpus, why, sizeof why) != 0) {
                fprintf(stderr, "lrsweep %s: --gpus: %s\n", a->cmd, why);
                return LRS_EXIT_USAGE;
            }
            break;
        }
        case 'b':
            a->bind = optarg;
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'k':
            a->key_path = optarg;
            break;
        case 'a':
            a->allow_path = optarg;
            break;
        case 'I':
            a->insecure = 1;
            break;
        case 'M':
            if (lrs_cli_int_option(a->cmd, "--max-workers", optarg, 1, 100000, &a->max_workers) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'H':
            if (lrs_cli_int_option(a->cmd, "--heartbeat-ms", optarg, 10, 600000, &a->heartbeat_ms) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'L':
            if (lrs_cli_int_option(a->cmd, "--liveness", optarg, 1, 100, &a->liveness) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'G': {
            char *end;
            double v = strtod(optarg, &end);
            if (strcmp(optarg, "forever") == 0) {
                a->linger_ms = -1;
            } else if (end == optarg || *end || !(v >= 0) || v > 1e7) {
                fprintf(stderr, "lrsweep %s: --linger: expected seconds (0 or more) or 'forever', "
                                "got '%s'\n", a->cmd, optarg);
                return LRS_EXIT_USAGE;
            } else {
                a->linger_ms = (int64_t)(v * 1000);
            }
            break;
        }
        case 'F':
            if ((a->log_format = lrs_log_parse_format(optarg)) < 0) {
                fprintf(stderr, "lrsweep %s: --log-format: expected text or json, got '%s'\n",
                        a->cmd, optarg);
                return LRS_EXIT_USAGE;
            }
            break;
        case 'T':
        case 'R':
            if (!confirm) {
                fprintf(stderr, "lrsweep %s: %s applies to lrsweep confirm (see --help)\n",
                        a->cmd, c == 'T' ? "--top" : "--repeats");
                return LRS_EXIT_USAGE;
            }
            if (c == 'T' ? lrs_cli_int_option(a->cmd, "--top", optarg, 1, LRS_CONFIRM_MAX_TOP,
                                              &a->top) != 0
                         : lrs_cli_int_option(a->cmd, "--repeats", optarg, 1,
                                              LRS_SPEC_MAX_REPEATS, &a->repeats) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'h':
            usage(stdout, a->cmd, is_run);
            return -1;
        default:
            usage(stderr, a->cmd, is_run);
            return LRS_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        fprintf(stderr, "lrsweep %s: expected exactly one SPEC file\n\n", a->cmd);
        usage(stderr, a->cmd, is_run);
        return LRS_EXIT_USAGE;
    }
    a->spec_path = argv[optind];
    if (!is_run && !a->bind) {
        fprintf(stderr, "lrsweep coordinator: --bind ENDPOINT is required\n\n");
        usage(stderr, a->cmd, is_run);
        return LRS_EXIT_USAGE;
    }
    if (a->gpus.n > 0 && !a->workers_given)
        a->workers = a->gpus.n;   /* one local worker per device */
    if (a->workers == 0 && !a->bind) {
        fprintf(stderr, "lrsweep %s: --workers 0 without --bind: no worker could ever connect\n",
                a->cmd);
        return LRS_EXIT_USAGE;
    }
    if (a->bind && strncmp(a->bind, "tcp://", 6) != 0 && strncmp(a->bind, "ipc://", 6) != 0) {
        fprintf(stderr, "lrsweep %s: --bind: expected tcp://HOST:PORT or ipc://PATH, got '%s'\n",
                a->cmd, a->bind);
        return LRS_EXIT_USAGE;
    }
    return 0;
}

/* The local workers' CURVE files ("" each without keys). */
typedef struct local_keys {
    const char *key_path, *server_pub_path;
} local_keys_t;

/* The local workers as the broker's tick sees them. */
typedef struct local_workers {
    pid_t *pids;
    int n;
    const char *endpoint;
    const char *spec_dir;
    local_keys_t keys;
    int log_format;
    int quiet;
    int respawns_left;    /* a worker killed by a signal is replaced, this many times */
    int remote;           /* remote workers may still come: never give up */
    const lrs_devices_t *gpus;   /* --gpus: local worker i runs on device i mod n */
} local_workers_t;

static pid_t spawn_worker(const local_workers_t *lw, int index)
{
    const local_keys_t *keys = &lw->keys;
    const char *gpu = lrs_devices_for_slot(lw->gpus, index);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid != 0)
        return pid;
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent)
        _exit(1);
    char name[64], host[48] = "";
    gethostname(host, sizeof host - 1);
    snprintf(name, sizeof name, "%s:local%d", host, index);
    setenv("OPENBLAS_NUM_THREADS", "1", 0);   /* one core per worker: N workers use N */
    /* a command's relative workdir is relative to the spec's folder, as for train --spec;
     * the spec is the user's own, run on their own machine: its command may run */
    char *args[24] = {"lrsweep", "worker", "--connect", (char *)lw->endpoint, "--jobs", "1",
                      "--name", name, "--workdir-base", (char *)lw->spec_dir, "--allow-commands"};
    int n = 11;
    if (lw->quiet)
        args[n++] = "--quiet";
    if (gpu) {
        args[n++] = "--gpus";
        args[n++] = (char *)gpu;
    }
    if (lw->log_format == LRS_LOG_JSON) {
        args[n++] = "--log-format";
        args[n++] = "json";
    }
    if (keys->key_path[0]) {
        args[n++] = "--key";
        args[n++] = (char *)keys->key_path;
        args[n++] = "--server-key";
        args[n++] = (char *)keys->server_pub_path;
    }
    args[n] = NULL;
    execv("/proc/self/exe", args);
    fprintf(stderr, "lrsweep: cannot start a worker: %s\n", strerror(errno));
    _exit(127);
}

/* Broker tick: reaps local workers, replaces killed ones, and stops the
 * sweep when none is left and none can come from elsewhere. */
static int watch_workers(void *ctx, lrs_err_t *err)
{
    local_workers_t *lw = ctx;
    int alive = 0, last_status = 0;
    for (int i = 0; i < lw->n; i++) {
        int st;
        if (lw->pids[i] > 0 && waitpid(lw->pids[i], &st, WNOHANG) == lw->pids[i]) {
            lw->pids[i] = 0;
            if (WIFSIGNALED(st) && lw->respawns_left > 0) {
                lw->respawns_left--;
                fprintf(stderr, "\nlrsweep: local worker %d was killed by signal %d; starting "
                                "another\n", i, WTERMSIG(st));
                lw->pids[i] = spawn_worker(lw, i);
            } else {
                last_status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
            }
        }
        alive += lw->pids[i] > 0;
    }
    if (alive == 0 && !lw->remote)
        return lrs_err_set(err, LRS_EXIT_RUNTIME,
                           "every local worker has exited (last exit status %d); their messages "
                           "are above",
                           last_status);
    return 0;
}

/* Waits for the local workers (they exit on SHUTDOWN); stragglers are killed. */
static void reap_workers(pid_t *pids, int n)
{
    struct timespec pause = {0, 20 * 1000 * 1000};
    for (int round = 0; round < 250; round++) {
        int left = 0;
        for (int i = 0; i < n; i++) {
            if (pids[i] > 0 && waitpid(pids[i], NULL, WNOHANG) == pids[i])
                pids[i] = 0;
            left += pids[i] > 0;
        }
        if (!left)
            return;
        nanosleep(&pause, NULL);
    }
    for (int i = 0; i < n; i++)
        if (pids[i] > 0) {
            kill(pids[i], SIGKILL);
            waitpid(pids[i], NULL, 0);
        }
}

/* The absolute folder of the spec file ("." when it cannot be resolved). */
static void spec_folder(const char *spec_path, char *out, size_t size)
{
    char resolved[PATH_MAX];
    snprintf(out, size, ".");
    if (!realpath(spec_path, resolved))
        return;
    char *slash = strrchr(resolved, '/');
    if (slash == resolved)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    snprintf(out, size, "%s", resolved);
}

/* --quiet's one line on stdout, the sweep's outcome:
 * "sweep NAME: DONE/TOTAL trials, best METRIC SCORE (lr X, SCHEDULER)", or
 * "best METRIC -" before any trial is complete. */
static void quiet_result(const lrs_broker_t *broker, const lrs_spec_t *spec, int status,
                         const run_args_t *a)
{
    lrs_broker_stats_t st;
    lrs_broker_get_stats(broker, &st);
    char shown[LRS_TEXTESC_SIZE(256)], score[32];
    lrs_fmt_display(st.best, LRS_FMT_VALUE_DIGITS, score, sizeof score);
    printf("sweep %s: %" PRIu64 "/%" PRIu64 " trials%s, best %s ",
           lrs_text_escape_str(lrs_broker_sweep_name(broker), shown, sizeof shown), st.done,
           st.total, status == 0 ? "" : " (not finished)", lrs_spec_info(spec)->metric);
    if (isnan(st.best))
        printf("-");
    else
        printf("%s (%s)", score, st.best_desc);
    char confirmed[256] = "";
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_info(spec)->confirm->top > 0 &&
        lrs_confirmed_brief(a->db_path, lrs_broker_sweep_name(broker), confirmed,
                            sizeof confirmed, &err) != 0)
        lrs_cli_report(a->cmd, &err);
    printf("%s%s\n", confirmed[0] ? "; " : "", confirmed);
}

/* `lrsweep confirm`: the spec as it will run, with `confirm:` (its own,
 * or one made of --top and --repeats or the defaults, added to its text so
 * that workers read the same). */
static int confirm_spec(const run_args_t *a, lrs_spec_t **spec)
{
    const lrs_spec_info_t *info = lrs_spec_info(*spec);
    if (info->exec) {
        fprintf(stderr, "lrsweep confirm: %s: confirmation re-runs configs with several fresh "
                        "seeds, which applies to the built-in engine only\n", a->spec_path);
        return LRS_EXIT_USAGE;
    }
    if (info->confirm->top > 0) {
        if (!a->top && !a->repeats)
            return 0;
        fprintf(stderr, "lrsweep confirm: %s sets confirm: (top %d, repeats %d); change it "
                        "there, or leave out --top and --repeats\n",
                a->spec_path, info->confirm->top, info->confirm->repeats);
        return LRS_EXIT_USAGE;
    }
    char more[96];
    snprintf(more, sizeof more, "confirm: {top: %d, repeats: %d}\n",
             a->top ? a->top : LRS_CONFIRM_DEFAULT_TOP,
             a->repeats ? a->repeats : LRS_CONFIRM_DEFAULT_REPEATS);
    lrs_spec_destroy(spec);
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_load_more(a->spec_path, more, spec, stderr, &err) != 0) {
        lrs_cli_report(a->cmd, &err);
        return err.code ? err.code : LRS_EXIT_USAGE;
    }
    return 0;
}

static int run_main(int argc, char **argv, int is_run)
{
    run_args_t a;
    int rc = parse_args(argc, argv, is_run, &a);
    if (rc != 0)
        return rc < 0 ? lrs_cli_finish(0) : rc;
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_spec_t *spec = NULL;
    lrs_broker_t *broker = NULL;
    pid_t *pids = NULL;
    char tmpdir[] = "/tmp/lrsweep-XXXXXX", endpoint[64] = "";
    int have_tmp = 0, status = LRS_EXIT_RUNTIME;
    lrs_access_t access;
    memset(&access, 0, sizeof access);
    int load_status = lrs_cli_load_spec(a.cmd, a.spec_path, &spec);
    if (load_status == 0 && a.confirm)
        load_status = confirm_spec(&a, &spec);
    if (load_status != 0) {
        lrs_spec_destroy(&spec);
        return load_status;
    }
    char note[640];
    if (lrs_spec_sobol_warning(spec, note, sizeof note))
        fprintf(stderr, "%s: warning: %s\n", a.spec_path, note);
    if (lrs_spec_alias_warning(spec, note, sizeof note))
        fprintf(stderr, "%s: warning: %s\n", a.spec_path, note);
    lrs_broker_opts_t bo;
    lrs_broker_opts_init(&bo);
    bo.db_path = a.db_path;
    if (a.max_workers)
        bo.max_workers = a.max_workers;
    bo.progress = a.quiet ? 0 : isatty(STDERR_FILENO) && a.log_format == LRS_LOG_TEXT ? 2 : 1;
    if (a.heartbeat_ms)
        bo.heartbeat_ms = a.heartbeat_ms;
    if (a.liveness)
        bo.liveness = a.liveness;
    bo.linger_ms = a.linger_ms;
    bo.log_format = a.log_format;
    if (a.workers > 0) {
        if (!mkdtemp(tmpdir)) {
            fprintf(stderr, "lrsweep %s: cannot create a temp folder: %s\n", a.cmd, strerror(errno));
            goto done;
        }
        have_tmp = 1;
        snprintf(endpoint, sizeof endpoint, "ipc://%s/coordinator", tmpdir);
        bo.binds[bo.n_binds++] = endpoint;
    }
    if (a.bind)
        bo.binds[bo.n_binds++] = a.bind;
    if (lrs_access_setup(a.cmd, a.bind, a.key_path, a.allow_path, a.insecure,
                         a.workers > 0 ? tmpdir : NULL, &access, &err) != 0) {
        fprintf(stderr, "lrsweep %s: %s\n", a.cmd, err.msg);
        status = err.code ? err.code : LRS_EXIT_RUNTIME;
        goto done;
    }
    if (access.curve) {
        bo.key = &access.key;
        bo.allow_path = access.allow_path;
        bo.extra_key = access.local_public[0] ? access.local_public : NULL;
        bo.reload = lrs_cli_catch_hangups();
    } else if (a.bind && !lrs_access_is_local(a.bind)) {
        fprintf(stderr, "lrsweep %s: warning: --insecure: workers on %s connect without "
                        "authentication or encryption\n", a.cmd, a.bind);
    }
    bo.interrupts = lrs_cli_catch_interrupts();
    bo.stops = lrs_cli_catch_stops();
    broker = lrs_broker_new(&bo, spec, &err);
    if (!broker) {
        lrs_cli_report(a.cmd, &err);
        status = err.code ? err.code : LRS_EXIT_RUNTIME;
        goto done;
    }
    lrs_log_t log;   /* from here a failure's last line reads like the broker's */
    lrs_log_init(&log, stderr, a.log_format, "coordinator", NULL);
    lrs_log_set_process(&log);
    char spec_dir[PATH_MAX];
    spec_folder(a.spec_path, spec_dir, sizeof spec_dir);
    local_workers_t lw = {.n = a.workers, .endpoint = endpoint, .spec_dir = spec_dir,
                          .keys = {access.local_key_path, access.server_pub_path},
                          .log_format = a.log_format, .quiet = a.quiet,
                          .respawns_left = 3 * a.workers, .remote = a.bind != NULL,
                          .gpus = &a.gpus};
    if (lrs_broker_remaining(broker) > 0 && a.workers > 0) {
        pids = calloc((size_t)a.workers, sizeof *pids);
        if (!pids) {
            fprintf(stderr, "lrsweep %s: out of memory\n", a.cmd);
            goto done;
        }
        for (int i = 0; i < a.workers; i++)
            if ((pids[i] = spawn_worker(&lw, i)) < 0) {
                fprintf(stderr, "lrsweep %s: fork: %s\n", a.cmd, strerror(errno));
                goto done;
            }
        lw.pids = pids;
        lrs_broker_set_tick(broker, watch_workers, &lw);
    }
    rc = lrs_broker_run(broker, &err);
    if (rc < 0) {
        lrs_cli_report(a.cmd, &err);
        status = err.code ? err.code : LRS_EXIT_RUNTIME;
        goto done;
    }
    status = rc;
    if (pids && status != 0)   /* the sweep goes on later: the local workers stop now (twice:
                                  at once, their results are re-run on resume) */
        for (int round = 0; round < 2; round++) {
            for (int i = 0; i < a.workers; i++)
                if (pids[i] > 0)
                    kill(pids[i], SIGTERM);
            struct timespec gap = {0, 20 * 1000 * 1000};   /* two signals, not one merged */
            nanosleep(&gap, NULL);
        }
    char sweep_name[256];
    snprintf(sweep_name, sizeof sweep_name, "%s", lrs_broker_sweep_name(broker));
    /* the table is read while the writer is still open (lrs_broker_run has
     * committed): the writer closes last, checkpoints, and SQLite removes
     * the -wal and -shm files, which a read-only connection cannot */
    if (a.quiet) {
        quiet_result(broker, spec, status, &a);
    } else {
        char shown[LRS_TEXTESC_SIZE(sizeof sweep_name)];   /* the spec's name, escaped */
        printf("\nbest trials of sweep '%s' (%s):\n",
               lrs_text_escape_str(sweep_name, shown, sizeof shown), a.db_path);
        if (lrs_best_print(a.db_path, sweep_name, 5, stdout, &err) != 0)
            lrs_cli_report(a.cmd, &err);
    }
    lrs_broker_destroy(&broker);   /* commits, releases the lock */
    if (pids)
        reap_workers(pids, a.workers);
    status = lrs_cli_finish(status);
done:
    lrs_broker_destroy(&broker);
    if (pids) {   /* on failure: their un-ACKed results have nowhere to go */
        for (int i = 0; i < a.workers; i++)
            if (pids[i] > 0)
                kill(pids[i], SIGKILL);
        reap_workers(pids, a.workers);
        free(pids);
    }
    lrs_access_cleanup(&access);
    if (have_tmp) {
        char sock[128];
        snprintf(sock, sizeof sock, "%s/coordinator", tmpdir);
        unlink(sock);
        rmdir(tmpdir);
    }
    lrs_spec_destroy(&spec);
    return status;
}

int lrs_cmd_run(int argc, char **argv) { return run_main(argc, argv, 1); }

int lrs_cmd_coordinator(int argc, char **argv) { return run_main(argc, argv, 0); }

int lrs_cmd_confirm(int argc, char **argv) { return run_main(argc, argv, 2); }
