/* exec_rungs.h — a user's command at pruning rungs.
 *
 * A command cannot be made to wait at a rung: it trains on while the
 * coordinator decides.  This tracker reads the objective's reports as they
 * come and says when a rung is reached and with what value, the same
 * definition the coordinator holds every trial to (common/prune.h):
 *
 * - rung k's value in a fold is the objective at the first epoch that fold
 *   reports with lrs_prune_rung_at(epoch) == k (epochs before the trial's
 *   last, cfg.epochs: none at or after it); the trial's value is the mean
 *   over folds of theirs, known when the last fold reaches the rung (folds
 *   run one after another, so the earlier ones always run to their end);
 * - the best so far is the best fold mean over the epochs up to the rung's
 *   that every fold reported (median and percentile compare it, as Optuna).
 *
 * A pruned trial's result is then cut at the rung's epoch (lrs_exec_cut):
 * what is stored is what the built-in engine would have stored had it
 * stopped there, however far the command got before it was stopped.
 */
#ifndef LRS_EXEC_RUNGS_H
#define LRS_EXEC_RUNGS_H

#include <stdint.h>

#include "common/prune.h"
#include "worker/exec_result.h"

typedef struct lrs_exec_rungs {
    const lrs_prune_spec_t *spec;
    uint64_t trial;
    int maximize;
    int folds;            /* runs: the last one asks */
    int last_epoch;       /* the trial's epochs (rungs sit before it); 0: not known */
    /* per fold: the first objective report of each epoch 0..cap-1 */
    double **obj;
    unsigned char **has;
    int *cap;
    int asked;            /* the highest rung asked, -1 */
    double best;          /* best fold mean through `through` (NaN: none yet) */
    int through;
} lrs_exec_rungs_t;

/* A tracker for trial (of last_epoch epochs, 0 when the command's own
 * count is not known; run as folds runs) under p; inactive when p prunes
 * nothing.  0, or -1 out of memory. */
int lrs_exec_rungs_init(lrs_exec_rungs_t *r, const lrs_prune_spec_t *p, uint64_t trial,
                        int maximize, int folds, int last_epoch);

void lrs_exec_rungs_free(lrs_exec_rungs_t *r);

/* The objective reported value (finite) at epoch in fold.  1 with the RUNG
 * to ask at epoch (*value, *best) when this report reaches a new rung in
 * the last fold, else 0; -1 out of memory. */
int lrs_exec_rungs_report(lrs_exec_rungs_t *r, int fold, int epoch, double value, double *value_out,
                          double *best_out);

/* Cuts res, pruned at epoch: status pruned, no objective, no error, exit
 * status -1 and no signal (how far the command got is not part of the
 * result), curve points after epoch dropped, each name's final value the
 * mean over folds of its last value at or before epoch. */
void lrs_exec_cut(lrs_exec_result_t *res, int epoch);

#endif
