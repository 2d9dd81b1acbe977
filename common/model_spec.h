/* model_spec.h — the shape of a model: task, sizes, hidden layers.
 *
 * Plain data that a sweep spec fixes (hidden widths, activation) and the
 * engine completes from the data set (n_in, n_out, task); both sides read
 * it, only the engine (worker/model.h) builds a model from it.
 */
#ifndef LRS_MODEL_SPEC_H
#define LRS_MODEL_SPEC_H

#include "common/dataset.h"
#include "common/err.h"

#define LRS_MAX_HIDDEN 8
#define LRS_MAX_HIDDEN_WIDTH 65536          /* units in one hidden layer */
#define LRS_MAX_MODEL_PARAMS (1L << 24)     /* weights + biases of one model (128 MiB) */

typedef enum { LRS_ACT_RELU, LRS_ACT_TANH } lrs_activation_t;

typedef struct lrs_model_spec {
    lrs_task_t task;
    int n_in;                      /* features */
    int n_out;                     /* regression outputs, or number of classes */
    int n_hidden;                  /* 0: linear / logistic */
    int hidden[LRS_MAX_HIDDEN];    /* widths of hidden layers */
    lrs_activation_t activation;
} lrs_model_spec_t;

/* The model for data set d: base's hidden layers and activation, with task,
 * n_in and n_out taken from d.  Usage errors: a classification data set
 * without exactly one target or with fewer than 2 classes, no feature, or
 * more than LRS_MAX_MODEL_PARAMS parameters. */
int lrs_model_spec_for_data(const lrs_model_spec_t *base, const lrs_dataset_t *d,
                            lrs_model_spec_t *out, lrs_err_t *err);

#endif
