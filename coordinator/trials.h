/* trials.h — a sweep's trial table: which trial indices are recorded,
 * which are leased to which worker at which attempt, which wait for another
 * attempt, and where the fresh ones start.
 *
 * A sweep of N trials hands out indices 0..N-1 in order, each to one worker
 * at a time.  The table never holds a slot per index: recorded trials are
 * kept as sorted ranges (a sweep finishing in order is one range, a resumed
 * one a range per gap), the trials in flight or waiting for a retry in a
 * small hash table, and everything above the dispatch cursor is pending by
 * definition.  So memory follows what has been dispatched and not finished
 * (plus the gaps between finished runs), never the trial budget: a sweep of
 * 10^9 trials costs nothing until its trials are handed out.
 *
 * Re-tried trials (an attempt that ended without a result, a lease left by
 * a coordinator that died) go to a FIFO that is served before fresh ones.
 * Attempts count dispatches: the first lease of a trial is attempt 1.
 *
 * Beyond the search indices 0..N-1 a table may hold extra indices (the
 * sweep's confirmation runs, common/spec_confirm.h), added one by one: they
 * are handed out after every fresh search index, in the order they were
 * added, and are leased, retried and recorded like any trial.
 */
#ifndef LRS_TRIALS_H
#define LRS_TRIALS_H

#include <stddef.h>
#include <stdint.h>

typedef struct lrs_trials lrs_trials_t;

typedef enum {
    LRS_TRIAL_PENDING = 0,   /* not recorded, not leased */
    LRS_TRIAL_LEASED = 1,    /* handed to a worker, no result yet */
    LRS_TRIAL_DONE = 2       /* recorded (complete, diverged or failed) */
} lrs_trial_state_t;

/* What the table knows of one trial index. */
typedef struct lrs_trial_slot {
    lrs_trial_state_t state;
    uint32_t attempts;   /* dispatches so far (0: never) */
    int32_t owner;       /* the worker slot holding the lease, or -1 */
} lrs_trial_slot_t;

/* A table of total trials, all pending.  NULL when out of memory. */
lrs_trials_t *lrs_trials_new(uint64_t total);

/* Frees the table.  Takes NULL; clears *t. */
void lrs_trials_destroy(lrs_trials_t **t);

/* The trial budget (search indices and extra ones), the recorded count
 * (both), the leased count. */
uint64_t lrs_trials_total(const lrs_trials_t *t);
uint64_t lrs_trials_done(const lrs_trials_t *t);
uint64_t lrs_trials_running(const lrs_trials_t *t);

/* The search indices (N), the extra indices added, and how many of those
 * are recorded. */
uint64_t lrs_trials_search_total(const lrs_trials_t *t);
uint64_t lrs_trials_extra_count(const lrs_trials_t *t);
uint64_t lrs_trials_extra_done(const lrs_trials_t *t);

/* 1 when trial is one of the table's indices (a search index or an extra
 * one), 0 otherwise. */
int lrs_trials_in(const lrs_trials_t *t, uint64_t trial);

/* Adds the extra index trial (≥ N; pending).  1 when added, 0 when it is a
 * search index or already there, -1 out of memory.  A linear list: meant
 * for at most a few thousand. */
int lrs_trials_add_extra(lrs_trials_t *t, uint64_t trial);

/* Bytes the table holds now (for tests and statistics). */
size_t lrs_trials_footprint(const lrs_trials_t *t);

/* The state of trial (DONE for an index outside the budget, so that no
 * caller can lease or record it). */
lrs_trial_slot_t lrs_trials_get(const lrs_trials_t *t, uint64_t trial);

/* 1 when worker slot owner holds trial's current lease at attempt: what a
 * PROGRESS or a result must come from.  0 otherwise. */
int lrs_trials_held_by(const lrs_trials_t *t, uint64_t trial, int32_t owner, uint32_t attempt);

/* Records trial as done, ending its lease if it has one (the caller drops
 * it from the owner's list first).  1 when it was not done before, 0 when
 * it was (or is outside the budget), -1 out of memory (nothing changed). */
int lrs_trials_set_done(lrs_trials_t *t, uint64_t trial);

/* A lease found in the database on resume: the trial (pending, else nothing
 * happens) waits at the front of the line and keeps attempt - 1 dispatches,
 * since a coordinator that stopped is not the trial's fault.  0, or -1 out
 * of memory. */
int lrs_trials_resume_lease(lrs_trials_t *t, uint64_t trial, uint32_t attempt);

/* The next trial to hand out: re-tried ones first, then fresh ones in
 * index order.  1 with *trial, 0 when none is pending outside a lease. */
int lrs_trials_next(lrs_trials_t *t, uint64_t *trial);

/* Leases pending trial to worker slot owner: returns the attempt number it
 * now runs (attempts + 1), or -1 out of memory / not pending. */
int64_t lrs_trials_lease(lrs_trials_t *t, uint64_t trial, int32_t owner);

/* Undoes the lease just made (the dispatch was not delivered): the trial is
 * pending again with the attempt count it had, and waits for a retry.  0, or
 * -1 out of memory. */
int lrs_trials_unlease(lrs_trials_t *t, uint64_t trial);

/* Ends a lease without a result: the trial is pending with its attempts
 * kept.  The caller then either records it failed (lrs_trials_set_done) or
 * queues it again (lrs_trials_retry).  0 when it was leased, -1 when not. */
int lrs_trials_release(lrs_trials_t *t, uint64_t trial);

/* Queues a pending trial for another attempt.  0, or -1 out of memory. */
int lrs_trials_retry(lrs_trials_t *t, uint64_t trial);

#endif
