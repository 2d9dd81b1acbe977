/* confirmed.h — a sweep's confirmed configs as `best` ranks them: each
 * confirmation run (`confirm:`, common/spec_confirm.h) with the search trial
 * it confirms, the mean of its fresh repeats and that mean's 95% interval.
 *
 * The interval is Student's t over the n repeats of the confirmation
 * (common/stats.h: mean ± t(0.975, n − 1) · s / √n, s the sample standard
 * deviation): the repeats are independent runs, each a full k-fold
 * cross-validation with its own seed.  Two configs can be told apart when
 * their intervals do not overlap — a conservative rule (non-overlapping 95%
 * intervals mean a difference well beyond the 5% level); overlapping ones
 * may still differ, and more repeats narrow them.
 */
#ifndef LRS_CONFIRMED_H
#define LRS_CONFIRMED_H

#include <stdint.h>
#include <stdio.h>

#include "common/err.h"
#include "coordinator/query.h"

#define LRS_CONFIRMED_LEVEL 0.95

typedef struct lrs_confirmed {
    int64_t trial;             /* the search trial confirmed */
    int complete;              /* the confirmation completed (else it diverged or failed) */
    double mean, std;          /* over its n repeats (population std); NaN unless complete */
    int n;
    double low, high;          /* the 95% interval; NaN when n < 2 */
    double search_score;       /* the search trial's own score */
    char *params;              /* the search trial's params JSON (owned) */
    int apart;                 /* its interval does not overlap the next one's (complete ones) */
} lrs_confirmed_t;

typedef struct lrs_confirmed_list {
    lrs_confirmed_t *items;    /* complete ones best first by mean (ties: trial), then the rest */
    int n, n_complete;
} lrs_confirmed_list_t;

/* Reads sw's confirmation runs (none in a file older than schema 007).
 * 0, or -1 with err. */
int lrs_confirmed_read(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_confirmed_list_t *out,
                       lrs_err_t *err);

void lrs_confirmed_free(lrs_confirmed_list_t *l);

/* The plain statement under the table, into out: whether the best confirmed
 * config is ahead of the others or which of them it cannot be told apart
 * from.  "" with fewer than two complete confirmations. */
void lrs_confirmed_verdict(const lrs_confirmed_list_t *l, char *out, size_t size);

/* Writes the confirmed configs (at most top), best first by their
 * confirmed mean: a table with the 95% interval and the verdict under it,
 * then a heading for the search trials that `best` lists next; or JSON
 * Lines, each with a `confirmed` object.  print_params writes a params
 * JSON object as the tables show it.  Nothing without confirmations. */
void lrs_confirmed_print(const lrs_confirmed_list_t *l, int top, int json, FILE *out,
                         void (*print_params)(FILE *out, const char *json));

/* One phrase for `run --quiet`'s line, into out: "confirmed K, best trial
 * J MEAN [LOW, HIGH]" (" (tied)" when its interval meets the next one's);
 * "" without a complete confirmation.  Opens db_path read-only.  0, or -1
 * with err. */
int lrs_confirmed_brief(const char *db_path, const char *sweep, char *out, size_t size,
                        lrs_err_t *err);

#endif
