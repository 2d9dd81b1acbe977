/* cmd_worker.c — `lrsweep worker`: connect to a coordinator and run trials
 * until it says the sweep is over.  Started before its coordinator, it waits
 * and connects; after losing it, it reconnects with back-off. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytesize.h"
#include "common/cli.h"
#include "common/devices.h"
#include "common/err.h"
#include "common/keys.h"
#include "common/log.h"
#include "worker/agent.h"

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lrsweep worker --connect ENDPOINT [--jobs N] [--gpus IDS] [--name NAME]\n"
            "                      [--workdir-base DIR]\n"
            "                      [--key FILE --server-key FILE] [--allow-commands]\n"
            "                      [--max-data SIZE] [--serve] [--idle-timeout SECONDS]\n"
            "                      [--log-format text|json] [--verbose] [--quiet]\n\n"
            "Runs trials for a coordinator until it says the sweep is complete (exit 0).\n"
            "May be started before the coordinator: it waits and connects.  A coordinator\n"
            "that stops (Ctrl-C, SIGTERM, a crash) without the sweep being complete is\n"
            "waited for: the worker keeps the results it has not acknowledged, reconnects\n"
            "(back-off 1 s doubling to 32 s) and carries on when it returns.  A worker is\n"
            "pinned to the sweep it joins first: a coordinator of another sweep on the\n"
            "same address is refused, and the worker keeps waiting for its own.\n\n"
            "  --connect ENDPOINT  the coordinator, e.g. tcp://10.0.0.5:5555 (required)\n"
            "  --jobs N            trials run at once (default 1, or the number of --gpus)\n"
            "  --gpus IDS          devices for a user's command, e.g. 0,1 or GPU-UUIDs: slot k\n"
            "                      runs with CUDA_VISIBLE_DEVICES and LRSWEEP_GPU set to id k\n"
            "                      (round robin when --jobs is more than the ids)\n"
            "  --name NAME         name shown by `lrsweep status` (default HOST:PID)\n"
            "  --workdir-base DIR  a sweep running your own command: its relative `workdir:`\n"
            "                      is taken against DIR (default: the current directory)\n"
            "  --key FILE          this worker's secret key (lrsweep keygen NAME): connect\n"
            "                      with CURVE, encrypted and authenticated\n"
            "  --server-key FILE   the coordinator's public key (its .pub)\n"
            "  --allow-commands    run sweeps of a user's own command (`command:` in the\n"
            "                      spec), as this worker's user; without it such a sweep's\n"
            "                      trials are refused and the coordinator sends none\n"
            "  --max-data SIZE     the largest data set this worker fetches and holds, e.g.\n"
            "                      512M, 4G (K, M, G, T: binary units; default 4G), in bytes\n"
            "                      of its binary form: 8 per value, as float64.  It arrives\n"
            "                      in 1 MiB chunks.  A sweep whose data set is larger\n"
            "                      is refused with a message naming both sizes; the worker\n"
            "                      takes none of its trials and retries with back-off\n"
            "  --serve             follow from sweep to sweep instead of being pinned: after\n"
            "                      a sweep is complete, wait for the next (a long-lived pool)\n"
            "  --idle-timeout SECONDS\n"
            "                      exit 3 after SECONDS without a word from the coordinator\n"
            "                      of this worker's sweep (connected and waiting for trials\n"
            "                      is not idle; default: wait for ever)\n"
            "  --log-format FORMAT text (default; off a terminal each line starts with an\n"
            "                      ISO 8601 UTC time) or json (JSON Lines)\n"
            "  --verbose           also log refused messages and trials beyond the credit\n"
            "  --quiet             no 'joined sweep' and 'exiting' lines; errors still show\n\n"
            "Environment: LRSWEEP_KEY and LRSWEEP_SERVER_KEY stand for --key and\n"
            "--server-key.  A coordinator that refuses this worker's key, or does not\n"
            "hold the server key, is reported and retried with back-off.\n\n"
            "What the coordinator sends is checked: a message that does not decode or\n"
            "that this worker did not expect, a spec that does not load, a data set\n"
            "whose size or hash is not the one announced, or trials beyond those it\n"
            "asked for are logged once and dropped (the worker reconnects with\n"
            "back-off); the worker never exits for them.\n\n"
            "Ctrl-C: finish the running trials, deliver their results, exit 130;\n"
            "a second Ctrl-C exits at once.\n\n"
            "Exit status: 0 the sweep is complete, 1 runtime failure, 2 usage error or a\n"
            "coordinator of another protocol version, 3 idle timeout, 130 interrupted.\n");
}

int lrs_cmd_worker(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"connect", required_argument, NULL, 'c'}, {"jobs", required_argument, NULL, 'j'},
        {"gpus", required_argument, NULL, 'G'},
        {"name", required_argument, NULL, 'n'},    {"verbose", no_argument, NULL, 'v'},
        {"workdir-base", required_argument, NULL, 'W'},
        {"key", required_argument, NULL, 'k'},     {"server-key", required_argument, NULL, 's'},
        {"allow-commands", no_argument, NULL, 'A'},
        {"max-data", required_argument, NULL, 'M'},
        {"serve", no_argument, NULL, 'S'},         {"idle-timeout", required_argument, NULL, 'I'},
        {"log-format", required_argument, NULL, 'L'}, {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},          {NULL, 0, NULL, 0},
    };
    const char *key_path = NULL, *server_path = NULL;
    int jobs_given = 0;
    lrs_agent_opts_t opts;
    lrs_agent_opts_init(&opts);
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "c:j:n:vh", long_opts, NULL)) != -1) {
        switch (c) {
        case 'c':
            opts.endpoint = optarg;
            break;
        case 'j':
            if (lrs_cli_int_option("worker", "--jobs", optarg, 1, 4096, &opts.jobs) != 0)
                return LRS_EXIT_USAGE;
            jobs_given = 1;
            break;
        case 'G': {
            char why[160];
            if (lrs_devices_parse(optarg, &opts.gpus, why, sizeof why) != 0) {
                fprintf(stderr, "lrsweep worker: --gpus: %s\n", why);
                return LRS_EXIT_USAGE;
            }
            break;
        }
        case 'n':
            opts.name = optarg;
            break;
        case 'W':
            opts.workdir_base = optarg;
            break;
        case 'v':
            opts.verbose = 1;
            break;
        case 'q':
            opts.quiet = 1;
            break;
        case 'k':
            key_path = optarg;
            break;
        case 'A':
            opts.allow_commands = 1;
            break;
        case 's':
            server_path = optarg;
            break;
        case 'M': {
            lrs_err_t size_err;
            int bad = lrs_bytesize_parse(optarg, &opts.max_data, &size_err) != 0;
            if (bad || !opts.max_data) {
                fprintf(stderr, "lrsweep worker: --max-data: %s\n",
                        bad ? size_err.msg : "expected a size above 0 (e.g. 512M, 4G)");
                return LRS_EXIT_USAGE;
            }
            break;
        }
        case 'S':
            opts.serve = 1;
            break;
        case 'I': {
            char *end;
            double v = strtod(optarg, &end);
            if (end == optarg || *end || !(v > 0) || v > 1e7) {
                fprintf(stderr, "lrsweep worker: --idle-timeout: expected seconds above 0, got "
                                "'%s'\n", optarg);
                return LRS_EXIT_USAGE;
            }
            opts.idle_timeout_s = v;
            break;
        }
        case 'L':
            if ((opts.log_format = lrs_log_parse_format(optarg)) < 0) {
                fprintf(stderr, "lrsweep worker: --log-format: expected text or json, got '%s'\n",
                        optarg);
                return LRS_EXIT_USAGE;
            }
            break;
        case 'h':
            usage(stdout);
            return lrs_cli_finish(0);
        default:
            usage(stderr);
            return LRS_EXIT_USAGE;
        }
    }
    if (optind < argc || !opts.endpoint) {
        fprintf(stderr, optind < argc ? "lrsweep worker: unexpected argument '%s'\n\n"
                                      : "lrsweep worker: --connect ENDPOINT is required%s\n\n",
                optind < argc ? argv[optind] : "");
        usage(stderr);
        return LRS_EXIT_USAGE;
    }
    if (!jobs_given && opts.gpus.n > 0)
        opts.jobs = opts.gpus.n;   /* one slot per device */
    lrs_err_t err;
    lrs_err_clear(&err);
    if (!key_path)
        key_path = getenv("LRSWEEP_KEY");
    if (!server_path)
        server_path = getenv("LRSWEEP_SERVER_KEY");
    if (key_path && !*key_path)
        key_path = NULL;
    if (server_path && !*server_path)
        server_path = NULL;
    lrs_keypair_t key;
    char server_key[LRS_KEY_Z85_LEN + 1];
    if (!key_path != !server_path) {
        fprintf(stderr, "lrsweep worker: %s needs %s too (see --help)\n",
                key_path ? "--key" : "--server-key", key_path ? "--server-key" : "--key");
        return LRS_EXIT_USAGE;
    }
    if (key_path) {
        if (lrs_keys_load_secret(key_path, &key, &err) != 0 ||
            lrs_keys_load_public(server_path, server_key, &err) != 0) {
            fprintf(stderr, "lrsweep worker: %s\n", err.msg);
            return err.code ? err.code : LRS_EXIT_USAGE;
        }
        opts.key = &key;
        opts.server_key = server_key;
    }
    char name[128];
    if (!opts.name) {
        lrs_agent_default_name(name, sizeof name);
        opts.name = name;
    }
    lrs_log_t log;   /* the last line of a failure reads like the others */
    lrs_log_init(&log, stderr, opts.log_format, "worker", opts.name);
    lrs_log_set_process(&log);
    opts.interrupts = lrs_cli_catch_interrupts();
    int rc = lrs_agent_run(&opts, &err);
    if (rc < 0) {
        lrs_cli_report("worker", &err);
        return err.code ? err.code : LRS_EXIT_RUNTIME;
    }
    return rc;
}
