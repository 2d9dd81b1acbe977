/* cli.c — helpers shared by the subcommands. */
#include "common/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/log.h"
#include "common/numparse.h"
#include "common/textesc.h"

/* The one process-wide state here: a signal handler can only reach a
 * static.  A lock-free atomic_int is safe to touch from a handler and is
 * read by other threads (the command runner polls it). */
static atomic_int cli_interrupts;
static atomic_int cli_hangups;
static atomic_int cli_stops;

static void count_hangup(int sig)
{
    (void)sig;
    atomic_fetch_add(&cli_hangups, 1);
}

/* Installs handler for sig (and sig2 when not 0). */
static void catch_signal(int sig, int sig2, void (*handler)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = handler;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    if (sig2)
        sigaction(sig2, &sa, NULL);
}

const atomic_int *lrs_cli_catch_hangups(void)
{
    catch_signal(SIGHUP, 0, count_hangup);
    return &cli_hangups;
}

static void note_stop(int sig)
{
    int want = sig == LRS_STOP_SIGNAL_CANCEL ? LRS_STOP_CANCEL : LRS_STOP_FINISH;
    if (atomic_load(&cli_stops) < want)
        atomic_store(&cli_stops, want);
}

const atomic_int *lrs_cli_catch_stops(void)
{
    catch_signal(LRS_STOP_SIGNAL_FINISH, LRS_STOP_SIGNAL_CANCEL, note_stop);
    return &cli_stops;
}

static void count_interrupt(int sig)
{
    (void)sig;
    if (atomic_load(&cli_interrupts) < 2)
        atomic_fetch_add(&cli_interrupts, 1);
}

void lrs_cli_report(const char *cmd, const lrs_err_t *err)
{
    const lrs_log_t *log = lrs_log_process();
    if (log) {   /* a coordinator's or worker's last line reads like its others */
        lrs_log_line(log, err->msg);
        return;
    }
    char shown[LRS_TEXTESC_SIZE(sizeof err->msg)];
    fprintf(stderr, "lrsweep %s: %s\n", cmd, lrs_text_escape_str(err->msg, shown, sizeof shown));
}

int lrs_cli_load_spec(const char *cmd, const char *path, lrs_spec_t **out)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_load_report(path, out, stderr, &err) == 0)
        return 0;
    /* Errors in the spec are already listed; reading errors are not. */
    if (strstr(err.msg, ": cannot open spec") || err.code == LRS_EXIT_RUNTIME)
        lrs_cli_report(cmd, &err);
    return err.code ? err.code : LRS_EXIT_USAGE;
}

int lrs_cli_int_option(const char *cmd, const char *name, const char *text, long lo, long hi,
                       int *out)
{
    long v;
    if (lrs_parse_long(text, &v) < 0 || v < lo || v > hi) {
        fprintf(stderr, "lrsweep %s: %s: expected an integer in %ld..%ld, got '%s'\n", cmd, name,
                lo, hi, text);
        return -1;
    }
    *out = (int)v;
    return 0;
}

int lrs_cli_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lrsweep: writing output failed: %s\n", strerror(errno));
        return status ? status : 1;
    }
    return status;
}

const atomic_int *lrs_cli_catch_interrupts(void)
{
    catch_signal(SIGINT, SIGTERM, count_interrupt);
    signal(SIGPIPE, SIG_IGN);
    return &cli_interrupts;
}
