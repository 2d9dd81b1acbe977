/* validate.c — see validate.h. */
#include "common/validate.h"

#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/data_blob.h"
#include "common/folds.h"
#include "common/model_spec.h"

static const char *target_name(const lrs_dataset_t *d)
{
    return d->n_targets > 0 && d->target_names && d->target_names[0] ? d->target_names[0] : "?";
}

int lrs_validate_data(const lrs_spec_info_t *info, const char *name, const lrs_dataset_t *d,
                      lrs_err_t *err)
{
    if (info->model_kind == LRS_MODEL_LINEAR && d->task == LRS_TASK_CLASSIFICATION)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: target '%.80s' is categorical, but model linear is for "
                           "regression; use model logistic (or mlp)",
                           name, target_name(d));
    if (strcmp(info->metric, "accuracy") == 0 && d->task == LRS_TASK_REGRESSION)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: objective accuracy needs a classification target, but target "
                           "'%.80s' is read as a regression target (add task: classification "
                           "under data: to read its values as classes)",
                           name, target_name(d));
    lrs_model_spec_t model;
    if (lrs_model_spec_for_data(&info->model, d, &model, err) != 0) {
        lrs_err_prefix(err, "%s: ", name);
        return -1;
    }
    lrs_folds_t folds;
    if (lrs_folds_make(d, info->folds, info->holdout, info->shuffle, info->seed, &folds, err) != 0) {
        lrs_err_prefix(err, "%s: ", name);
        return -1;
    }
    lrs_folds_free(&folds);
    return 0;
}

int lrs_validate_load_data(const lrs_spec_info_t *info, const char *name, void *blob,
                           size_t len, lrs_dataset_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (info->exec || info->model_kind == LRS_MODEL_SYNTHETIC) {
        free(blob);
        return 0;
    }
    int rc;
    if (blob)
        rc = lrs_data_blob_adopt(blob, len, name, out, err);
    else if (info->data_path)
        rc = lrs_dataset_load_csv(info->data_path, info->targets, info->n_targets,
                                  info->task_hint, out, err);
    else if (info->synthetic_rows > 0)
        rc = lrs_dataset_synthetic(info->synthetic_rows, info->synthetic_features,
                                   info->synthetic_outputs, info->synthetic_noise, info->seed, out,
                                   err);
    else
        rc = lrs_err_set(err, LRS_EXIT_USAGE, "%s: the sweep has no data", name);
    if (rc == 0 && lrs_validate_data(info, name, out, err) != 0)
        rc = -1;
    if (rc != 0)
        lrs_dataset_free(out);
    return rc;
}
