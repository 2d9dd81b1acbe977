/* summary.h — `summary --by PARAM`: a sweep's recorded trials grouped by
 * one parameter, with the spread of the complete trials' scores per group.
 *
 * A numeric parameter (float or integer: lr, momentum, gamma, epochs …) is
 * cut into bins over its range as the spec declares it — the union of its
 * range distributions wherever it is written in the search space, widened
 * to any recorded value outside it; the recorded values' min and max when
 * the space gives no range (a `values:` list, a fixed value, a spec that no
 * longer parses).  Edges are log-spaced when every range of it is a log
 * kind (log_uniform, int_log_uniform), linear otherwise; a bin is
 * [low, high), the last [low, high].  Bins come in numeric order, empty
 * ones included (count 0), so the table shows where trials did not go.
 *
 * Any other parameter (optimizer, scheduler, a bool, a choice, milestones)
 * has one group per value, best group first for the sweep's goal; groups
 * without a complete trial follow (by value).  In both kinds the trials
 * that lack the parameter (momentum under adam) are one group, "-", last.
 *
 * Per group: trials recorded, complete, diverged, failed, pruned, and of
 * the complete trials' scores the best, the median, the quartiles and the
 * IQR (q75 − q25), each numpy.percentile's default linear interpolation
 * (common/prune.h, lrs_prune_percentile_sorted) — checked against numpy in
 * tests/reference/test_summary.c.  NaN where a group has no complete trial.
 */
#ifndef LRS_SUMMARY_H
#define LRS_SUMMARY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/params.h"
#include "common/space.h"
#include "coordinator/query.h"

#define LRS_SUMMARY_BINS_DEFAULT 8
#define LRS_SUMMARY_BINS_MAX 1000

/* The range a numeric parameter's bins cover. */
typedef struct lrs_summary_range {
    int known;        /* 0: the space gives none (lo, hi, log unused) */
    double lo, hi;
    int log;          /* log-spaced edges */
} lrs_summary_range_t;

typedef struct lrs_summary_group {
    char label[112];        /* "[0.001, 0.01)", a value as stored, or "-" */
    int binned;             /* a bin: low and high are its edges */
    int missing;            /* the trials that lack the parameter */
    double low, high;
    int64_t count, complete, diverged, failed, pruned;
    double best, median, q25, q75, iqr;   /* of complete scores; NaN: none */
} lrs_summary_group_t;

/* The groups of one summary, in the order they are shown. */
typedef struct lrs_summary {
    int numeric;                 /* the parameter is binned */
    size_t n;
    lrs_summary_group_t *groups;
} lrs_summary_t;

/* 1 when p is binned (a float or an integer parameter), else 0. */
int lrs_summary_is_numeric(const lrs_param_info_t *p);

/* The declared range of parameter id over every node of space (NULL
 * allowed: none known). */
lrs_summary_range_t lrs_summary_space_range(const lrs_space_block_t *space, lrs_param_id_t id);

/* Groups the n recorded values v (as lrs_query_param_values gives them;
 * only text, number, status and score are read) into out, which the
 * caller clears with lrs_summary_clear.  numeric says whether to bin
 * (bins 1..LRS_SUMMARY_BINS_MAX over declared, see above) or group by
 * text; maximize is the sweep's goal.  0, or -1 with err (out of memory). */
int lrs_summary_group_values(int numeric, const lrs_summary_range_t *declared, int bins,
                             int maximize, const lrs_query_param_value_t *v, size_t n,
                             lrs_summary_t *out, lrs_err_t *err);

/* The summary of sw's recorded trials by key into out: key must be a
 * parameter's name (`lrsweep params`), bins is used only when it is
 * numeric.  0, or -1 with err: code 2 for an unknown key, or bins given
 * (non-zero) for a parameter that is not numeric or out of range; the
 * query's errors otherwise.  bins 0 means the default. */
int lrs_summary_load(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key, int bins,
                     lrs_summary_t *out, lrs_err_t *err);

/* Frees out's groups and zeroes it.  Takes a zeroed summary. */
void lrs_summary_clear(lrs_summary_t *s);

#endif
