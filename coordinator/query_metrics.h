/* query_metrics.h — the reads behind `best`'s and `export`'s metric columns
 * and `export --curves`: which metrics a sweep's trials stored, one trial's
 * values of them, and every trial's per-epoch curve.
 *
 * A trial's stored metrics are what its row keeps: for a user's command,
 * trials.metrics (schema 002: the last value of every name it reported, the
 * mean over folds); for the built-in engine, `accuracy`, the mean of the
 * accuracy of its folds (trial_folds; classification only).  A command's own
 * `accuracy` wins over the folds' (it has none there anyway).
 *
 * Curves are read only through the schema's trial_curves view (schema 008),
 * the one curve the report, the Python package and any storage change
 * share: per fold where the folds' values are stored (a user's command),
 * the mean over folds otherwise (the built-in engine: fold -1, no metrics).
 * Rows come out one by one in (trial, repeat, fold, epoch) order, so memory
 * does not grow with the sweep (SQLite sorts in bounded memory, spilling to
 * temporary files).
 *
 * The handle keeps its own statements on q's connection, so its calls may
 * be made from inside query.h's walks; it must be destroyed before q.
 */
#ifndef LRS_QUERY_METRICS_H
#define LRS_QUERY_METRICS_H

#include <stdint.h>

#include <jansson.h>

#include "common/err.h"
#include "coordinator/query.h"

typedef struct lrs_query_metrics lrs_query_metrics_t;

/* Distinct names, sorted by their bytes. */
typedef struct lrs_names {
    int n;
    char **name;
} lrs_names_t;

/* Frees the names and zeroes *names (an empty list: fine). */
void lrs_names_clear(lrs_names_t *names);

/* What a recorded trial stored beside its score. */
typedef struct lrs_trial_metrics {
    const json_t *metrics;   /* object: name -> real, null where not finite; never NULL
                                (empty for a trial not recorded); borrowed until the
                                handle's next call */
    int score_n;             /* how many values the score is the mean of (schema 007);
                                0: none stored (not complete, or an older file) */
    int repeats;             /* trial_repeats rows (schema 007); 0: none */
} lrs_trial_metrics_t;

/* One row of the curve view. */
typedef struct lrs_curve_row {
    int64_t trial;
    int repeat;
    int fold;                  /* -1: the mean over the folds (the view's NULL) */
    int epoch;
    double lr, train_loss, val_loss;   /* NaN where NULL */
    const json_t *metrics;     /* object: every other name reported at that epoch, or
                                  NULL (none); borrowed for the callback's call */
} lrs_curve_row_t;

/* A reader of sw's metrics and curves on q.  NULL with err when out of
 * memory. */
lrs_query_metrics_t *lrs_query_metrics_new(lrs_query_t *q, const lrs_query_sweep_t *sw,
                                           lrs_err_t *err);

/* Finalizes the statements.  Takes NULL; clears *m. */
void lrs_query_metrics_destroy(lrs_query_metrics_t **m);

/* The names of the metrics any trial of the sweep stored, into out (which
 * the caller clears).  0, or -1 with err. */
int lrs_query_metric_names(lrs_query_metrics_t *m, lrs_names_t *out, lrs_err_t *err);

/* Trial's stored metrics, score_n and repeats into out (an empty object and
 * zeros for a trial not recorded).  0, or -1 with err. */
int lrs_query_trial_metrics(lrs_query_metrics_t *m, int64_t trial, lrs_trial_metrics_t *out,
                            lrs_err_t *err);

/* The names in the curve view's metrics of trial (-1: every trial) into out
 * (which the caller clears).  0, or -1 with err: code 1 for a file before
 * schema 008, which has no curve view. */
int lrs_query_curve_names(lrs_query_metrics_t *m, int64_t trial, lrs_names_t *out,
                          lrs_err_t *err);

/* Calls fn for every curve row of trial (-1: every trial), ordered by
 * trial, repeat, fold (means first), epoch.  0, -1 with err (as
 * lrs_query_curve_names), or what a callback returned to stop. */
int lrs_query_curves(lrs_query_metrics_t *m, int64_t trial,
                     int (*fn)(void *ctx, const lrs_curve_row_t *row), void *ctx,
                     lrs_err_t *err);

/* The tail of trial's command stderr as stored (schema 002: a command
 * sweep's last 20 lines), a new string in *out (free() it), or NULL when
 * none is stored.  0, or -1 with err. */
int lrs_query_trial_stderr(lrs_query_metrics_t *m, int64_t trial, char **out, lrs_err_t *err);

#endif
