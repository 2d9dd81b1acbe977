/* cli.c — helpers shared by the subcommands. */
#include "common/cli.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int lrs_cli_finish(int status)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "lrsweep: writing output failed: %s\n", strerror(errno));
        return status ? status : 1;
    }
    return status;
}
