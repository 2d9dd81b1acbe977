/* report.h — what `lrsweep report` shows of a sweep, gathered from the
 * results database as plain JSON documents, one per view of the page:
 * coordinator/report_html.h writes them into the HTML file and the page's
 * script draws them.  Nothing here knows HTML.
 *
 * Every read goes through the read side (query, query_metrics, summary):
 * trials in index order for the history and lr-against-score views, the
 * `best` order for the top configs, summary's groups for the per-scheduler
 * and per-optimizer distributions, the curve view for learning curves.
 * Stored text (names, errors, stderr tails) is kept as data here; the
 * writer escapes it for where it lands.
 */
#ifndef LRS_REPORT_H
#define LRS_REPORT_H

#include <jansson.h>

#include "common/err.h"
#include "coordinator/query.h"
#include "coordinator/report_top.h"

#define LRS_REPORT_FAILURE_GROUPS 50

typedef struct lrs_report_opts {
    int top;                 /* configs in the table and curves drawn: 1..LRS_REPORT_TOP_MAX */
    const char *spec_path;   /* the spec file the train lines name */
    int spec_given;          /* spec_path is a file: the header reads its data's rows */
} lrs_report_opts_t;

/* The documents (each owned, NULL until gathered):
 *   header     {sweep, metric, goal, sampler, data, data_hash, rows (synthetic,
 *               or read through the spec file given), data_changed, budget,
 *               counts{status: n}, wall_seconds, compute_seconds, pruning,
 *               epochs_saved, created_at, ended}
 *   trials     columnar: {statuses[], schedulers[], optimizers[], trial[],
 *               status[] (index into statuses), score[], lr[], scheduler[],
 *               optimizer[] (indices; -1 none)}, index order
 *   groups     {scheduler: [group], optimizer: [group]}: summary's groups
 *               {label, count, complete, diverged, failed, pruned, best,
 *               median, q25, q75}
 *   curves     [{trial, rank, status, epoch[], lr[], train_loss[], val_loss[]}]
 *   parallel   {shown, of, rows: [{trial, score, params{}}]}
 *   importance [{param, method (spearman | eta_squared), value, share, n}],
 *               by share, largest first
 *   top        [{rank, trial, score, score_std, params{}, train, torch}]
 *   failures   {groups: [{status, key, count, trial, error, worker, stderr}],
 *               other (count beyond the groups kept)}
 */
typedef struct lrs_report {
    json_t *header, *trials, *groups, *curves, *parallel, *importance, *top, *failures;
} lrs_report_t;

/* Gathers every document of sweep sw into out (zeroed first; the caller
 * clears it, also after a failure).  0, or -1 with err. */
int lrs_report_gather(lrs_query_t *q, const lrs_query_sweep_t *sw, const lrs_report_opts_t *o,
                      lrs_report_t *out, lrs_err_t *err);

/* Releases the documents and zeroes r.  Takes a zeroed report. */
void lrs_report_clear(lrs_report_t *r);

#endif
