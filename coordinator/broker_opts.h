/* broker_opts.h — what a coordinator is started with (the broker's options,
 * coordinator/broker.h), apart so that the broker's two halves share them
 * without depending on its whole interface. */
#ifndef LRS_BROKER_OPTS_H
#define LRS_BROKER_OPTS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "common/keys.h"

#define LRS_BROKER_MAX_BINDS 4

typedef struct lrs_broker_opts {
    const char *db_path;
    const char *binds[LRS_BROKER_MAX_BINDS];   /* endpoints to bind, n_binds of them */
    int n_binds;
    int max_attempts;       /* default 3 */
    int heartbeat_ms;       /* default LRS_HEARTBEAT_MS */
    int liveness;           /* missed heartbeats before a worker is dead; default 3 */
    int flush_ms;           /* group-commit window; default 50 */
    int flush_batch;        /* results that force a flush; default 4096 */
    int max_workers;        /* HELLOs beyond this are refused; default 1024 */
    double drain_s;         /* first Ctrl-C: wait this long for running trials; default 30 */
    int64_t linger_ms;      /* after the sweep is complete, tell workers that call so for this
                               long (-1: until a signal); default 0 */
    int progress;           /* 0 quiet, 1 plain log lines, 2 live terminal line */
    const atomic_int *interrupts;        /* SIGINT count kept by the caller's handler; may be NULL */
    /* CURVE (coordinator/listen.h): with key, every connection is encrypted
     * and only workers whose public key is on the allow list get in — the
     * keys of allow_path (a file or a folder of .pub files) plus extra_key
     * (may be NULL: e.g. the key `run` makes for its local workers).  The
     * list is read again each time *reload changes (SIGHUP). */
    const lrs_keypair_t *key;            /* NULL: no CURVE */
    const char *allow_path;
    const char *extra_key;
    const atomic_int *reload;            /* may be NULL */
    /* `lrsweep stop`: 0, LRS_STOP_FINISH or LRS_STOP_CANCEL (common/cli.h,
     * SIGUSR1/SIGUSR2); may be NULL. */
    const atomic_int *stops;
    FILE *log;              /* messages (default stderr) */
    int log_format;         /* lrs_log_format_t (common/log.h); default text */
    /* Called about every 100 ms from the loop (may be NULL): the embedding
     * command's chance to watch its local workers.  -1 with err stops the
     * sweep (after committing what arrived) and lrs_broker_run returns -1. */
    int (*tick)(void *ctx, lrs_err_t *err);
    void *tick_ctx;
} lrs_broker_opts_t;

typedef struct lrs_broker lrs_broker_t;

#endif
