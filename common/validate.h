/* validate.h — the one check of what a sweep's trials will train on.
 *
 * A spec that loads (common/spec.h) is well-formed on its own; whether its
 * data fits its model, objective and validation settings can only be told
 * with the data in hand.  lrs_validate_data is that rule, and every path
 * applies it before anything is created or trained: `validate`, `run` and
 * `coordinator` before a database is opened, workers on the data they
 * receive, and `train` (with or without --spec) before its trial.  A data
 * set that passes trains; one that fails gives every path the same message.
 */
#ifndef LRS_VALIDATE_H
#define LRS_VALIDATE_H

#include <stddef.h>

#include "common/dataset.h"
#include "common/err.h"
#include "common/spec.h"

/* Checks d against info's built-in model and settings (usage errors):
 * - model type linear is for regression: a categorical target is refused;
 * - objective accuracy needs a classification target;
 * - the model's shape (lrs_model_spec_for_data);
 * - the validation splits (lrs_folds_make): enough rows for `folds`, for
 *   stratified folds at least `folds` rows of every class, a holdout that
 *   leaves rows on both sides.
 * name is the data's name in messages. */
int lrs_validate_data(const lrs_spec_info_t *info, const char *name, const lrs_dataset_t *d,
                      lrs_err_t *err);

/* The data set of a built-in spec, read the one way every side reads it:
 * the binary form the coordinator sent (blob, len: common/data_blob.h,
 * malloc'd and taken over — the data set reads its values in place, and it
 * is freed on failure; name in messages) when blob is non-NULL, else the file info->data_path parsed
 * with info->task_hint, else info's synthetic problem — then checked by
 * lrs_validate_data.  Model type
 * synthetic needs no data: *out is left empty and 0 returned.  On failure
 * *out is empty. */
int lrs_validate_load_data(const lrs_spec_info_t *info, const char *name, void *blob,
                           size_t len, lrs_dataset_t *out, lrs_err_t *err);

#endif
