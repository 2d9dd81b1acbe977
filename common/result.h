/* result.h — what one trial produced, as every layer sees it: the engine
 * (or a user's command) fills an lrs_trial_result_t, the wire carries it
 * (lrs_wire_result_t adds the trial index and attempt), the store records
 * it (lrs_store_trial_t adds the trial's row) and queries read it back
 * (lrs_query_trial_t).  One struct, so a field means the same everywhere.
 *
 * One status vocabulary serves them all (lrs_status_t and its one name
 * table, lrs_status_name): a trial is pending, running, or ended complete,
 * diverged, failed or pruned; a command run stopped by its operator is
 * cancelled.  Complete, diverged, failed and pruned are also the wire's
 * (schema/protocol.md) and the names are the `status` column of the results
 * database (docs/schema.md).
 */
#ifndef LRS_RESULT_H
#define LRS_RESULT_H

#include <stddef.h>

typedef enum {
    LRS_STATUS_COMPLETE = 0,   /* ran to the end; score is its objective */
    LRS_STATUS_DIVERGED = 1,   /* a loss became NaN/Inf or exploded: a result, not an error */
    LRS_STATUS_FAILED = 2,     /* could not run, or the user's command failed */
    LRS_STATUS_PENDING = 3,    /* waiting for a worker */
    LRS_STATUS_RUNNING = 4,    /* leased to a worker */
    LRS_STATUS_CANCELLED = 5,  /* a command run stopped by its operator (Ctrl-C) */
    LRS_STATUS_PRUNED = 6      /* stopped early at a rung by the sweep's pruning rule */
} lrs_status_t;

#define LRS_STATUS_COUNT 7

/* "complete", "diverged", "failed", "pending", "running", "cancelled";
 * "?" for a value outside the enum. */
const char *lrs_status_name(lrs_status_t s);

/* The status named name, or -1. */
int lrs_status_parse(const char *name);

typedef struct lrs_fold_result {
    int fold;
    double train_loss, val_loss;   /* last epoch; val_loss NaN without validation */
    double accuracy;               /* classification; NaN otherwise */
    int repeat;                    /* 0-based repeat (`repeats:`) the fold belongs to */
} lrs_fold_result_t;

typedef struct lrs_epoch_stat {
    int epoch;                       /* 1-based */
    double lr;
    double train_loss, val_loss;     /* means over folds; val_loss NaN without validation */
    int repeat;                      /* 0-based repeat the curve belongs to */
} lrs_epoch_stat_t;

/* One curve value of a user's command: metric names[name] reported on a
 * line with `epoch`, in fold `fold` (0 without folds). */
typedef struct lrs_curve_point {
    int fold;
    int epoch;
    int name;
    double value;
} lrs_curve_point_t;

typedef struct lrs_curve {
    int n_names;
    char **names;                  /* owned */
    size_t n_points;
    lrs_curve_point_t *points;     /* owned */
} lrs_curve_t;

/* What a user's command adds to its trial's result. */
typedef struct lrs_command_result {
    int exit_status;               /* last run's exit code, -1: none (killed, never ran) */
    int term_signal;               /* last run's killing signal, 0: none */
    char *stderr_tail;             /* raw bytes, owned, NUL-terminated (stderr_len bytes) */
    size_t stderr_len;
    char *log_tail;                /* raw bytes, owned, NUL-terminated */
    size_t log_len;
    double *finals;                /* curve.n_names: last value of each name (NaN: none), owned */
    int curve_truncated;           /* 1: values beyond the cap were dropped */
    lrs_curve_t curve;             /* the whole curve */
} lrs_command_result_t;

/* One trial's outcome.  A complete trial has a finite score; a diverged
 * one no score (NaN) and the epoch it diverged in; a failed one an error.
 * Arrays and strings are owned (lrs_trial_result_clear frees them). */
typedef struct lrs_trial_result {
    lrs_status_t status;           /* complete, diverged or failed */
    double score, score_std;       /* the objective over folds; NaN when absent */
    double seconds;                /* wall time */
    int diverged_epoch;            /* 0 unless diverged (and known) */
    int pruned_epoch;              /* pruned: the rung epoch it stopped at (= n_epochs); else 0 */
    char *error;                   /* why it failed, or NULL */
    int n_folds;                   /* entries of folds: each repeat's folds, repeat by repeat */
    lrs_fold_result_t *folds;
    int n_epochs;                  /* entries of epochs: each repeat's epochs run (fewer when
                                      diverged), repeat by repeat */
    lrs_epoch_stat_t *epochs;
    /* A complete trial trained with several seeds (`repeats:`): each
     * repeat's score, repeat by repeat; score is their mean and score_std
     * their population std.  0 / NULL otherwise. */
    int n_repeats;
    double *repeat_scores;
    /* A user's command; NULL for the built-in engine.  A failed result with
     * it is the trial's final outcome (the command ran and failed); without
     * it, an attempt that may be retried. */
    lrs_command_result_t *command;
} lrs_trial_result_t;

/* An empty result: failed, no score (NaN), nothing owned. */
void lrs_trial_result_init(lrs_trial_result_t *r);

/* Frees what r owns and makes it empty again (lrs_trial_result_init).
 * Takes NULL; safe twice. */
void lrs_trial_result_clear(lrs_trial_result_t *r);

/* How many values a complete result's score is the mean of (trials.score_n):
 * its repeats' scores when it has two or more, else its folds' (1 for a
 * result without folds). */
int lrs_trial_result_score_n(const lrs_trial_result_t *r);

/* Frees what a curve owns and zeroes it (NULL is fine). */
void lrs_curve_clear(lrs_curve_t *c);

/* Frees a command's part and clears *c (NULL and *c NULL are fine). */
void lrs_command_result_free(lrs_command_result_t **c);

#endif
