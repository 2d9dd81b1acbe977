/* broker_in.h — what the two halves of the broker share: its state, and
 * the calls the loop (coordinator/broker.c: timers, commits, the run) makes
 * into the message side (coordinator/broker_in.c: what arrives, what is
 * sent back, leases).  Private to those two files. */
#ifndef LRS_BROKER_IN_H
#define LRS_BROKER_IN_H

#include <stdint.h>

#include "common/log.h"
#include "common/proto_encode.h"
#include "coordinator/broker_opts.h"
#include "coordinator/broker_prune.h"
#include "coordinator/listen.h"
#include "coordinator/peerlog.h"
#include "coordinator/served_data.h"
#include "coordinator/store.h"
#include "coordinator/sweep.h"
#include "coordinator/trials.h"
#include "coordinator/workers.h"

struct lrs_broker {
    lrs_broker_opts_t opts;
    const lrs_spec_t *spec;    /* the caller's, or own_spec */
    lrs_spec_t *own_spec;      /* the spec parsed again under a resumed sweep's rules, or NULL */
    const lrs_spec_info_t *info;
    lrs_store_t *store;
    lrs_sweep_t *state;        /* the sweep's row, trial table, counters */
    const lrs_sweep_row_t *sweep;
    lrs_trials_t *trials;
    /* workers */
    lrs_workers_t workers;
    /* network */
    lrs_listen_t *net;         /* the ROUTER (and with CURVE the ZAP handler) */
    void *router;
    int reloads_seen;
    lrs_served_data_t data;    /* the data set and its DATA frame */
    lrs_served_spec_t served;  /* the sweep's WELCOME and SPEC */
    lrs_wbuf_t out;
    lrs_log_t log;
    /* timers (monotonic ms) */
    int64_t started_ms;
    int unflushed;
    /* statistics */
    lrs_peerlog_t peers;       /* rejects: counted, logged once per peer */
    uint64_t results_dropped;  /* results refused by lrs_sweep_check_result */
    uint64_t trimmed_at;       /* rejects + departed sessions at the last heap trim */
    int progress_drawn;
    /* the end: 1 once the sweep is complete (then only the linger answers) */
    int ended;
    char end_reason[1024];     /* what SHUTDOWN tells the workers */
    /* ending early (schema 005): 0 no; LRS_STOP_FINISH no new trials, end
     * when the running ones are in; LRS_STOP_CANCEL end now */
    int ending;
    char end_kind[16];         /* stopped | budget */
    char end_note[512];        /* the sentence recorded for status */
    double elapsed_before;     /* seconds earlier sessions ran the sweep */
    lrs_broker_prune_t prune;  /* pruning (coordinator/broker_prune.h); zero: none */
};

/* A log line (common/log.h), clearing the live progress line first. */
void lrs_broker_log(lrs_broker_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sends b->out to a peer: 0, or -1 when it could not be queued (the peer
 * recovers by its own timers). */
int lrs_broker_send_out(lrs_broker_t *b, const uint8_t *id, size_t id_len);

/* Ends worker w's session: its leases go back to the queue (or fail). */
/* Writes w's workers row (buffered): connected when left is NULL, else
 * left for that reason (LRS_WORKER_LOST: lost). */
#define LRS_WORKER_LOST "stopped heartbeating"
int lrs_broker_save_worker(lrs_broker_t *b, lrs_worker_t *w, const char *left, lrs_err_t *err);

int lrs_broker_retire(lrs_broker_t *b, lrs_worker_t *w, const char *why, lrs_err_t *err);

/* Hands out trials up to w's credit. */
int lrs_broker_dispatch(lrs_broker_t *b, lrs_worker_t *w, lrs_err_t *err);

/* Handles every waiting message without blocking. */
int lrs_broker_drain(lrs_broker_t *b, lrs_err_t *err);

#endif
