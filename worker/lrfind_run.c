/* lrfind_run.c — the range test's training loop (see lrfind_run.h).
 *
 * Rows: the first split's training rows, standardized with their own
 * statistics as a fold would be, gathered once; with standardize_target a
 * regression target is too (train.h), and each loss is recorded in the
 * target's units, as a trial reports it.  Mini-batches walk a fresh
 * permutation per pass (the trial's shuffle stream), full batch when
 * batch_size is 0 or covers the rows; one step per iteration.
 */
#include "worker/lrfind_run.h"

#include <stdlib.h>
#include <string.h>

#include "common/folds.h"
#include "common/rng.h"
#include "worker/model.h"
#include "worker/optim.h"
#include "worker/scale.h"

typedef struct run_buffers {
    lrs_folds_t folds;
    lrs_model_t *model;
    lrs_optim_t *optim;
    double *mean, *scale, *X, *Y, *Xb, *Yb;
    double *y_mean, *weight;   /* standardize_target: n_targets, the scales squared */
    uint32_t *order;
} run_buffers_t;

static void buffers_free(run_buffers_t *b)
{
    lrs_folds_free(&b->folds);
    lrs_model_destroy(&b->model);
    lrs_optim_destroy(&b->optim);
    free(b->mean);
    free(b->scale);
    free(b->y_mean);
    free(b->weight);
    free(b->X);
    free(b->Y);
    free(b->Xb);
    free(b->Yb);
    free(b->order);
}

/* Gathers batch number k of a pass over n rows into Xb/Yb; returns its rows. */
static int next_batch(run_buffers_t *b, const lrs_dataset_t *d, int n, int batch, int k,
                      uint64_t seed)
{
    int per_pass = (n + batch - 1) / batch, at = k % per_pass;
    if (at == 0) {
        lrs_rng_t rng;
        lrs_rng_init(&rng, lrs_rng_key(seed, (uint64_t)(k / per_pass), LRS_RNG_SHUFFLE));
        for (int i = 0; i < n; i++)
            b->order[i] = (uint32_t)i;
        lrs_rng_shuffle(&rng, b->order, (uint32_t)n);
    }
    int start = at * batch, rows = n - start < batch ? n - start : batch;
    lrs_gather_rows(b->X, d->n_features, b->order + start, rows, NULL, NULL, b->Xb);
    lrs_gather_rows(b->Y, d->n_targets, b->order + start, rows, NULL, NULL, b->Yb);
    return rows;
}

int lrs_lrfind_run(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                   const lrs_lrfind_cfg_t *lf, lrs_lrfind_curve_t *curve, lrs_err_t *err)
{
    run_buffers_t b;
    memset(&b, 0, sizeof b);
    memset(curve, 0, sizeof *curve);
    int rc = -1;
    if (lrs_folds_make(d, opts->folds, opts->holdout, opts->shuffle, opts->seed, &b.folds, err) < 0)
        goto done;
    const lrs_split_t *split = &b.folds.splits[0];
    int n = split->n_train;
    if (b.folds.count < 1 || n < 1) {
        lrs_err_set(err, LRS_EXIT_USAGE, "the data set gives no training rows");
        goto done;
    }
    int batch = cfg->batch_size <= 0 || cfg->batch_size >= n ? n : cfg->batch_size;
    lrs_model_spec_t spec;
    if (lrs_model_spec_for_data(&opts->model, d, &spec, err) < 0)
        goto done;
    b.model = lrs_model_new(&spec, batch, err);
    if (!b.model)
        goto done;
    b.optim = lrs_optim_new(&cfg->optim, lrs_model_param_count(b.model), err);
    if (!b.optim)
        goto done;
    size_t nf = (size_t)d->n_features, nt = (size_t)d->n_targets;
    b.mean = calloc(nf, sizeof(double));
    b.scale = calloc(nf, sizeof(double));
    b.X = calloc((size_t)n * nf, sizeof(double));
    b.Y = calloc((size_t)n * nt, sizeof(double));
    b.Xb = calloc((size_t)batch * nf, sizeof(double));
    b.Yb = calloc((size_t)batch * nt, sizeof(double));
    b.order = calloc((size_t)n, sizeof(uint32_t));
    b.y_mean = calloc(nt, sizeof(double));
    b.weight = calloc(nt, sizeof(double));
    if (!b.y_mean || !b.weight || !b.mean || !b.scale || !b.X || !b.Y || !b.Xb || !b.Yb || !b.order ||
        lrs_lrfind_curve_init(curve, lf) < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the range test of %d rows", n);
        goto done;
    }
    if (opts->standardize)
        lrs_standardize_fit(d->X, d->n_features, split->train, n, b.mean, b.scale);
    lrs_gather_rows(d->X, d->n_features, split->train, n, opts->standardize ? b.mean : NULL,
                    opts->standardize ? b.scale : NULL, b.X);
    int scale_y = opts->standardize_target && d->task == LRS_TASK_REGRESSION;
    if (scale_y) {
        lrs_standardize_fit(d->Y, d->n_targets, split->train, n, b.y_mean, b.weight);
        lrs_gather_rows(d->Y, d->n_targets, split->train, n, b.y_mean, b.weight, b.Y);
        for (size_t k = 0; k < nt; k++)   /* the scales, squared: loss weights */
            b.weight[k] *= b.weight[k];
    } else {
        lrs_gather_rows(d->Y, d->n_targets, split->train, n, NULL, NULL, b.Y);
    }
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(opts->seed, 0, LRS_RNG_INIT));
    lrs_model_init_default(b.model, &rng);

    for (int i = 0; i < lf->iters; i++) {
        double lr = lrs_lrfind_lr(lf, i);
        int rows = next_batch(&b, d, n, batch, i, opts->seed);
        double loss = lrs_model_loss_grad(b.model, b.Xb, b.Yb, rows);
        if (scale_y)
            loss = lrs_model_loss_in_units(b.model, loss, b.Xb, b.Yb, rows, rows, b.weight);
        if (lrs_lrfind_record(curve, lf, lr, loss))
            break;
        lrs_optim_step(b.optim, lrs_model_params(b.model), lrs_model_grads(b.model), lr);
    }
    rc = 0;
done:
    buffers_free(&b);
    if (rc < 0)
        lrs_lrfind_curve_clear(curve);
    return rc;
}
