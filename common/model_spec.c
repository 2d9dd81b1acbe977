/* model_spec.c — see model_spec.h. */
#include "common/model_spec.h"

int lrs_model_spec_for_data(const lrs_model_spec_t *base, const lrs_dataset_t *d,
                            lrs_model_spec_t *out, lrs_err_t *err)
{
    *out = *base;
    out->task = d->task;
    out->n_in = d->n_features;
    if (d->task == LRS_TASK_CLASSIFICATION) {
        if (d->n_targets != 1)
            return lrs_err_set(err, LRS_EXIT_USAGE,
                               "classification needs exactly one target column, got %d",
                               d->n_targets);
        if (d->n_classes < 2)
            return lrs_err_set(err, LRS_EXIT_USAGE,
                               "classification needs at least 2 classes, the data has %d",
                               d->n_classes);
        out->n_out = d->n_classes;
    } else {
        out->n_out = d->n_targets;
    }
    if (out->n_in < 1 || out->n_out < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "the data set needs at least one feature and one target");
    double params = 0;
    int in = out->n_in;
    for (int l = 0; l <= out->n_hidden; l++) {
        int width = l < out->n_hidden ? out->hidden[l] : out->n_out;
        params += ((double)in + 1) * width;
        in = width;
    }
    if (params > (double)LRS_MAX_MODEL_PARAMS)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "the model has %.0f parameters for %d features; at most %ld are "
                           "allowed (narrower hidden layers?)",
                           params, out->n_in, (long)LRS_MAX_MODEL_PARAMS);
    return 0;
}
