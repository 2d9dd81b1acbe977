/* agent_opts.h — what a worker's agent (worker/agent.h) is started with:
 * the coordinator's endpoint, jobs, keys, bounds and lifecycle settings. */
#ifndef LRS_AGENT_OPTS_H
#define LRS_AGENT_OPTS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common/devices.h"
#include "common/keys.h"

typedef struct lrs_agent_opts {
    const char *endpoint;        /* coordinator, e.g. tcp://host:5555 */
    int jobs;                    /* trial threads; default 1 */
    lrs_devices_t gpus;          /* --gpus: slot k's commands run on gpus.id[k mod n]; n 0: none */
    int prefetch;                /* trials queued beyond jobs; default max(jobs, 16) */
    const char *name;            /* default host:pid */
    const atomic_int *interrupts;        /* SIGINT/SIGTERM count kept by the caller; may be NULL */
    int verbose;                 /* 1: log connections and shutdowns */
    int quiet;                   /* 1: no joined/rejoined/exiting lines (run --quiet's workers) */
    FILE *log;                   /* default stderr */
    int log_format;              /* lrs_log_format_t (common/log.h); default text */
    /* A user's command (`command:`) runs in the spec's `workdir`; a relative
     * one is taken against this folder (`lrsweep run` passes the spec's
     * folder to its local workers), or the current directory when NULL. */
    const char *workdir_base;
    /* CURVE (worker/handshake.h): this worker's key pair and the
     * coordinator's public key (Z85); key NULL: no CURVE. */
    const lrs_keypair_t *key;
    const char *server_key;
    /* 1: run trials of a user's command (`command:`); otherwise the worker
     * tells the coordinator (HELLO) and takes none of such a sweep's. */
    int allow_commands;
    /* The largest data set this worker takes, in bytes of its binary form
     * (0: the default, LRS_AGENT_MAX_DATA).  Inbound frames are capped
     * apart from it (ZeroMQ's ZMQ_MAXMSGSIZE: a data chunk or the largest
     * spec, plus an envelope): the data set arrives in chunks. */
    uint64_t max_data;
    /* Lifecycle.  A worker is pinned to the first sweep it joins: it takes
     * no other sweep's trials and waits for its own; with serve it follows
     * from sweep to sweep instead (a long-lived pool).  idle_timeout_s > 0:
     * no word from the coordinator of its sweep for that long ends the
     * worker (LRS_EXIT_IDLE). */
    int serve;
    double idle_timeout_s;
} lrs_agent_opts_t;

#define LRS_AGENT_MAX_DATA ((uint64_t)4 << 30)   /* 4 GiB */

#endif
