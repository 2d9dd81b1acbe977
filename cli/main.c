/* main.c — the lrsweep binary: a table of subcommands, each with --help. */
#include <cblas.h>
#include <stdio.h>
#include <string.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/protocol.h"
#include "common/version.h"
#include "coordinator/store.h"

static const lrs_command_t commands[] = {
    {"params", lrs_cmd_params, "list the trial parameters and their meaning"},
    {"validate", lrs_cmd_validate, "check a sweep spec and count its trials"},
    {"sample", lrs_cmd_sample, "print the trials a sweep spec describes, as JSON Lines"},
    {"train", lrs_cmd_train, "train and cross-validate one config"},
    {"lrfind", lrs_cmd_lrfind, "learning-rate range test: suggest an lr and a search range"},
    {"schedule", lrs_cmd_schedule, "print the learning rate of every epoch for a scheduler"},
    {"run", lrs_cmd_run, "run a sweep on this machine: coordinator + local workers"},
    {"coordinator", lrs_cmd_coordinator, "run a sweep's coordinator for workers on other machines"},
    {"confirm", lrs_cmd_confirm, "re-run a sweep's best configs with fresh seeds"},
    {"worker", lrs_cmd_worker, "run trials for a coordinator"},
    {"stop", lrs_cmd_stop, "end a running sweep early, complete by request"},
    {"keygen", lrs_cmd_keygen, "make a CURVE key pair for a coordinator or a worker"},
    {"sweeps", lrs_cmd_sweeps, "list the sweeps in a results database"},
    {"status", lrs_cmd_status, "progress, workers, throughput and best trial of a sweep"},
    {"best", lrs_cmd_best, "the best trials of a sweep"},
    {"summary", lrs_cmd_summary, "count, best, median and IQR per parameter value or bin"},
    {"export", lrs_cmd_export, "every trial of a sweep as CSV or JSON Lines"},
    {"report", lrs_cmd_report, "a sweep as one self-contained HTML page with charts"},
    {"serve", lrs_cmd_serve, "a read-only web server: live pages of the sweeps and their JSON"},
};

static const size_t command_count = sizeof commands / sizeof commands[0];

static void usage(FILE *out)
{
    fprintf(out, "usage: lrsweep COMMAND [ARGS...]\n\n"
                 "lrsweep finds good learning rates and learning-rate schedules by\n"
                 "distributed search.\n\ncommands:\n");
    for (size_t i = 0; i < command_count; i++)
        fprintf(out, "  %-12s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\n'lrsweep COMMAND --help' describes a command.\n"
                 "exit status: 0 done, 1 runtime failure, 2 usage, config or input error,\n"
                 "3 idle timeout (worker --idle-timeout), 130 interrupted\n");
}

int main(int argc, char **argv)
{
    /* Trials are parallel across processes and jobs, never inside a matrix
     * product: OpenBLAS's own threads would only spin and compete. */
    openblas_set_num_threads(1);
    if (argc < 2) {
        usage(stderr);
        return LRS_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        if (strcmp(name, "help") == 0 && argc > 2) {
            for (size_t i = 0; i < command_count; i++)
                if (strcmp(commands[i].name, argv[2]) == 0) {
                    char *help_argv[] = {argv[2], "--help", NULL};
                    return commands[i].fn(2, help_argv);
                }
        }
        usage(stdout);
        return lrs_cli_finish(0);
    }
    if (strcmp(name, "--version") == 0) {
        /* what must match between machines and files: the wire and the database */
        printf("lrsweep %s (protocol %d, results schema %d)\n", LRS_VERSION, LRS_PROTO_VERSION,
               lrs_schema_count);
        return lrs_cli_finish(0);
    }
    for (size_t i = 0; i < command_count; i++)
        if (strcmp(commands[i].name, name) == 0)
            return commands[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "lrsweep: unknown command '%s'\n\n", name);
    usage(stderr);
    return LRS_EXIT_USAGE;
}
