/* export.h — `lrsweep export`: every trial of a sweep, or with curves every
 * trial's per-epoch rows, as CSV or JSON Lines.  cmd_query.c parses the
 * arguments; this writes.
 *
 * Trials: pending and running ones too (with the params the stored spec
 * gives them), in trial order, with score_n, the repeats recorded, the
 * pruning decision (CSV always; JSON Lines for a sweep that prunes) and the
 * stored metrics chosen by --metrics (query_metrics.h says which they are;
 * CSV one column per name, JSON Lines a `metrics` object).
 *
 * Curves: the rows of the schema's curve view (query_metrics.h) in trial,
 * repeat, fold, epoch order, written as they are read, so a sweep of any
 * size streams through in bounded memory: per fold for a user's command
 * (fold is the fold), the mean over folds for the built-in engine (fold
 * empty in CSV, null in JSON).  CSV has one column per metric name the rows
 * report, read first (a DISTINCT over the view). */
#ifndef LRS_EXPORT_H
#define LRS_EXPORT_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "coordinator/query.h"

typedef struct lrs_export_opts {
    const char *format;    /* "csv" or "jsonl" (anything else: a usage error) */
    const char *metrics;   /* --metrics: NULL every stored metric, "" or "none" none,
                              else a comma-separated list (metric_cols.h) */
    int curves;            /* per-epoch rows instead of one row per trial */
    int64_t trial;         /* only this trial; -1: every trial */
} lrs_export_opts_t;

/* Writes sw's export as o asks to out.  0, or -1 with err: code 2 for a
 * format other than csv or jsonl or an unknown metric name (the message
 * lists the known ones), 1 when reading or writing failed. */
int lrs_export_print(lrs_query_t *q, const lrs_query_sweep_t *sw, const lrs_export_opts_t *o,
                     FILE *out, lrs_err_t *err);

#endif
