/* train.c — one trial of the built-in engine (see train.h): k-fold
 * cross-validation of a dense model under one optimizer + LR schedule.
 *
 * Folds run one after another.  Everything a trial needs is allocated once up
 * front, sized for its largest fold: the model (with room for the largest
 * batch or validation set), the optimizer state, the gathered training and
 * validation rows, the batch buffers and the per-epoch sums.  The step loop
 * itself allocates nothing; only the scheduler is created anew per fold,
 * since it is tiny and its state must restart.
 *
 * Two ways to feed the model rows (see train.h, copy_budget): a small trial
 * gathers each fold's rows once ("copying": the model keeps them, and
 * mini-batches are copied out of the gathered rows); a large one gathers
 * from the data set as it goes ("chunked": each mini-batch, and each chunk
 * of a full-batch step or validation pass, is gathered and standardized into
 * one buffer of max(batch, chunk) rows).  Both standardize each value by the
 * same (v − mean) / scale, and a mini-batch's rows are the same in both (the
 * shuffle permutes positions whatever the values), so mini-batch training
 * agrees bit for bit; full-batch losses and gradients summed over chunks
 * agree up to summation order.
 *
 * Divergence: after each epoch, a NaN/Inf train or validation loss, or one
 * above 1e6 × the same fold's first-epoch loss, stops the trial at that epoch.
 * Folds that ran earlier keep their full histories; the per-epoch means are
 * then taken over every fold that ran, up to the diverging epoch.
 */
#include "worker/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/rng.h"
#include "common/folds.h"
#include "worker/optim.h"
#include "worker/scale.h"
#include "worker/sched.h"

#define DIVERGENCE_FACTOR 1e6

/* The model's row slots: a fold's training rows (full batch) and its
 * validation rows, kept for every epoch's pass. */
#define SLOT_TRAIN 0
#define SLOT_VAL 1

/* Streams: mini-batch order of (fold, epoch) is its own counter-based stream. */
#define SHUFFLE_INDEX(fold, epoch) ((uint64_t)(fold) * 1000003u + (uint64_t)(epoch))

/* Everything one trial allocates, freed together. */
typedef struct trial_buffers {
    lrs_model_t *model;
    lrs_optim_t *optim;
    double *init_params;        /* n_params: every fold starts here */
    double *mean, *scale;       /* n_features: this fold's standardization */
    double *X_train, *Y_train;  /* max_train × n_features, max_train × n_targets */
    double *X_val, *Y_val;      /* max_val × …, NULL when no split validates */
    double *X_batch, *Y_batch;  /* batch (chunked: max(batch, chunk)) × …, or NULL */
    uint32_t *order;            /* max_train: this epoch's row order (chunked: data set rows) */
    int chunked;                /* 0: copying, 1: chunked (see the header comment) */
    int chunk;                  /* rows per chunk of a chunked pass */
    const double *use_mean, *use_scale;   /* this fold's standardization, or NULL */
    double *lr_sum;             /* n_epochs: summed over folds (plateau varies) */
} trial_buffers_t;

void lrs_train_opts_init(lrs_train_opts_t *opts)
{
    memset(opts, 0, sizeof *opts);
    opts->model.task = LRS_TASK_REGRESSION;
    opts->model.n_hidden = 0;
    opts->model.activation = LRS_ACT_RELU;
    opts->folds = 5;
    opts->holdout = 0.2;
    opts->shuffle = 1;
    opts->standardize = 1;
    opts->seed = 0;
    opts->init_path = NULL;
    opts->copy_budget = LRS_TRAIN_COPY_BUDGET;
}

static void buffers_free(trial_buffers_t *b)
{
    lrs_model_destroy(&b->model);
    lrs_optim_destroy(&b->optim);
    free(b->init_params);
    free(b->mean);
    free(b->scale);
    free(b->X_train);
    free(b->Y_train);
    free(b->X_val);
    free(b->Y_val);
    free(b->X_batch);
    free(b->Y_batch);
    free(b->order);
    free(b->lr_sum);
    memset(b, 0, sizeof *b);
}

static void *alloc_array(size_t count, size_t size, int *failed)
{
    if (count == 0)
        return NULL;
    void *p = calloc(count, size);
    if (!p)
        *failed = 1;
    return p;
}

/* Allocates every buffer of the trial, sized by the largest split. */
static int buffers_new(const lrs_dataset_t *d, const lrs_folds_t *folds, const lrs_train_opts_t *opts,
                       const lrs_trial_cfg_t *cfg, trial_buffers_t *b, lrs_err_t *err)
{
    int max_train = 0, max_val = 0;
    for (int f = 0; f < folds->count; f++) {
        if (folds->splits[f].n_train > max_train)
            max_train = folds->splits[f].n_train;
        if (folds->splits[f].n_val > max_val)
            max_val = folds->splits[f].n_val;
    }
    if (max_train < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE, "a training split has no rows");
    int full_batch = cfg->batch_size <= 0 || cfg->batch_size >= max_train;
    int batch = full_batch ? max_train : cfg->batch_size;
    int max_rows = batch > max_val ? batch : max_val;
    size_t nf = (size_t)d->n_features, nt = (size_t)d->n_targets;

    lrs_model_spec_t spec;
    if (lrs_model_spec_for_data(&opts->model, d, &spec, err) < 0)
        return -1;
    /* Copying holds every gathered row plus the model's whole-fold buffers. */
    double copy_bytes = ((double)max_train + max_val) * (double)(nf + nt) * sizeof(double) +
                        lrs_model_row_bytes(&spec, max_rows);
    b->chunked = !(copy_bytes <= opts->copy_budget);
    if (b->chunked) {
        int widest_split = max_train > max_val ? max_train : max_val;
        b->chunk = widest_split < LRS_TRAIN_CHUNK_ROWS ? widest_split : LRS_TRAIN_CHUNK_ROWS;
        batch = full_batch || cfg->batch_size < b->chunk ? b->chunk : cfg->batch_size;
        max_rows = batch;
    }
    b->model = lrs_model_new(&spec, max_rows, err);
    if (!b->model)
        return -1;
    size_t n_params = lrs_model_param_count(b->model);
    b->optim = lrs_optim_new(&cfg->optim, n_params, err);
    if (!b->optim)
        return -1;

    int failed = 0;
    b->init_params = alloc_array(n_params, sizeof(double), &failed);
    b->mean = alloc_array(nf, sizeof(double), &failed);
    b->scale = alloc_array(nf, sizeof(double), &failed);
    if (!b->chunked) {
        b->X_train = alloc_array((size_t)max_train * nf, sizeof(double), &failed);
        b->Y_train = alloc_array((size_t)max_train * nt, sizeof(double), &failed);
        b->X_val = alloc_array((size_t)max_val * nf, sizeof(double), &failed);
        b->Y_val = alloc_array((size_t)max_val * nt, sizeof(double), &failed);
    }
    if (!full_batch || b->chunked) {
        b->X_batch = alloc_array((size_t)batch * nf, sizeof(double), &failed);
        b->Y_batch = alloc_array((size_t)batch * nt, sizeof(double), &failed);
    }
    if (!full_batch)
        b->order = alloc_array((size_t)max_train, sizeof(uint32_t), &failed);
    b->lr_sum = alloc_array((size_t)cfg->epochs, sizeof(double), &failed);
    if (failed)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for a trial of %d rows", d->rows);
    return 0;
}

/* The weights every fold starts from: --init file, or nn.Linear's default
 * drawn from the trial seed. */
static int initial_weights(trial_buffers_t *b, const lrs_train_opts_t *opts, lrs_err_t *err)
{
    if (opts->init_path) {
        if (lrs_model_load_init(b->model, opts->init_path, err) < 0)
            return -1;
    } else {
        lrs_rng_t rng;
        lrs_rng_init(&rng, lrs_rng_key(opts->seed, 0, LRS_RNG_INIT));
        lrs_model_init_default(b->model, &rng);
    }
    memcpy(b->init_params, lrs_model_params(b->model),
           lrs_model_param_count(b->model) * sizeof(double));
    return 0;
}

/* Fits the split's standardization on its training rows only (no
 * information leaks from the validation fold) and, when copying, gathers its
 * rows into the trial buffers. */
static void gather_split(const lrs_dataset_t *d, const lrs_split_t *split, int standardize,
                         trial_buffers_t *b)
{
    const double *mean = NULL, *scale = NULL;
    if (standardize) {
        lrs_standardize_fit(d->X, d->n_features, split->train, split->n_train, b->mean, b->scale);
        mean = b->mean;
        scale = b->scale;
    }
    b->use_mean = mean;
    b->use_scale = scale;
    if (b->chunked)
        return;
    lrs_gather_rows(d->X, d->n_features, split->train, split->n_train, mean, scale, b->X_train);
    lrs_gather_rows(d->Y, d->n_targets, split->train, split->n_train, NULL, NULL, b->Y_train);
    if (split->n_val > 0) {
        lrs_gather_rows(d->X, d->n_features, split->val, split->n_val, mean, scale, b->X_val);
        lrs_gather_rows(d->Y, d->n_targets, split->val, split->n_val, NULL, NULL, b->Y_val);
    }
}

/* Gathers the listed data set rows (rows × nf, standardized as the fold) and
 * their targets (rows × nt) into the batch buffers. */
static void gather_batch(trial_buffers_t *b, const lrs_dataset_t *d, const uint32_t *idx, int rows)
{
    lrs_gather_rows(d->X, d->n_features, idx, rows, b->use_mean, b->use_scale, b->X_batch);
    lrs_gather_rows(d->Y, d->n_targets, idx, rows, NULL, NULL, b->Y_batch);
}

/* Chunked full-batch pass: the mean loss over the listed rows, and its
 * gradient in the model's grads (zero when the loss is NaN, as
 * lrs_model_loss_grad leaves it). */
static double chunked_loss_grad(trial_buffers_t *b, const lrs_dataset_t *d, const uint32_t *idx,
                                int n)
{
    lrs_model_t *m = b->model;
    lrs_model_zero_grads(m);
    if (n <= 0)
        return NAN;
    double loss = 0.0;
    for (int start = 0; start < n; start += b->chunk) {
        int rows = n - start < b->chunk ? n - start : b->chunk;
        gather_batch(b, d, idx + start, rows);
        double share = lrs_model_loss_grad_add(m, b->X_batch, b->Y_batch, rows, n);
        if (isnan(share)) {
            lrs_model_zero_grads(m);
            return share;
        }
        loss += share;
    }
    return loss;
}

/* Chunked validation pass: the mean loss over the listed rows; *correct
 * receives the rows classified right. */
static double chunked_loss(trial_buffers_t *b, const lrs_dataset_t *d, const uint32_t *idx, int n,
                           int *correct)
{
    *correct = 0;
    if (n <= 0)
        return NAN;
    double loss = 0.0;
    for (int start = 0; start < n; start += b->chunk) {
        int rows = n - start < b->chunk ? n - start : b->chunk;
        int hits = 0;
        gather_batch(b, d, idx + start, rows);
        loss += lrs_model_loss_add(b->model, b->X_batch, b->Y_batch, rows, n, &hits);
        *correct += hits;
    }
    return loss;
}

/* One epoch of updates over the split's n training rows; returns the
 * batch-size-weighted mean of the forward losses (each before its step). */
static double train_epoch(trial_buffers_t *b, const lrs_dataset_t *d, const lrs_split_t *split,
                          int batch_size, double lr, uint64_t seed, int fold, int epoch)
{
    lrs_model_t *m = b->model;
    double *params = lrs_model_params(m);
    const double *grads = lrs_model_grads(m);
    int n = split->n_train;
    if (batch_size <= 0 || batch_size >= n) {
        /* copying: run_fold kept the rows in the model */
        double loss = b->chunked ? chunked_loss_grad(b, d, split->train, n)
                                 : lrs_model_loss_grad_kept(m, SLOT_TRAIN);
        lrs_optim_step(b->optim, params, grads, lr);
        return loss;
    }
    /* A fresh permutation per (fold, epoch), a pure function of the seed:
     * of positions in the gathered rows, or, chunked, of the data set rows
     * themselves (the same permutation applied to the split's row list). */
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, SHUFFLE_INDEX(fold, epoch), LRS_RNG_SHUFFLE));
    for (int i = 0; i < n; i++)
        b->order[i] = b->chunked ? split->train[i] : (uint32_t)i;
    lrs_rng_shuffle(&rng, b->order, (uint32_t)n);

    size_t nf = (size_t)d->n_features, nt = (size_t)d->n_targets;
    double weighted = 0.0;
    for (int start = 0; start < n; start += batch_size) {
        int rows = n - start < batch_size ? n - start : batch_size;
        /* X_batch (rows × nf), Y_batch (rows × nt) from the shuffled order. */
        if (b->chunked) {
            gather_batch(b, d, b->order + start, rows);
        } else {
            for (int r = 0; r < rows; r++) {
                size_t src = b->order[start + r];
                memcpy(b->X_batch + (size_t)r * nf, b->X_train + src * nf, nf * sizeof(double));
                memcpy(b->Y_batch + (size_t)r * nt, b->Y_train + src * nt, nt * sizeof(double));
            }
        }
        double loss = lrs_model_loss_grad(m, b->X_batch, b->Y_batch, rows);
        weighted += loss * rows;
        lrs_optim_step(b->optim, params, grads, lr);
    }
    return weighted / n;
}

/* Whether loss counts as divergence against the fold's first-epoch loss. */
static int loss_diverged(double loss, double first)
{
    if (!isfinite(loss))
        return 1;
    return first > 0.0 && loss > DIVERGENCE_FACTOR * first;
}

static double population_std(const lrs_fold_result_t *folds, int n, double mean)
{
    double ss = 0.0;
    for (int f = 0; f < n; f++) {
        double dv = folds[f].val_loss - mean;
        ss += dv * dv;
    }
    return sqrt(ss / n);
}

/* Runs fold f from the initial weights; adds its per-epoch values into
 * out->epochs / b->lr_sum.  Returns the epoch it diverged at, or 0. */
static int run_fold(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                    const lrs_split_t *split, int f, trial_buffers_t *b, lrs_trial_result_t *out,
                    int *lr_varies, lrs_err_t *err)
{
    lrs_sched_t *sched = lrs_sched_new(cfg, err);
    if (!sched)
        return -1;
    gather_split(d, split, opts->standardize, b);
    int full_batch = cfg->batch_size <= 0 || cfg->batch_size >= split->n_train;
    int keep_train = !b->chunked && full_batch, keep_val = !b->chunked && split->n_val > 0;
    if ((keep_train && lrs_model_keep_rows(b->model, SLOT_TRAIN, b->X_train, b->Y_train,
                                           split->n_train, err) < 0) ||
        (keep_val && lrs_model_keep_rows(b->model, SLOT_VAL, b->X_val, b->Y_val, split->n_val,
                                         err) < 0)) {
        lrs_sched_destroy(&sched);
        return -1;
    }
    memcpy(lrs_model_params(b->model), b->init_params,
           lrs_model_param_count(b->model) * sizeof(double));
    lrs_optim_reset(b->optim);

    lrs_fold_result_t *fr = &out->folds[f];
    fr->fold = f;
    fr->val_loss = NAN;
    fr->accuracy = NAN;
    double first_train = 0.0, first_val = 0.0;
    int diverged = 0;
    for (int e = 1; e <= cfg->epochs && !diverged; e++) {
        double lr = lrs_sched_lr(sched);
        double train_loss = train_epoch(b, d, split, cfg->batch_size, lr, opts->seed, f, e);
        double val_loss = NAN;
        int correct = 0;
        if (split->n_val > 0)
            val_loss = b->chunked ? chunked_loss(b, d, split->val, split->n_val, &correct)
                                  : lrs_model_loss_kept(b->model, SLOT_VAL, &correct);
        lrs_sched_step(sched, split->n_val > 0 ? val_loss : train_loss);

        if (e == 1) {
            first_train = train_loss;
            first_val = val_loss;
        }
        if (loss_diverged(train_loss, first_train) ||
            (split->n_val > 0 && loss_diverged(val_loss, first_val)))
            diverged = e;

        lrs_epoch_stat_t *es = &out->epochs[e - 1];
        if (f == 0)
            es->lr = lr;
        else if (lr != es->lr)
            *lr_varies = 1;
        b->lr_sum[e - 1] += lr;
        es->train_loss += train_loss;
        es->val_loss += val_loss;   /* stays NaN without validation */
        fr->train_loss = train_loss;
        fr->val_loss = val_loss;
        if (d->task == LRS_TASK_CLASSIFICATION && split->n_val > 0)
            fr->accuracy = (double)correct / split->n_val;
    }
    lrs_sched_destroy(&sched);
    return diverged;
}

/* Turns the per-epoch sums of n_run folds into means, and scores the trial. */
static void summarize(lrs_trial_result_t *out, const trial_buffers_t *b, int n_run, int lr_varies,
                      int has_val)
{
    for (int e = 0; e < out->n_epochs; e++) {
        lrs_epoch_stat_t *es = &out->epochs[e];
        es->epoch = e + 1;
        es->train_loss /= n_run;
        es->val_loss = has_val ? es->val_loss / n_run : NAN;
        if (lr_varies)
            es->lr = b->lr_sum[e] / n_run;
    }
    out->n_folds = n_run;
    out->score = NAN;
    out->score_std = NAN;
    if (out->status == LRS_STATUS_COMPLETE && has_val) {
        double sum = 0.0;
        for (int f = 0; f < n_run; f++)
            sum += out->folds[f].val_loss;
        out->score = sum / n_run;
        out->score_std = population_std(out->folds, n_run, out->score);
    }
}

int lrs_train_run(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                  lrs_trial_result_t *out, lrs_err_t *err)
{
    double t0 = lrs_mono_seconds();
    lrs_folds_t folds = {0};
    trial_buffers_t b;
    memset(&b, 0, sizeof b);
    lrs_trial_result_init(out);
    int rc = -1;

    if (cfg->epochs < 1) {
        lrs_err_set(err, LRS_EXIT_USAGE, "epochs must be at least 1, got %d", cfg->epochs);
        goto done;
    }
    if (lrs_folds_make(d, opts->folds, opts->holdout, opts->shuffle, opts->seed, &folds, err) < 0)
        goto done;
    if (folds.count < 1) {
        lrs_err_set(err, LRS_EXIT_USAGE, "the data set gives no split to train on");
        goto done;
    }
    if (buffers_new(d, &folds, opts, cfg, &b, err) < 0 || initial_weights(&b, opts, err) < 0)
        goto done;
    out->folds = calloc((size_t)folds.count, sizeof *out->folds);
    out->epochs = calloc((size_t)cfg->epochs, sizeof *out->epochs);
    if (!out->folds || !out->epochs) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for %d epochs of results", cfg->epochs);
        goto done;
    }

    int has_val = folds.splits[0].n_val > 0;
    int lr_varies = 0, n_run = 0;
    out->status = LRS_STATUS_COMPLETE;
    out->n_epochs = cfg->epochs;
    if (opts->chunked_out)
        *opts->chunked_out = b.chunked;
    for (int f = 0; f < folds.count; f++) {
        int diverged = run_fold(d, opts, cfg, &folds.splits[f], f, &b, out, &lr_varies, err);
        if (diverged < 0)
            goto done;
        n_run = f + 1;
        if (diverged > 0) {
            out->status = LRS_STATUS_DIVERGED;
            out->diverged_epoch = diverged;
            out->n_epochs = diverged;
            break;
        }
    }
    summarize(out, &b, n_run, lr_varies, has_val);
    rc = 0;
done:
    buffers_free(&b);
    lrs_folds_free(&folds);
    if (rc < 0)
        lrs_trial_result_clear(out);
    out->seconds = lrs_mono_seconds() - t0;
    return rc;
}
