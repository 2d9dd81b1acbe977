/* sweep.h — one sweep's durable state, as the coordinator keeps it: its row
 * in the results database (created, or resumed when the search space is
 * the same), its trial table (recorded trials and the leases a stopped
 * coordinator left, read back on resume), its counters and best trial so
 * far, and the one way a trial's outcome becomes a stored row.
 *
 * The broker (coordinator/broker.c) owns the network and the workers and
 * calls this for everything that is about the sweep itself; nothing here
 * touches a socket.  Writes join the store's open transaction: they are
 * durable at the broker's next lrs_store_flush.
 */
#ifndef LRS_SWEEP_H
#define LRS_SWEEP_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/protocol.h"
#include "common/spec.h"
#include "coordinator/access.h"
#include "coordinator/store.h"
#include "coordinator/trials.h"

typedef struct lrs_sweep lrs_sweep_t;

/* Counters for the progress line and the final report. */
typedef struct lrs_sweep_counts {
    uint64_t total, done, running;    /* search trials (running: confirmation runs too) */
    uint64_t confirm_total, confirmed;   /* confirmation runs due (`confirm:`), recorded */
    uint64_t failed, diverged;        /* in the database (a resume's stored ones too) */
    uint64_t pruned, epochs_saved;    /* pruned trials in the database, and the epochs the
                                         ones this coordinator recorded did not train
                                         (built-in engine) */
    uint64_t session_done;            /* recorded by this one */
    double best;                      /* NaN: no complete trial yet */
    const char *best_desc;            /* "lr 0.05, cosine"; "" without a best */
} lrs_sweep_counts_t;

/* What this coordinator brings to the sweep's row besides the spec. */
typedef struct lrs_sweep_origin {
    const char *data_hash;      /* the data's decoded content hash (served_data.h);
                                   NULL: synthetic data or model, no hash */
    const char *data_path;      /* the data file as read, for messages; may be NULL */
    lrs_transport_t transport;  /* how workers get in (access.h) */
} lrs_sweep_origin_t;

/* Creates the sweep of spec (borrowed; outlives the sweep) in store
 * (borrowed) with origin's data hash and transport, or resumes the one of
 * that name: recorded trials are skipped, leases left behind wait first in
 * line.  A changed search space, or data whose content hash differs from
 * the one stored, is refused (code 2, naming db_path, the sweep and both
 * hashes) before anything is written; a row without a data hash (made
 * before schema 003) gets origin's.  The transport is recorded on every
 * open; a larger trial budget extends the sweep.  NULL with err on
 * failure. */
lrs_sweep_t *lrs_sweep_open(lrs_store_t *store, const lrs_spec_t *spec, const char *db_path,
                            const lrs_sweep_origin_t *origin, lrs_err_t *err);

/* Frees the state (not the store).  Takes NULL; clears *s. */
void lrs_sweep_destroy(lrs_sweep_t **s);

/* The sweep's row (name, token, budget...). */
const lrs_sweep_row_t *lrs_sweep_row(const lrs_sweep_t *s);

/* The budget the database held before this spec extended it, or 0 when it
 * was not extended. */
int64_t lrs_sweep_extended_from(const lrs_sweep_t *s);

/* ---- how much of the sweep to run (schema 005, common/spec_budget.h) ----
 *
 * A sweep that ended (complete, stopped, or its budget used up) continues
 * when run again only with more to do: a larger `trials:` (complete), a
 * budget not yet used up (budget), a larger budget than the one it was
 * stopped under (stopped: any budget, when it had none).  Decided once, by
 * lrs_sweep_open, which then clears the end in the database. */

/* NULL when the sweep has work to do; else why it does not: the sentence
 * recorded when it ended and what would continue it. */
const char *lrs_sweep_ended_note(const lrs_sweep_t *s);

/* 1 when this open continued a sweep that had ended (stopped or budget). */
int lrs_sweep_continued(const lrs_sweep_t *s);

/* Trials that may still be started under the trial budget, given those
 * finished and running (UINT64_MAX: no trial budget). */
uint64_t lrs_sweep_startable(const lrs_sweep_t *s);

/* 1 when the budget is used up at elapsed seconds (all sessions), with the
 * sentence for status in reason; 0 otherwise. */
int lrs_sweep_budget_used(const lrs_sweep_t *s, double elapsed, char *reason, size_t size);

/* The trial table: the broker leases and releases through it. */
lrs_trials_t *lrs_sweep_trials(lrs_sweep_t *s);

void lrs_sweep_counts(const lrs_sweep_t *s, lrs_sweep_counts_t *out);

/* The progress line into line (size bytes): done/total, running (leased
 * and started: the leases minus queued, those that wait in their worker's
 * queue), queued, failed, diverged, live_workers, the rate over elapsed_s
 * seconds of this coordinator, the ETA and the best trial so far. */
void lrs_sweep_progress_text(const lrs_sweep_t *s, double elapsed_s, int live_workers,
                             uint64_t queued, char *line, size_t size);

/* NULL when r may be recorded, else why it is dropped.  r must come from
 * the holder of the trial's current lease for that attempt — worker slot
 * owner, or, for a lease read back on resume and not granted again since,
 * the worker of that name — be of the sweep's kind (a command's result
 * exactly when the spec has a command), and be an outcome: complete with a
 * finite score, diverged, or failed.  (A trial already recorded is the
 * caller's late-duplicate case, checked first.) */
/* 1 when attempt of trial is held by worker slot owner, or — a lease read
 * back on resume and not granted again since — by the worker of that name:
 * who may send its result, its rung values. */
int lrs_sweep_holds(const lrs_sweep_t *s, int32_t owner, const char *worker, uint64_t trial,
                    uint32_t attempt);

const char *lrs_sweep_check_result(const lrs_sweep_t *s, int32_t owner, const char *worker,
                                   const lrs_wire_result_t *r);

/* Records r, a trial's final outcome sent by worker (a name for the row),
 * and marks the trial done, ending its lease (the caller drops it from the
 * owner's list first).  A trial already recorded is left as it is.  0, or
 * -1 with err (database or memory). */
int lrs_sweep_record(lrs_sweep_t *s, const char *worker, const lrs_wire_result_t *r,
                     lrs_err_t *err);

/* Records pending trial as failed with error (its last attempt by worker
 * ended without a result) and marks it done.  0, or -1 with err. */
int lrs_sweep_record_failed(lrs_sweep_t *s, uint64_t trial, const char *worker, const char *error,
                            lrs_err_t *err);

#endif
