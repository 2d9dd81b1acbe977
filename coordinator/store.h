/* store.h — the results database: SQLite in WAL mode, one writer.
 *
 * The coordinator opens the store as the writer: it takes an exclusive lock
 * on a side file (DB + "-lock", flock, so it dies with the process: no stale
 * lock after kill -9), migrates the schema forward to the embedded version
 * (PRAGMA user_version), and keeps its prepared statements for its whole
 * life.  Writes (results, leases, workers) open a transaction on demand;
 * lrs_store_flush commits it — one transaction per group-commit flush, so a
 * result is either wholly in the database or not at all.  Readers (the query
 * commands) open read-only and may run at any time, also mid-sweep.
 *
 * The schema itself is schema/NNN_*.sql (docs/schema.md describes it).
 */
#ifndef LRS_STORE_H
#define LRS_STORE_H

#include <stdint.h>

#include <sqlite3.h>

#include "common/err.h"
#include "common/result.h"

/* Generated from schema/NNN_*.sql at build time (schema/embed.cmake). */
extern const char *const lrs_schema_sql[];
extern const int lrs_schema_count;

typedef struct lrs_store lrs_store_t;

enum { LRS_STORE_READ = 0, LRS_STORE_WRITE = 1 };

typedef struct lrs_sweep_row {
    int64_t id;
    char name[256];
    uint64_t token;        /* random id echoed on the wire */
    char space_hash[32];   /* 16 hex digits */
    uint64_t seed;
    int64_t trials;
    char metric[32];
    int maximize;          /* goal: 1 maximize, 0 minimize */
    double created_at;
    char data_hash[17];    /* schema 003: the data's decoded content hash; "": NULL */
    char transport[16];    /* schema 003: curve | local | insecure; "": NULL */
    char ended[16];        /* schema 005: complete | stopped | budget; "": NULL (has work) */
    char end_reason[320];  /* schema 005: the sentence status shows */
    double elapsed;        /* schema 005: wall seconds coordinators ran it, all sessions */
    int64_t stop_budget_trials;    /* schema 005: budget when stopped (0: none) */
    double stop_budget_seconds;
    int rules;             /* schema 007: behaviour rules (common/spec_rules.h); NULL reads 0 */
} lrs_sweep_row_t;

/* One finished trial to record: its outcome (the one result type of
 * common/result.h: status, score, folds, epochs, a command's part) and the
 * row's own columns.  Strings may be NULL except params_json.  NaN scores
 * are stored as NULL. */
typedef struct lrs_store_trial {
    int64_t sweep_id;
    int64_t trial;
    const lrs_trial_result_t *result;
    const char *params_json;
    double lr;
    const char *optimizer, *scheduler;
    int attempts;
    const char *worker;
    const uint64_t *repeat_seeds;          /* result->n_repeats training seeds (trial_repeats) */
    int score_n;                           /* how many values a complete score is the mean of;
                                              0: lrs_trial_result_score_n(result) */
    /* With result->command (schema 002): its text columns as stored (UTF-8
     * text or NULL), and the per-epoch rows its curve reduces to, written
     * when result has no epochs of its own.  The curve replaces the trial's
     * trial_metrics rows. */
    const char *stderr_text, *log_text;
    const char *metrics_json;              /* JSON object of last values, or NULL */
    int n_curve_epochs;
    const lrs_epoch_stat_t *curve_epochs;
} lrs_store_trial_t;

/* Opens (creating when writing) the database at path.  LRS_STORE_WRITE takes
 * the one-writer lock (refused with a message naming the file when another
 * process holds it), sets WAL and migrates; LRS_STORE_READ refuses a missing
 * file.  NULL on failure with err set (code 1, or 2 for a file that is not
 * an lrsweep database). */
lrs_store_t *lrs_store_open(const char *path, int mode, lrs_err_t *err);

/* Commits pending writes (best effort), finalizes statements, closes the
 * database and releases the lock.  Takes NULL; clears *s. */
void lrs_store_destroy(lrs_store_t **s);

/* The connection, for the read side (coordinator/query.c) and tests. */
sqlite3 *lrs_store_db(lrs_store_t *s);

/* Column col of st's current row as a stored REAL reads back: NULL as NaN
 * (the writer stores NaN as NULL). */
double lrs_store_column_real(sqlite3_stmt *st, int col);

/* Schema version in the file (PRAGMA user_version). */
int lrs_store_version(lrs_store_t *s);

/* Looks up sweep name: 1 found (row filled), 0 absent, -1 error. */
int lrs_store_sweep_get(lrs_store_t *s, const char *name, lrs_sweep_row_t *row, lrs_err_t *err);

/* Creates a sweep from row (id and created_at are filled in) with spec text
 * (an empty data_hash or transport is stored as NULL); committed at once. */
int lrs_store_sweep_create(lrs_store_t *s, lrs_sweep_row_t *row, const char *spec_text,
                           lrs_err_t *err);

/* On resume: records data_hash where the row has none (a sweep created
 * before schema 003; NULL or "" leaves it) and sets transport (NULL or ""
 * leaves it); committed at once. */
int lrs_store_sweep_set_origin(lrs_store_t *s, int64_t sweep_id, const char *data_hash,
                               const char *transport, lrs_err_t *err);

/* Schema 009: records space_json (common/space_json.h) as the sweep's
 * search space where the row has none — at its creation, and for a sweep
 * created before version 9 when a coordinator opens it again; a row that
 * has one keeps it.  Committed at once. */
int lrs_store_sweep_set_space(lrs_store_t *s, int64_t sweep_id, const char *space_json,
                              lrs_err_t *err);

/* Raises a sweep's trial budget (extension); committed at once. */
int lrs_store_sweep_set_trials(lrs_store_t *s, int64_t sweep_id, int64_t trials, lrs_err_t *err);

/* Calls fn(ctx, trial, status) for every trial of the sweep already
 * recorded, status its lrs_status_t (-1 for a name this release does not
 * know). */
int lrs_store_each_done(lrs_store_t *s, int64_t sweep_id,
                        void (*fn)(void *ctx, int64_t trial, int status), void *ctx,
                        lrs_err_t *err);

/* The best complete trial of the sweep (largest score when maximize, else
 * smallest): 1 with its score, lr and scheduler name (cut to sched_size),
 * 0 when no trial is complete yet, -1 with err. */
int lrs_store_best(lrs_store_t *s, int64_t sweep_id, int maximize, double *score, double *lr,
                   char *sched, size_t sched_size, lrs_err_t *err);

/* Calls fn(ctx, trial, attempt, worker) for every lease left in the
 * database (trials that were running when the previous coordinator
 * stopped); worker is the name of the worker that held it (may be NULL in a
 * damaged file; valid during the call only). */
int lrs_store_each_lease(lrs_store_t *s, int64_t sweep_id,
                         void (*fn)(void *ctx, int64_t trial, int attempt, const char *worker),
                         void *ctx, lrs_err_t *err);

/* Buffered writes: each joins the open transaction (opening one if needed).
 * put_trial inserts the trial, its folds and epochs and deletes its lease;
 * it returns 1 when recorded, 0 when the trial was already recorded (a late
 * duplicate: nothing changes), -1 on error. */
int lrs_store_put_trial(lrs_store_t *s, const lrs_store_trial_t *t, lrs_err_t *err);
/* A decision at a pruning rung (schema 006); a rung already recorded keeps
 * its first decision. */
typedef struct lrs_store_rung {
    int64_t sweep_id, trial;
    int rung, epoch;
    double value, best;          /* NaN stored as NULL */
    int prune;                   /* 1 prune, 0 continue */
    double threshold;            /* NaN: none */
    const char *rule;            /* lrs_prune_rule_name */
} lrs_store_rung_t;
int lrs_store_put_rung(lrs_store_t *s, const lrs_store_rung_t *r, lrs_err_t *err);
/* Calls fn(ctx, row) for every recorded rung of the sweep, by trial and rung
 * (coordinator/store_prune.c). */
int lrs_store_each_rung(lrs_store_t *s, int64_t sweep_id,
                        void (*fn)(void *ctx, const lrs_store_rung_t *row), void *ctx,
                        lrs_err_t *err);
/* The k (at most) best complete search trials of the sweep, best first
 * (ties: the lower index), into out (room for k); *n how many
 * (coordinator/store_confirm.c).  Reads what this connection wrote, also
 * before it is committed.  0, or -1 with err. */
int lrs_store_top_search(lrs_store_t *s, int64_t sweep_id, int maximize, int k, uint64_t *out,
                         int *n, lrs_err_t *err);
int lrs_store_put_lease(lrs_store_t *s, int64_t sweep_id, int64_t trial, int attempt,
                        const char *worker, lrs_err_t *err);
int lrs_store_del_lease(lrs_store_t *s, int64_t sweep_id, int64_t trial, lrs_err_t *err);
/* Adds (or overwrites) curve points of a running trial in trial_metrics:
 * the curve so far, before its result replaces it. */
int lrs_store_put_points(lrs_store_t *s, int64_t sweep_id, int64_t trial,
                         const lrs_curve_t *curve, lrs_err_t *err);
/* A worker row (schema 001/004/005/010): last_seen is now, trials_added adds
 * to trials_done, idle_reason (NULL: none) says why it gets no trials;
 * left_reason NULL: connected, else why it left (lost: it stopped
 * heartbeating); gpus its --gpus list (NULL: none). */
typedef struct lrs_store_worker {
    const char *name, *host;
    int64_t pid;
    int jobs;
    int64_t trials_added;
    const char *idle_reason, *left_reason;
    const char *gpus;
    int lost;
} lrs_store_worker_t;

/* Upserts a worker row (buffered, like the writes above). */
int lrs_store_put_worker(lrs_store_t *s, int64_t sweep_id, const lrs_store_worker_t *w,
                         lrs_err_t *err);
/* Writes waiting in the open transaction (0: none). */
int64_t lrs_store_pending(const lrs_store_t *s);

/* Commits the open transaction, if any.  On failure it is rolled back (no
 * half-written trial) and err says why; callers must then treat every write
 * since the last flush as lost. */
int lrs_store_flush(lrs_store_t *s, lrs_err_t *err);

/* Wall clock in unix seconds. */
double lrs_store_now(void);

/* A write outside the buffered transaction (for coordinator/store_*.c):
 * one_off commits what is pending and prepares sql (NULL with err on
 * failure); one_off_run steps the statement once, finalizes it and returns
 * 0, or -1 with err naming what. */
sqlite3_stmt *lrs_store_one_off(lrs_store_t *s, const char *sql, const char *what,
                                lrs_err_t *err);
int lrs_store_one_off_run(lrs_store_t *s, sqlite3_stmt *st, const char *what, lrs_err_t *err);

/* ---- schema 005: the coordinator's row and how a sweep ends (store_life.c) */

#define LRS_COORDINATOR_BEAT_MS 1000   /* how often a running coordinator beats */
#define LRS_COORDINATOR_GONE_S 10.0    /* a beat older than this: the coordinator is gone */

/* The coordinator of sweep_id starts (its host and pid; beat now) / beats
 * (beat_at now, and the sweep's elapsed seconds) / exits with status. */
int lrs_store_coordinator_start(lrs_store_t *s, int64_t sweep_id, const char *host, int64_t pid,
                                lrs_err_t *err);
int lrs_store_coordinator_beat(lrs_store_t *s, int64_t sweep_id, double elapsed, lrs_err_t *err);
int lrs_store_coordinator_exit(lrs_store_t *s, int64_t sweep_id, int status, lrs_err_t *err);

/* Records that the sweep ended: kind complete | stopped | budget, reason
 * the sentence status shows; for stopped, the budget then in effect (0:
 * none).  lrs_store_sweep_reopen clears it (a continued sweep). */
int lrs_store_sweep_end(lrs_store_t *s, int64_t sweep_id, const char *kind, const char *reason,
                        int64_t budget_trials, double budget_seconds, lrs_err_t *err);
int lrs_store_sweep_reopen(lrs_store_t *s, int64_t sweep_id, lrs_err_t *err);

#endif
