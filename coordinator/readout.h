/* readout.h — how the read commands write what they read from a results
 * database.  Text stored there (sweep names, parameter values, a worker's
 * name, error texts) was written by others: human tables show it escaped
 * (common/textesc.h), JSON keeps its data.  Shared by cmd_query (`sweeps`,
 * `status`, `best`), export and cmd_summary, so every table escapes the
 * same way and every CSV quotes the same way. */
#ifndef LRS_READOUT_H
#define LRS_READOUT_H

#include <stdio.h>

#include <jansson.h>

#include "coordinator/query.h"

/* Writes stored text s to out as a table shows it: escaped, left-aligned
 * in width columns (0: as long as it is). */
void lrs_readout_text(FILE *out, int width, const char *s);

/* Stored text as a new JSON string, its data kept (JSON escapes control
 * characters); bytes that are not UTF-8, which JSON cannot hold, as \xNN,
 * as a command's output is stored.  NULL only when out of memory. */
json_t *lrs_readout_json_string(const char *s);

/* Stored JSON text (a trial's params) as a new JSON value; an empty object
 * when it does not parse.  NULL only when out of memory. */
json_t *lrs_readout_json_value(const char *text);

/* Writes obj as one line of JSON to out and releases it (the caller's
 * reference is taken).  0, or -1 when it could not be serialized. */
int lrs_readout_json_line(FILE *out, json_t *obj);

/* Writes stored text s (NULL: nothing) to out as one CSV field: as it is,
 * or double-quoted, its quotes doubled, when it holds a comma, a quote or a
 * line break (RFC 4180). */
void lrs_readout_csv_text(FILE *out, const char *s);

/* Writes v to out as a CSV field: lrs_fmt_number's text, nothing when v is
 * not finite. */
void lrs_readout_csv_number(FILE *out, double v);

/* Trials of a sweep that ended: complete, diverged, failed or pruned. */
int64_t lrs_readout_sweep_done(const lrs_query_sweep_row_t *r);

/* One sweep as `sweeps --json` and `serve`'s /api/sweeps show it: sweep,
 * metric, goal, sampler (null when its spec no longer parses), done,
 * trials (the budget), complete, diverged, failed, pruned, running,
 * pending, best (null: none), created_at.  A new object (NULL only when
 * out of memory). */
json_t *lrs_readout_sweep_json(const lrs_query_sweep_row_t *r);

#endif
