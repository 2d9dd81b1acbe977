/* report_top.h — the report's views of its best trials: the top configs
 * with their train and PyTorch lines (common/repro.h), their learning and
 * lr curves (with pruned trials beside them), and parallel coordinates.
 * The half of report.h that reads trials best first; report.c calls it. */
#ifndef LRS_REPORT_TOP_H
#define LRS_REPORT_TOP_H

#include <jansson.h>

#include "common/err.h"
#include "coordinator/query.h"

#define LRS_REPORT_TOP_MAX 100
#define LRS_REPORT_PARALLEL 200     /* trials drawn in parallel coordinates, best first */

/* The documents report.h describes as top, curves and parallel, for the
 * top (1..LRS_REPORT_TOP_MAX) best trials of sw, their train lines naming
 * spec_path.  Each *out is set (a new reference, the caller's) even on
 * failure when it was begun.  0, or -1 with err. */
int lrs_report_top(lrs_query_t *q, const lrs_query_sweep_t *sw, int top, const char *spec_path,
                   json_t **top_out, json_t **curves_out, json_t **parallel_out, lrs_err_t *err);

#endif
