/* broker.h — the coordinator: one thread around zmq_poll that hands out a
 * sweep's trials to workers and records their results durably.
 *
 * It owns the results store (and so the one-writer lock), a ROUTER socket
 * bound to one or more endpoints, the sweep's state (coordinator/sweep.h:
 * its row, its trial table of coordinator/trials.h, its counters) and for
 * every worker its leases.  After every wake it handles the messages
 * that arrived, then whichever timers are due: the group-commit flush (then
 * the ACKs of what it committed), heartbeats to workers, expiry of silent
 * workers (their trials go back to the queue with attempt + 1, or fail after
 * max_attempts), the progress line.  The protocol is common/protocol.h.
 *
 * Creating a broker on a database that holds a sweep of the same name
 * resumes it: recorded trials are skipped, leases left by a coordinator that
 * died are re-queued; a changed search space is refused.
 */
#ifndef LRS_BROKER_H
#define LRS_BROKER_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/spec.h"
#include "coordinator/broker_opts.h"


/* Fills opts with the defaults above (no binds, no db). */
void lrs_broker_opts_init(lrs_broker_opts_t *opts);

/* Opens the store (taking the writer lock), creates or resumes the sweep of
 * spec (borrowed, must outlive the broker), reads the data file, binds the
 * endpoints.  NULL with err: 2 for a changed space or bad data, 1 for a
 * database, lock or bind failure. */
lrs_broker_t *lrs_broker_new(const lrs_broker_opts_t *opts, const lrs_spec_t *spec, lrs_err_t *err);

/* Sets opts.tick after creation (the local workers start once the broker
 * has bound its endpoints). */
void lrs_broker_set_tick(lrs_broker_t *b, int (*tick)(void *ctx, lrs_err_t *err), void *ctx);

/* Trials still to run: not yet recorded, 0 when the sweep is complete or
 * ended earlier (stopped, budget used up) and this run does not continue it. */
uint64_t lrs_broker_remaining(const lrs_broker_t *b);

/* Runs until every trial is recorded (returns 0), or an interrupt (130), or
 * a database failure (-1 with err). */
int lrs_broker_run(lrs_broker_t *b, lrs_err_t *err);

/* Name of the sweep and the database id, for the final report. */
const char *lrs_broker_sweep_name(const lrs_broker_t *b);

/* Counters, for tests and the final log line. */
typedef struct lrs_broker_stats {
    uint64_t rejected;        /* malformed or unexpected messages */
    uint64_t recorded;        /* trials recorded by this broker */
    int live_workers;
    int worker_slots;         /* allocated worker records (bounded by max_workers) */
    size_t trial_table_bytes; /* memory of the trial table (coordinator/trials.h) */
    uint64_t results_dropped; /* results not from the lease holder, of the wrong kind or
                                 without an outcome (also counted in rejected) */
    uint64_t done, total;     /* the sweep's trials recorded (all sessions) and its budget */
    double best;              /* NaN: no complete trial yet */
    const char *best_desc;    /* "lr 0.05, cosine" ("" without a best); valid while b lives */
} lrs_broker_stats_t;

void lrs_broker_get_stats(const lrs_broker_t *b, lrs_broker_stats_t *out);

void lrs_broker_destroy(lrs_broker_t **b);

#endif
