/* cli.c — helpers shared by the subcommands. */
#include "common/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

/* The one process-wide state here: a signal handler can only reach a
 * static.  A lock-free atomic_int is safe to touch from a handler and is
 * read by other threads (the command runner polls it). */
static atomic_int cli_interrupts;

static void count_interrupt(int sig)
{
    (void)sig;
    if (atomic_load(&cli_interrupts) < 2)
        atomic_fetch_add(&cli_interrupts, 1);
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = count_interrupt;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    return &cli_interrupts;
}
