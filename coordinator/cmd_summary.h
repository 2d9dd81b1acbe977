/* cmd_summary.h — what `lrsweep summary` prints: coordinator/summary.h's
 * groups as an aligned table or as JSON Lines.  Its arguments are parsed
 * with the other read commands' in coordinator/cmd_query.c. */
#ifndef LRS_CMD_SUMMARY_H
#define LRS_CMD_SUMMARY_H

#include <stdio.h>

#include "common/err.h"
#include "coordinator/query.h"

/* Prints the summary of sw by key (a parameter's name) with bins bins (0:
 * the default; only for a numeric parameter) to out: a table (label,
 * count, complete, best, median, IQR) or, json set, one object per group.
 * 0, or -1 with err as lrs_summary_load sets it. */
int lrs_summary_print(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key, int bins,
                      int json, FILE *out, lrs_err_t *err);

#endif
