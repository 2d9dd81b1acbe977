/* trial.c — see trial.h. */
#include "worker/trial.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/stats.h"
#include "worker/synthetic.h"

void lrs_trial_train_opts(const lrs_spec_info_t *info, uint64_t seed, lrs_train_opts_t *opts)
{
    lrs_train_opts_init(opts);
    opts->model = info->model;
    opts->folds = info->folds;
    opts->holdout = info->holdout;
    opts->shuffle = info->shuffle;
    opts->standardize = info->standardize;
    opts->standardize_target = info->standardize_target;
    opts->seed = seed;
}

/* The score under objective accuracy: the mean fold accuracy and its
 * (population) std, for a trial that completed. */
static void score_by_accuracy(lrs_trial_result_t *r)
{
    if (r->status != LRS_STATUS_COMPLETE || r->n_folds == 0)
        return;
    lrs_mean_pop_std(&r->folds[0].accuracy, (size_t)r->n_folds, sizeof r->folds[0], &r->score,
                     &r->score_std);
}

/* One run of the trial with training seed seed: the engine, or the
 * synthetic objective, scored by the objective. */
static int run_once(const lrs_spec_info_t *info, const lrs_dataset_t *d, const lrs_trial_cfg_t *cfg,
                    uint64_t seed, const char *init_path, const lrs_rung_hook_t *rungs,
                    lrs_trial_result_t *out, lrs_err_t *err)
{
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

/* Appends run's folds and epochs to out's, marked as repeat `repeat`. */
static int append_run(lrs_trial_result_t *out, const lrs_trial_result_t *run, int repeat,
                      lrs_err_t *err)
{
    lrs_fold_result_t *folds =
        realloc(out->folds, (size_t)(out->n_folds + run->n_folds + 1) * sizeof *folds);
    if (folds)
        out->folds = folds;
    lrs_epoch_stat_t *epochs =
        realloc(out->epochs, (size_t)(out->n_epochs + run->n_epochs + 1) * sizeof *epochs);
    if (epochs)
        out->epochs = epochs;
    if (!folds || !epochs)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the results of repeat %d",
                           repeat);
    for (int i = 0; i < run->n_folds; i++) {
        out->folds[out->n_folds] = run->folds[i];
        out->folds[out->n_folds++].repeat = repeat;
    }
    for (int i = 0; i < run->n_epochs; i++) {
        out->epochs[out->n_epochs] = run->epochs[i];
        out->epochs[out->n_epochs++].repeat = repeat;
    }
    return 0;
}

/* The score of a trial of n complete repeats: the mean of their scores and
 * its population std. */
static void score_repeats(lrs_trial_result_t *out, int n)
{
    lrs_mean_pop_std(out->repeat_scores, (size_t)n, sizeof *out->repeat_scores, &out->score,
                     &out->score_std);
    out->n_repeats = n;
}

int lrs_trial_run(const lrs_spec_info_t *info, const lrs_dataset_t *d, const lrs_trial_cfg_t *cfg,
                  uint64_t seed, const char *init_path, const lrs_rung_hook_t *rungs,
                  lrs_trial_result_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    int repeats = info->repeats > 1 ? info->repeats : 1;
    if (run_once(info, d, cfg, seed, init_path, rungs, out, err) != 0)
        return -1;
    if (repeats == 1 || out->status != LRS_STATUS_COMPLETE)
        return 0;
    /* Repeat 0 went through the rungs; the others run only for a trial
     * that passed them all, without the hook. */
    out->repeat_scores = calloc((size_t)repeats, sizeof *out->repeat_scores);
    if (!out->repeat_scores) {
        lrs_trial_result_clear(out);
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for %d repeats", repeats);
    }
    out->repeat_scores[0] = out->score;
    for (int r = 1; r < repeats; r++) {
        lrs_trial_result_t run;
        int rc = run_once(info, d, cfg, lrs_repeat_seed(seed, r), init_path, NULL, &run, err);
        if (rc == 0)
            rc = append_run(out, &run, r, err);
        out->seconds += run.seconds;
        lrs_status_t status = run.status;
        int diverged_epoch = run.diverged_epoch;
        double score = run.score;
        char *error = run.error;
        run.error = NULL;
        lrs_trial_result_clear(&run);
        if (rc != 0) {
            free(error);
            lrs_trial_result_clear(out);
            return -1;
        }
        if (status != LRS_STATUS_COMPLETE) {   /* the trial ends as this repeat did */
            out->status = status;
            out->diverged_epoch = diverged_epoch;
            out->error = error;
            out->score = out->score_std = NAN;
            free(out->repeat_scores);
            out->repeat_scores = NULL;
            return 0;
        }
        free(error);
        out->repeat_scores[r] = score;
    }
    score_repeats(out, repeats);
    return 0;
}
