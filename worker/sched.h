/* sched.h — learning-rate schedulers with torch.optim.lr_scheduler semantics
 * (PyTorch 1.13), stepped once per epoch.
 *
 * The LR of epoch e (1-based) is get_last_lr() after e-1 calls of step().
 * Warm-up (warmup_epochs > 0) is SequentialLR([LinearLR(warmup_start_factor,
 * 1.0, warmup_epochs), main], milestones=[warmup_epochs]).  plateau
 * (ReduceLROnPlateau) reacts to the loss passed to lrs_sched_step.
 */
#ifndef LRS_SCHED_H
#define LRS_SCHED_H

#include "common/err.h"
#include "common/params.h"

typedef struct lrs_sched lrs_sched_t;

/* A scheduler for a finalized cfg (its optim.lr is the base LR, its epochs
 * the horizon OneCycleLR needs).  NULL with err on failure. */
lrs_sched_t *lrs_sched_new(const lrs_trial_cfg_t *cfg, lrs_err_t *err);

/* Frees *s (may be NULL) and sets *s = NULL. */
void lrs_sched_destroy(lrs_sched_t **s);

/* The LR the current epoch trains with. */
double lrs_sched_lr(const lrs_sched_t *s);

/* Ends an epoch: `metric` is the epoch's validation loss (used only by
 * plateau; pass the training loss when there is no validation set). */
void lrs_sched_step(lrs_sched_t *s, double metric);

#endif
