/* metric_cols.h — the metric columns of `best` and `export`: which of the
 * metric names a sweep stored `--metrics` picks, and a metric's value as a
 * table cell (lrs_fmt_display), a CSV field (lrs_fmt_number) or a JSON
 * member, so every read command shows metrics one way.  Values come as a
 * JSON object of name -> number or null (query_metrics.h); a name the
 * object lacks, or null, is an empty cell ("-" in tables). */
#ifndef LRS_METRIC_COLS_H
#define LRS_METRIC_COLS_H

#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "common/err.h"
#include "coordinator/query.h"
#include "coordinator/query_metrics.h"

typedef struct lrs_metric_cols lrs_metric_cols_t;

/* Picks from known (the names stored, sorted) by choice, `--metrics`'
 * text: NULL, every known name; "" or "none", none; else a comma-separated
 * list of known names, taken in the list's order, a repeated one once.
 * Fills out (cleared by the caller).  0, or -1 with err (code 2) naming the
 * first unknown name, where (what the names are of: "sweep 'x'") and the
 * known ones. */
int lrs_metric_cols_choose(const lrs_names_t *known, const char *choice, const char *where,
                           lrs_names_t *out, lrs_err_t *err);

/* The columns choice picks from the metrics the trials of sw stored
 * (curves 0), or from the names in the curve view's rows of trial (curves
 * 1; trial -1: every trial), with a reader of them on q (destroy it before
 * q).  NULL with err (code 2 for an unknown name). */
lrs_metric_cols_t *lrs_metric_cols_new(lrs_query_t *q, const lrs_query_sweep_t *sw, int curves,
                                       int64_t trial, const char *choice, lrs_err_t *err);

/* Frees the columns and their reader.  Takes NULL; clears *c. */
void lrs_metric_cols_destroy(lrs_metric_cols_t **c);

/* The columns' reader (owned by c), for the walks over curves. */
lrs_query_metrics_t *lrs_metric_cols_reader(lrs_metric_cols_t *c);

/* Trial's stored metrics through the reader (lrs_query_trial_metrics). */
int lrs_metric_cols_trial(lrs_metric_cols_t *c, int64_t trial, lrs_trial_metrics_t *out,
                          lrs_err_t *err);

/* A table's cells: for each column a space, then its name (escaped) or its
 * value, right-aligned in the column's width (at least 12, or the name's). */
void lrs_metric_cols_table_header(FILE *out, const lrs_metric_cols_t *c);
void lrs_metric_cols_table_row(FILE *out, const lrs_metric_cols_t *c, const json_t *metrics);

/* CSV: for each column a comma, then its name — written metrics.NAME when
 * NAME is also one of the n_taken other columns of the file, so that every
 * header is unique — or its value. */
void lrs_metric_cols_csv_header(FILE *out, const lrs_metric_cols_t *c, const char *const *taken,
                                int n_taken);
void lrs_metric_cols_csv_row(FILE *out, const lrs_metric_cols_t *c, const json_t *metrics);

/* A new JSON object of the columns metrics has, in column order (null where
 * not finite); NULL only when out of memory. */
json_t *lrs_metric_cols_json(const lrs_metric_cols_t *c, const json_t *metrics);

#endif
