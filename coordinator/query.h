/* query.h — the read side of the results database: every question a reader
 * asks of it (which sweeps, how far, which trials, which curve) is answered
 * here, and no reader holds SQL of its own.  (The coordinator's look-ups of
 * its own state when it resumes a sweep belong to the writer, store.h.)
 *
 * The read commands (coordinator/cmd_query.c) and `run`'s closing report open
 * a handle read-only (through store.h's read mode, so the same checks refuse
 * a missing, foreign or newer file); WAL lets them run beside a live
 * coordinator.  A sweep is resolved once into an lrs_query_sweep_t, then rows
 * are handed to a callback as plain structs whose strings live until the
 * callback returns.  The handle prepares each statement on first use and
 * keeps it (bind, step, reset); every value a caller passes is bound, no SQL
 * text is built from it.  Statuses are common/result.h's lrs_status_t.
 *
 * Callbacks return 0 to go on; a non-zero value stops the walk and the
 * walking function returns that value (err untouched).  A callback must not
 * use the handle it is called from.  The writer's side is store.h.
 */
#ifndef LRS_QUERY_H
#define LRS_QUERY_H

#include <stdint.h>

#include "common/err.h"
#include "common/result.h"
#include "common/spec.h"

typedef struct lrs_query lrs_query_t;

/* A sweep as the readers need it. */
typedef struct lrs_query_sweep {
    int64_t id;
    char name[256];
    int64_t trials;   /* the trial budget */
    int maximize;     /* goal: 1 maximize, 0 minimize */
    /* schema 003 (""  when NULL or in an older file): the data's decoded
     * content hash, and how its last coordinator accepted workers (curve,
     * local or insecure) */
    char data_hash[17];
    char transport[16];
    /* schema 006 (0 in an older file): the sweep prunes — its stored spec
     * has a `pruning:` rule, or pruning decisions or pruned trials are
     * recorded (a spec that no longer parses counts only by its rows) */
    int pruning;
} lrs_query_sweep_t;

/* One trial: its outcome (the one result type of common/result.h, as the
 * trials row stores it: status, score, score_std, seconds, diverged_epoch,
 * error, pruned_epoch; folds, epochs and a command's part are not read
 * here) and the row's columns.  A pruned trial also carries its decision,
 * the trial_rungs row with decision 'prune' (schema 006: rule NULL and NaN
 * otherwise, in an older file, and for every other trial).  Recorded trials carry what was stored (NULL columns: NaN,
 * NULL strings, 0); the every-trial walk also yields running ones (attempts
 * and worker from the lease) and pending ones (attempts 0, worker NULL),
 * both with params regenerated from the stored spec.  Strings are borrowed
 * for the callback's duration: never clear result. */
typedef struct lrs_query_trial {
    int64_t trial;
    lrs_trial_result_t result;
    const char *params_json;    /* a JSON object's text; never NULL */
    double lr;
    const char *optimizer, *scheduler;
    int attempts;
    const char *worker;
    const char *prune_rule;                  /* lrs_prune_rule_name, or NULL */
    double prune_value, prune_threshold;     /* its value at the rung, the bar; NaN: none */
} lrs_query_trial_t;

/* Which recorded trials, in which order. */
typedef enum {
    LRS_QUERY_BY_TRIAL = 0,   /* trial index, ascending */
    LRS_QUERY_BY_SCORE = 1    /* best first for the sweep's goal, ties by trial index;
                                 trials without a score (diverged, failed, pruned) last */
} lrs_query_order_t;

typedef struct lrs_query_select {
    lrs_query_order_t order;
    int status;      /* an lrs_status_t, or -1: every recorded trial */
    int64_t limit;   /* at most this many rows; 0: no limit */
} lrs_query_select_t;

/* One sweep's progress, as `sweeps` lists it. */
typedef struct lrs_query_sweep_row {
    const char *name;
    int64_t trials;                /* the budget */
    int64_t n[LRS_STATUS_COUNT];   /* complete, diverged, failed, pruned (0 before schema
                                      006), running, pending (cancelled 0) */
    double best;                   /* best complete score; NaN: none yet */
    double created_at;             /* unix seconds */
    const char *metric;            /* the objective metric's name */
    int maximize;                  /* its goal: 1 maximize, 0 minimize */
    const char *sampler;           /* the stored spec's; NULL when it no longer parses */
} lrs_query_sweep_row_t;

/* Where one sweep stands, as `status` reports it. */
typedef struct lrs_query_progress {
    int64_t n[LRS_STATUS_COUNT];   /* recorded complete/diverged/failed/pruned, running
                                      (leases), pending (budget - recorded - running);
                                      cancelled 0 */
    int64_t recorded;              /* complete + diverged + failed + pruned */
    int64_t epochs_saved;          /* schema 006: over pruned trials with an integer
                                      params "epochs" above pruned_epoch, the sum of the
                                      difference (the epochs they did not train); else 0 */
    int64_t workers;               /* workers seen */
    int64_t confirmed, confirming; /* confirmation runs recorded, leased (counted apart) */
    int64_t queued;                /* of the leases, those beyond their worker's jobs: waiting
                                      in its queue, not started (n[LRS_STATUS_RUNNING] counts
                                      the leases of search trials) */
    double trials_per_s;           /* recorded trials over the span of their finish times;
                                      NaN with fewer than 2 or a zero span */
    double trials_per_s_recent;    /* results in the last minute of results, per second of
                                      it (of the span when shorter); NaN with fewer than 2 */
} lrs_query_progress_t;

/* Schema 005: how the sweep ended and the coordinator that runs or ran it
 * (zeros, NaN times and schema < 5 in an older file). */
typedef struct lrs_query_life {
    int schema;                 /* the file's schema version */
    char ended[16];             /* complete | stopped | budget; "" while it has work */
    char end_reason[320];
    double ended_at;
    int has_coordinator;        /* a coordinators row exists */
    char host[256];
    int64_t pid;
    double started_at, beat_at, exited_at;   /* unix seconds; exited_at NaN: not exited */
    int exit_status;
    double elapsed;             /* seconds coordinators ran the sweep, all sessions */
} lrs_query_life_t;

int lrs_query_life(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_query_life_t *out,
                   lrs_err_t *err);

/* What became of the sweep's coordinator at unix time now — the one rule
 * `status` and `stop` share: running (beat within LRS_COORDINATOR_GONE_S,
 * and on this host its pid alive), gone (it died: no exit recorded, beat
 * old or pid gone), exited (it recorded its exit), none (no row). */
typedef enum {
    LRS_COORD_NONE, LRS_COORD_RUNNING, LRS_COORD_GONE, LRS_COORD_EXITED
} lrs_coordinator_state_t;
lrs_coordinator_state_t lrs_query_coordinator_state(const lrs_query_life_t *l, double now);

/* One worker row (schema 005); strings live for the callback's call. */
typedef struct lrs_query_worker {
    const char *name, *host;    /* host may be NULL */
    int64_t pid;
    int jobs;
    int64_t trials_done;
    double last_seen;
    const char *state;          /* connected | lost | left ("" in a damaged row) */
    const char *left_reason, *idle_reason;   /* may be NULL */
    const char *gpus;           /* its --gpus list (schema 010), or NULL */
} lrs_query_worker_t;

/* Calls fn for every worker of sw, first seen first (none before schema
 * 005).  Return values as lrs_query_idle_workers. */
int lrs_query_workers(lrs_query_t *q, const lrs_query_sweep_t *sw,
                      int (*fn)(void *ctx, const lrs_query_worker_t *w), void *ctx,
                      lrs_err_t *err);

/* Calls fn(ctx, name, host (may be NULL), reason) for each worker of sw
 * that the coordinator sends no trials, and why (schema 004; none in an
 * older file).  A non-zero fn stops the walk and is returned; else 0, or -1
 * with err. */
int lrs_query_idle_workers(lrs_query_t *q, const lrs_query_sweep_t *sw,
                           int (*fn)(void *ctx, const char *name, const char *host,
                                     const char *reason),
                           void *ctx, lrs_err_t *err);

/* One recorded trial's value of one parameter, as `summary` groups them. */
typedef struct lrs_query_param_value {
    int64_t trial;
    const char *text;      /* the value as text: a number as stored, a choice's
                              name, true/false, a list as JSON; NULL: the trial
                              lacks the parameter */
    double number;         /* the value when it is a number; NaN otherwise */
    lrs_status_t status;
    double score;          /* NaN when none is stored */
} lrs_query_param_value_t;

/* Opens the database at path read-only.  NULL on failure with err set as
 * lrs_store_open(path, LRS_STORE_READ) sets it (code 2 for a missing,
 * foreign or empty file). */
lrs_query_t *lrs_query_open(const char *path, lrs_err_t *err);

/* The read-only store beneath q, for the modules that read beside query
 * with statements of their own (query_metrics.h); owned by q. */
struct lrs_store *lrs_query_store(lrs_query_t *q);

/* Finalizes the statements and closes the database.  Takes NULL; clears *q. */
void lrs_query_destroy(lrs_query_t **q);

/* Reads from here to lrs_query_snapshot_end see one state of the
 * database (a read transaction; WAL lets the writer go on meanwhile), so a
 * reader that asks several questions of a live sweep gets answers that
 * agree.  Keep it short: until it ends, a checkpoint cannot pass it.
 * Snapshots do not nest.  0, or -1 with err. */
int lrs_query_snapshot_begin(lrs_query_t *q, lrs_err_t *err);

/* Ends the snapshot lrs_query_snapshot_begin started (statements are
 * reset first).  Takes a handle without one (does nothing). */
void lrs_query_snapshot_end(lrs_query_t *q);

/* Resolves the sweep called name into out; NULL names the database's only
 * sweep.  0, or -1 with err: code 2 when there is no such sweep, none at
 * all, or (name NULL) several, whose names the message lists; 1 for a
 * database error. */
int lrs_query_sweep(lrs_query_t *q, const char *name, lrs_query_sweep_t *out, lrs_err_t *err);

/* Calls fn for every sweep in the database, oldest first.  0, -1 with err,
 * or what a callback returned to stop. */
int lrs_query_sweeps(lrs_query_t *q, int (*fn)(void *ctx, const lrs_query_sweep_row_t *row),
                     void *ctx, lrs_err_t *err);

/* Counts of sweep sw by status, workers seen and throughput, into out.
 * 0, or -1 with err. */
int lrs_query_progress(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_query_progress_t *out,
                       lrs_err_t *err);

/* Calls fn for the recorded trials of sw that sel picks, in its order.
 * 0, -1 with err, or what a callback returned to stop. */
int lrs_query_trials(lrs_query_t *q, const lrs_query_sweep_t *sw, const lrs_query_select_t *sel,
                     int (*fn)(void *ctx, const lrs_query_trial_t *t), void *ctx,
                     lrs_err_t *err);

/* Calls fn for every trial index 0..budget-1 of sw in order: recorded ones
 * as stored, the others running or pending with the params the stored spec
 * gives them.  0, -1 with err (also when the stored spec no longer parses),
 * or what a callback returned to stop. */
int lrs_query_every_trial(lrs_query_t *q, const lrs_query_sweep_t *sw,
                          int (*fn)(void *ctx, const lrs_query_trial_t *t), void *ctx,
                          lrs_err_t *err);

/* Calls fn for every recorded trial of sw, trial index ascending, with its
 * value of key in its params (the caller checks key is a parameter name:
 * it is bound, never SQL text), its status and score.  0, -1 with err, or
 * what a callback returned to stop. */
int lrs_query_param_values(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key,
                           int (*fn)(void *ctx, const lrs_query_param_value_t *v), void *ctx,
                           lrs_err_t *err);

/* The spec stored with sw, parsed (the caller destroys it); NULL with err
 * when it cannot be read or no longer parses. */
lrs_spec_t *lrs_query_spec(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_err_t *err);

/* Calls fn for every recorded epoch of trial of sw (its curve: lr and the
 * fold-mean losses, NaN where NULL), epoch ascending; none for a trial
 * without epochs.  0, -1 with err, or what a callback returned to stop. */
int lrs_query_epochs(lrs_query_t *q, const lrs_query_sweep_t *sw, int64_t trial,
                     int (*fn)(void *ctx, const lrs_epoch_stat_t *e), void *ctx, lrs_err_t *err);

#endif
