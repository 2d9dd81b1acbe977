/* spec_budget.h — `budget:` in a spec: how much of a sweep to run.
 *
 *   budget:
 *     trials: 200        # finished trials, summed over every session
 *     time: 2h           # wall time coordinators ran the sweep, summed
 *     running: finish    # at the end: running trials finish | cancel
 *
 * A sweep whose budget is used up ends complete-by-budget: its workers exit
 * 0 and `status` says so.  A later run with a larger budget continues it.
 * The budget is not part of the sweep's identity (its space hash), like
 * `trials:`.  `time` is seconds (a number) or a number with s, m, h or d.
 */
#ifndef LRS_SPEC_BUDGET_H
#define LRS_SPEC_BUDGET_H

#include <stdint.h>

#include "common/yaml_doc.h"

/* The most trials a spec may ask for, in `trials:` and `budget.trials`. */
#define LRS_SPEC_MAX_TRIALS 10000000LL

typedef struct lrs_budget {
    uint64_t trials;       /* 0: no trial budget */
    double seconds;        /* 0: no time budget */
    int cancel;            /* running trials at the end: 0 finish, 1 cancel */
} lrs_budget_t;

/* Reads `budget:` (the node n) into *out, adding each error to c->d. */
void lrs_spec_budget_read(lrs_yctx_t *c, const lrs_ynode_t *n, lrs_budget_t *out);

/* Parses a duration: seconds, or a number followed by s, m, h or d.  0 with
 * *out set (> 0), -1 when text is not one. */
int lrs_duration_parse(const char *text, double *out);

#endif
