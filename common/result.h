/* result.h — what one trial produced, as every layer sees it: the engine
 * fills it, the wire carries it, the store records it, queries read it back.
 *
 * One status vocabulary serves them all (lrs_status_t and its one name
 * table, lrs_status_name): a trial is pending, running, or ended complete,
 * diverged or failed; a command run stopped by its operator is cancelled.
 * The first three values are also the wire's (schema/protocol.md) and the
 * names are the `status` column of the results database (docs/schema.md).
 */
#ifndef LRS_RESULT_H
#define LRS_RESULT_H

typedef enum {
    LRS_STATUS_COMPLETE = 0,   /* ran to the end; score is its objective */
    LRS_STATUS_DIVERGED = 1,   /* a loss became NaN/Inf or exploded: a result, not an error */
    LRS_STATUS_FAILED = 2,     /* could not run, or the user's command failed */
    LRS_STATUS_PENDING = 3,    /* waiting for a worker */
    LRS_STATUS_RUNNING = 4,    /* leased to a worker */
    LRS_STATUS_CANCELLED = 5   /* a command run stopped by its operator (Ctrl-C) */
} lrs_status_t;

#define LRS_STATUS_COUNT 6

/* "complete", "diverged", "failed", "pending", "running", "cancelled";
 * "?" for a value outside the enum. */
const char *lrs_status_name(lrs_status_t s);

/* The status named name, or -1. */
int lrs_status_parse(const char *name);

typedef struct lrs_fold_result {
    int fold;
    double train_loss, val_loss;   /* last epoch; val_loss NaN without validation */
    double accuracy;               /* classification; NaN otherwise */
} lrs_fold_result_t;

typedef struct lrs_epoch_stat {
    int epoch;                       /* 1-based */
    double lr;
    double train_loss, val_loss;     /* means over folds; val_loss NaN without validation */
} lrs_epoch_stat_t;

#endif
