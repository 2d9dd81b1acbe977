/* broker_prune.h — the broker's side of pruning: rung values from workers
 * into the book (coordinator/rungs.h), decisions taken when they are ready,
 * recorded in the database (trial_rungs) and answered with VERDICT only
 * after the commit that makes them durable.
 *
 * A RUNG is accepted only from the worker holding the trial's lease at that
 * attempt, for an epoch that starts one of the trial's rungs (its epochs
 * sampled from the spec, not taken from the worker).  A rung already decided
 * (a retried attempt, a restarted coordinator) is answered with the recorded
 * decision.  A pruned result is accepted only for a trial the book pruned;
 * its pruned epoch is the book's.
 */
#ifndef LRS_BROKER_PRUNE_H
#define LRS_BROKER_PRUNE_H

#include <stdint.h>

#include "common/err.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/spec.h"
#include "coordinator/store.h"
#include "coordinator/sweep.h"
#include "coordinator/trials.h"
#include "coordinator/workers.h"

/* What the pruning side works with, lent by the broker for its life. */
typedef struct lrs_broker_prune_env {
    const lrs_spec_t *spec;
    lrs_store_t *store;
    lrs_sweep_t *state;
    lrs_trials_t *trials;
    lrs_workers_t *workers;
    lrs_wbuf_t *out;                 /* the broker's output buffer */
    int (*send)(void *ctx, const uint8_t *id, size_t id_len);   /* sends *out to a peer */
    void *send_ctx;
    int *unflushed;                  /* writes waiting for the broker's next commit */
} lrs_broker_prune_env_t;

/* A rung decision waiting: for lower-index trials (decide), or for the
 * commit (reply). */
typedef struct lrs_prune_pending {
    uint64_t trial;
    int k;
    int32_t owner;                  /* the worker slot that asked, -1: none */
    uint32_t attempt;               /* the attempt it runs */
    int epoch;                      /* the epoch it asked at (a command's retried attempt
                                       may report a rung at another epoch of it) */
} lrs_prune_pending_t;

/* The broker's pruning state (inside lrs_broker; zeroed: no pruning). */
typedef struct lrs_broker_prune {
    lrs_broker_prune_env_t env;
    int64_t sweep_id;
    uint64_t token;
    struct lrs_rungs *rungs;        /* NULL: the sweep does not prune */
    lrs_prune_pending_t *undecided; /* reported, not decided yet */
    int n_undecided, cap_undecided;
    lrs_prune_pending_t *replies;   /* decided, VERDICT after the next commit */
    int n_replies, cap_replies;
    uint64_t waits;                 /* rung reports that had to wait (statistics) */
    int rungs_oom;                  /* reading the book back ran out of memory */
} lrs_broker_prune_t;

/* Sets up pruning into *P (zeroed first) when the spec of env prunes: the
 * book, with the decisions recorded earlier and every recorded trial ended;
 * otherwise P stays off.  0, or -1 with err. */
int lrs_broker_prune_open(lrs_broker_prune_t *P, const lrs_broker_prune_env_t *env,
                          lrs_err_t *err);

/* Frees what lrs_broker_prune_open made. */
void lrs_broker_prune_close(lrs_broker_prune_t *P);

/* A RUNG message from worker w (its slot in env.workers). */
int lrs_broker_on_rung(lrs_broker_prune_t *P, lrs_worker_t *w, const lrs_msg_t *m,
                       lrs_err_t *err);

/* trial was recorded (any outcome): it is resolved at every rung; the
 * decisions it held up are taken.  0, or -1 with err. */
int lrs_broker_prune_ended(lrs_broker_prune_t *P, uint64_t trial, lrs_err_t *err);

/* NULL when a pruned result r may be recorded (the book pruned the trial;
 * r's pruned epoch is set to the rung's), else why not. */
const char *lrs_broker_prune_check(lrs_broker_prune_t *P, lrs_wire_result_t *r);

/* After a commit: the VERDICTs of the decisions it made durable. */
void lrs_broker_prune_reply(lrs_broker_prune_t *P);

#endif
