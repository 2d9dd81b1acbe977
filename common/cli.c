/* cli.c — helpers shared by the subcommands. */
#include "common/cli.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

/* The one process-wide state here: a signal handler can only reach a static. */
static volatile sig_atomic_t cli_interrupts;

static void count_interrupt(int sig)
{
    (void)sig;
    if (cli_interrupts < 2)
        cli_interrupts++;
}

int lrs_cli_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lrsweep: writing output failed: %s\n", strerror(errno));
        return status ? status : 1;
    }
    return status;
}

volatile sig_atomic_t *lrs_cli_catch_interrupts(void)
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
