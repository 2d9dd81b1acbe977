/* model.h — dense models (linear, logistic, MLP), their losses and gradients,
 * in double precision.
 *
 * Layer l maps in_l → out_l: Y = X·Wᵀ + b with W (out_l × in_l, PyTorch's
 * nn.Linear layout), then an activation between layers (relu|tanh), none
 * after the last.  Regression uses MSE (mean over rows × outputs, as
 * nn.MSELoss); classification uses softmax cross-entropy (mean over rows, as
 * nn.CrossEntropyLoss) on n_out = number of classes.
 *
 * All parameters live in one flat block, layer by layer: W0, b0, W1, b1, …;
 * gradients in a block of the same shape — optimizers see flat arrays.
 */
#ifndef LRS_MODEL_H
#define LRS_MODEL_H

#include <stddef.h>

#include "common/err.h"
#include "common/model_spec.h"
#include "common/rng.h"

typedef struct lrs_model lrs_model_t;

/* A model able to process batches of up to max_rows rows at once.
 * Parameters start at zero: call an init function. */
lrs_model_t *lrs_model_new(const lrs_model_spec_t *spec, int max_rows, lrs_err_t *err);
void lrs_model_destroy(lrs_model_t **m);

size_t lrs_model_param_count(const lrs_model_t *m);
double *lrs_model_params(lrs_model_t *m);
double *lrs_model_grads(lrs_model_t *m);

/* nn.Linear's default init from rng: W, b ~ U(-1/sqrt(in), 1/sqrt(in)). */
void lrs_model_init_default(lrs_model_t *m, lrs_rng_t *rng);

/* Reads JSON {"layers":[{"weight":[[…]…],"bias":[…]}…]} (PyTorch layout);
 * shapes must match the model exactly (error names the layer and field). */
int lrs_model_load_init(lrs_model_t *m, const char *path, lrs_err_t *err);

/* Mean loss over X (n × n_in, row-major) against Y and its gradient into
 * lrs_model_grads (overwritten).  Y: regression n × n_out targets;
 * classification n class ids stored as doubles.  n ≤ max_rows. */
double lrs_model_loss_grad(lrs_model_t *m, const double *X, const double *Y, int n);

/* Mean loss only (no gradient); *correct (may be NULL) receives the number of
 * rows whose argmax equals the class (classification). */
double lrs_model_loss(lrs_model_t *m, const double *X, const double *Y, int n, int *correct);

/* Rows kept for many passes — a fold's training rows under full-batch
 * training, its validation rows — so that the model can hold them in the
 * layout its kernels read fastest: a single regression layer (up to 1024
 * weights) keeps a feature-major copy (see linalg.h), made here once, so
 * every pass vectorises across rows.  Other models read X and Y in place: the caller
 * keeps them alive and unchanged while the slot is in use.  X, Y and n as
 * for lrs_model_loss_grad; n ≤ max_rows.  -1 with err on a bad slot or n,
 * or out of memory. */
#define LRS_MODEL_SLOTS 2
int lrs_model_keep_rows(lrs_model_t *m, int slot, const double *X, const double *Y, int n,
                        lrs_err_t *err);

/* lrs_model_loss_grad and lrs_model_loss over the rows kept in slot. */
double lrs_model_loss_grad_kept(lrs_model_t *m, int slot);
double lrs_model_loss_kept(lrs_model_t *m, int slot, int *correct);

/* Rows too many to hold at once, processed in chunks: the mean loss over a
 * set of `total` rows and its gradient are sums over the chunks.
 * lrs_model_zero_grads clears lrs_model_grads; then each
 * lrs_model_loss_grad_add over n rows of the set (n ≤ max_rows ≤ total)
 * returns that chunk's share of the mean loss — its loss summed over rows
 * (and outputs, for MSE) divided by the set's total — and adds its share of
 * the gradient into lrs_model_grads.  Summed over chunks covering the set,
 * both equal lrs_model_loss_grad over the whole set, up to summation order.
 * A single regression layer that keeps rows feature-major runs each chunk
 * through the same fused kernel (copying the chunk feature-major first).
 * NaN (gradient untouched) on a bad class id or a NaN loss. */
void lrs_model_zero_grads(lrs_model_t *m);
double lrs_model_loss_grad_add(lrs_model_t *m, const double *X, const double *Y, int n,
                               int total);
/* A regression loss in the target's units when the model trains on the
 * target scaled per output (standardize_target): loss (the model's MSE on
 * the scaled target, the share of total rows of the n rows X, Y as above)
 * × weight[0] for one output; for several, Σ_k weight[k]·Σ_i (out − y)² /
 * (total · n_out) by a forward pass over X (the loss of each output times
 * its weight, std_k², averaged over outputs, as sklearn's
 * mean_squared_error of predictions mapped back).  Overwrites the forward
 * activations only: call it after a gradient is taken, before the step. */
double lrs_model_loss_in_units(lrs_model_t *m, double loss, const double *X, const double *Y,
                               int n, int total, const double *weight);
/* The loss-only counterpart: the chunk's share of the mean loss over total
 * rows; *correct (may be NULL) as for lrs_model_loss, for this chunk. */
double lrs_model_loss_add(lrs_model_t *m, const double *X, const double *Y, int n, int total,
                          int *correct);

/* Bytes that lrs_model_new(spec, max_rows) and keeping rows in every slot
 * allocate in proportion to max_rows (layer outputs, backprop scratch,
 * feature-major copies): what a trial weighs before deciding how many rows
 * to hand the model at once.  Parameters and gradients are not counted. */
double lrs_model_row_bytes(const lrs_model_spec_t *spec, int max_rows);

#endif
