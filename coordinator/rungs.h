/* rungs.h — a pruning sweep's book of rung values and decisions: what the
 * coordinator knows of every trial at every rung, and when a trial's
 * decision may be taken.
 *
 * Deterministic pruning (common/prune.h) decides trial i at rung k against
 * the rung-k values of the lower-index trials.  The book keeps, per rung, each
 * trial's value there (the first one reported: a retried attempt reports the
 * same, or is ignored) and the decision taken, and knows which trials have
 * ended (recorded, or pruned: they report no further rung).  Trial j is
 * *resolved* at rung k once it has a value there or has ended; trial i's
 * decision at k is *ready* once every trial below i is resolved at k — a set
 * that no later event changes, so the decision is the same whatever the
 * order in which workers report.  Non-deterministic specs decide at once
 * against every value known at the rung.
 *
 * Memory: per rung reached, 32 bytes per trial index up to the highest that
 * reached it.  A decision looks at the i lower-index values: O(i) time.
 * Nothing here touches the database or a socket; the broker records what
 * it decides (coordinator/store.h) before it answers.
 */
#ifndef LRS_RUNGS_H
#define LRS_RUNGS_H

#include <stdint.h>

#include "common/prune.h"

typedef struct lrs_rungs lrs_rungs_t;

/* A book for rule p (copied) and goal maximize.  NULL without memory. */
lrs_rungs_t *lrs_rungs_new(const lrs_prune_spec_t *p, int maximize);

/* Frees the book.  Takes NULL; clears *r. */
void lrs_rungs_destroy(lrs_rungs_t **r);

const lrs_prune_spec_t *lrs_rungs_spec(const lrs_rungs_t *r);

/* trial's value and best-so-far at rung k (its epoch there).  1 when new,
 * 0 when the rung already had a value for it (the first one stays), -1 out
 * of memory. */
int lrs_rungs_report(lrs_rungs_t *r, uint64_t trial, int k, int epoch, double value,
                     double best);

/* trial ended (recorded, or pruned): resolved at every rung it has no value
 * at.  0, or -1 out of memory. */
int lrs_rungs_end(lrs_rungs_t *r, uint64_t trial);

/* Records the decision taken for trial at rung k (just decided, or read
 * back on resume); a prune also ends the trial.  0, or -1 out of memory. */
int lrs_rungs_set_decision(lrs_rungs_t *r, uint64_t trial, int k, lrs_prune_verdict_t v);

/* 1 with *v when trial has a decision at rung k, else 0. */
int lrs_rungs_decision(const lrs_rungs_t *r, uint64_t trial, int k, lrs_prune_verdict_t *v);

/* 1 with the rung and its epoch when trial was pruned, else 0. */
int lrs_rungs_pruned_at(const lrs_rungs_t *r, uint64_t trial, int *k, int *epoch);

/* trial's value, best and epoch at rung k: 1 when it has one, else 0. */
int lrs_rungs_value(const lrs_rungs_t *r, uint64_t trial, int k, double *value, double *best,
                    int *epoch);

/* Takes the decision of trial (which has a value) at rung k when it is
 * ready: 1 with *v (not recorded: the caller stores it, then
 * lrs_rungs_set_decision), 0 when lower-index trials are still unresolved at
 * k (*blocker gets the lowest of them), -1 out of memory or no value. */
int lrs_rungs_try_decide(lrs_rungs_t *r, uint64_t trial, int k, lrs_prune_verdict_t *v,
                         uint64_t *blocker);

#endif
