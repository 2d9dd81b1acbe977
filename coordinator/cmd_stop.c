/* cmd_stop.c — `lrsweep stop SWEEP`: ends a sweep early, complete by
 * request.
 *
 * The coordinator stays the database's one writer: stop finds the sweep's
 * coordinator in its row (schema 005), and on this host signals it
 * (SIGUSR1: running trials finish; SIGUSR2: they are cancelled); the
 * coordinator records the end, tells its workers (they exit 0) and exits.
 * When no coordinator runs the sweep, stop takes the writer's lock itself
 * and records the end, so that the next coordinator to open the sweep sees
 * it stopped.  Then, unless --no-wait, it waits for the end and says it. */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/textesc.h"
#include "coordinator/query.h"
#include "coordinator/store.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lrsweep stop SWEEP [--db FILE] [--cancel] [--no-wait] [--timeout SECONDS]\n\n"
            "Ends a sweep early, complete by request: its coordinator hands out no new\n"
            "trials, lets the running ones finish (--cancel: stops them; they run again if\n"
            "the sweep is continued), records why it ended (`lrsweep status` shows it) and\n"
            "tells its workers, which exit 0; then the coordinator exits 0 (or, with\n"
            "--linger, tells late workers so first).  The coordinator must run on this\n"
            "host (it gets SIGUSR1, or SIGUSR2 with --cancel).  A sweep no coordinator\n"
            "runs is marked stopped in the database.  A stopped sweep continues only when\n"
            "run with a larger budget than it was stopped under (budget.trials,\n"
            "budget.time) or a larger trials:.\n\n"
            "  --db FILE          results database (default lrsweep.db)\n"
            "  --cancel           cancel running trials instead of waiting for them\n"
            "  --no-wait          return once the coordinator is asked\n"
            "  --timeout SECONDS  wait at most this long for the end (default 3600)\n\n"
            "exit status: 0 the sweep ended (already, or now; --no-wait: asked),\n"
            "1 its coordinator runs on another host, is unreachable or did not end it\n"
            "in time, 2 usage error or no such sweep.\n");
}

static void say(const char *fmt, const char *a, const char *b)
{
    char sa[LRS_TEXTESC_SIZE(320)], sb[LRS_TEXTESC_SIZE(320)];
    printf(fmt, lrs_text_escape_str(a, sa, sizeof sa), b ? lrs_text_escape_str(b, sb, sizeof sb)
                                                         : "");
}

/* No coordinator runs the sweep: record the stop as one would (the lock
 * makes this the only writer meanwhile). */
static int mark_stopped(const char *db_path, const char *name, lrs_err_t *err)
{
    lrs_store_t *st = lrs_store_open(db_path, LRS_STORE_WRITE, err);
    if (!st)
        return -1;
    lrs_sweep_row_t row;
    int rc = -1, found = lrs_store_sweep_get(st, name, &row, err);
    if (found == 1 && !row.ended[0])
        rc = lrs_store_sweep_end(st, row.id, "stopped",
                                 "was stopped by request (lrsweep stop) while no coordinator "
                                 "ran it", 0, 0, err);
    else if (found == 1)
        rc = 0;
    lrs_store_destroy(&st);
    return rc;
}

/* Waits for the sweep to end: 0 ended, 1 the coordinator left without
 * ending it, 2 timed out, -1 error. */
static int wait_end(lrs_query_t *db, const lrs_query_sweep_t *sw, double timeout_s,
                    lrs_query_life_t *life, lrs_err_t *err)
{
    double until = lrs_store_now() + timeout_s;
    for (;;) {
        if (lrs_query_life(db, sw, life, err) != 0)
            return -1;
        if (life->ended[0])
            return 0;
        if (lrs_query_coordinator_state(life, lrs_store_now()) != LRS_COORD_RUNNING)
            return 1;
        if (lrs_store_now() >= until)
            return 2;
        struct timespec nap = {0, 200 * 1000 * 1000};
        nanosleep(&nap, NULL);
    }
}

int lrs_cmd_stop(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"db", required_argument, NULL, 'd'},      {"cancel", no_argument, NULL, 'c'},
        {"no-wait", no_argument, NULL, 'n'},       {"timeout", required_argument, NULL, 't'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *db_path = "lrsweep.db";
    int cancel = 0, no_wait = 0, timeout_s = 3600, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "d:cnt:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'c': cancel = 1; break;
        case 'n': no_wait = 1; break;
        case 't':
            if (lrs_cli_int_option("stop", "--timeout", optarg, 0, 1000000000, &timeout_s) != 0)
                return LRS_EXIT_USAGE;
            break;
        case 'h': usage(stdout); return lrs_cli_finish(0);
        default: usage(stderr); return LRS_EXIT_USAGE;
        }
    }
    if (argc - optind != 1) {
        fprintf(stderr, "lrsweep stop: %s\n\n", argc - optind < 1 ? "which sweep? give its name"
                                                                  : "give one sweep");
        usage(stderr);
        return LRS_EXIT_USAGE;
    }
    const char *name = argv[optind];
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_query_sweep_t sw;
    lrs_query_life_t life;
    int status = LRS_EXIT_RUNTIME;
    lrs_query_t *db = lrs_query_open(db_path, &err);
    if (!db || lrs_query_sweep(db, name, &sw, &err) != 0 || lrs_query_life(db, &sw, &life, &err) != 0)
        goto fail;
    if (life.schema < 5) {
        lrs_err_set(&err, LRS_EXIT_USAGE, "%s: written by an lrsweep before results schema 5, "
                    "which cannot be stopped; run it again with this release first", db_path);
        goto fail;
    }
    if (life.ended[0]) {
        say("sweep '%s' already ended: it %s\n", sw.name, life.end_reason);
        status = 0;
        goto done;
    }
    lrs_coordinator_state_t cs = lrs_query_coordinator_state(&life, lrs_store_now());
    if (cs != LRS_COORD_RUNNING) {
        lrs_query_destroy(&db);   /* a reader must not hold the file while it is written */
        if (mark_stopped(db_path, sw.name, &err) != 0)
            goto fail;
        say("sweep '%s' is not running; marked stopped in %s\n", sw.name, db_path);
        status = 0;
        goto done;
    }
    char host[256] = "";
    if (gethostname(host, sizeof host) != 0 || strcmp(host, life.host) != 0) {
        lrs_err_set(&err, LRS_EXIT_RUNTIME, "sweep '%s' is run by a coordinator on host '%s' "
                    "(pid %lld); run lrsweep stop there", sw.name, life.host, (long long)life.pid);
        goto fail;
    }
    if (kill((pid_t)life.pid, cancel ? LRS_STOP_SIGNAL_CANCEL : LRS_STOP_SIGNAL_FINISH) != 0) {
        lrs_err_set(&err, LRS_EXIT_RUNTIME, "cannot signal the coordinator of sweep '%s' (pid "
                    "%lld): %s", sw.name, (long long)life.pid, strerror(errno));
        goto fail;
    }
    if (no_wait) {
        printf("asked the coordinator of sweep '%s' (pid %lld) to stop it%s\n", sw.name,
               (long long)life.pid, cancel ? ", cancelling running trials" : "");
        status = 0;
        goto done;
    }
    int w = wait_end(db, &sw, timeout_s, &life, &err);
    if (w < 0)
        goto fail;
    if (w == 0) {
        say("sweep '%s' %s\n", sw.name, life.end_reason);
        status = 0;
        goto done;
    }
    lrs_err_set(&err, LRS_EXIT_RUNTIME, w == 1 ? "the coordinator of sweep '%s' stopped without "
                "ending it" : "sweep '%s' did not end within --timeout %d s (running trials "
                "finish first; --cancel stops them)", sw.name, timeout_s);
fail:
    lrs_cli_report("stop", &err);
    status = err.code ? err.code : LRS_EXIT_RUNTIME;
done:
    lrs_query_destroy(&db);
    return lrs_cli_finish(status);
}
