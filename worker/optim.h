/* optim.h — optimizers with torch.optim's exact update rules (PyTorch 1.13,
 * foreach=False, maximize=False): sgd, adam, adamw, rmsprop, adagrad.
 *
 * An optimizer owns its state (momentum buffers, moments, step count) for a
 * flat parameter block of n values; the LR comes with every step, as the
 * scheduler sets it.
 */
#ifndef LRS_OPTIM_H
#define LRS_OPTIM_H

#include <stddef.h>

#include "common/err.h"
#include "common/params.h"

typedef struct lrs_optim lrs_optim_t;

/* State for n parameters under the finalized cfg. */
lrs_optim_t *lrs_optim_new(const lrs_optim_cfg_t *cfg, size_t n, lrs_err_t *err);
void lrs_optim_destroy(lrs_optim_t **o);

/* Back to the state of a fresh optimizer (new fold). */
void lrs_optim_reset(lrs_optim_t *o);

/* One update of params (n) from grads (n) with learning rate lr.  grads is
 * not modified. */
void lrs_optim_step(lrs_optim_t *o, double *params, const double *grads, double lr);

#endif
