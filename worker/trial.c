/* trial.c — see trial.h. */
#include "worker/trial.h"

#include <math.h>
#include <string.h>

#include "worker/synthetic.h"

void lrs_trial_train_opts(const lrs_spec_info_t *info, uint64_t seed, lrs_train_opts_t *opts)
{
    lrs_train_opts_init(opts);
    opts->model = info->model;
    opts->folds = info->folds;
    opts->holdout = info->holdout;
    opts->shuffle = info->shuffle;
    opts->standardize = info->standardize;
    opts->seed = seed;
}

/* The score under objective accuracy: the mean fold accuracy and its
 * (population) std, for a trial that completed. */
static void score_by_accuracy(lrs_trial_result_t *r)
{
    if (r->status != LRS_STATUS_COMPLETE || r->n_folds == 0)
        return;
    double sum = 0, sq = 0;
    for (int i = 0; i < r->n_folds; i++)
        sum += r->folds[i].accuracy;
    double mean = sum / r->n_folds;
    for (int i = 0; i < r->n_folds; i++)
        sq += (r->folds[i].accuracy - mean) * (r->folds[i].accuracy - mean);
    r->score = mean;
    r->score_std = sqrt(sq / r->n_folds);
}

int lrs_trial_run(const lrs_spec_info_t *info, const lrs_dataset_t *d, const lrs_trial_cfg_t *cfg,
                  uint64_t seed, const char *init_path, const lrs_rung_hook_t *rungs,
                  lrs_trial_result_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (info->model_kind == LRS_MODEL_SYNTHETIC)
        return lrs_synthetic_run(cfg, seed, info->synthetic_cost_ms, rungs, out, err);
    lrs_train_opts_t opts;
    lrs_trial_train_opts(info, seed, &opts);
    opts.init_path = init_path;
    opts.rungs = rungs;
    if (lrs_train_run(d, &opts, cfg, out, err) != 0)
        return -1;
    if (strcmp(info->metric, "accuracy") == 0)
        score_by_accuracy(out);
    return 0;
}
