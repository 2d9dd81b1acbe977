/* train.c — one trial of the built-in engine (see train.h): k-fold
 * cross-validation of a dense model under one optimizer + LR schedule.
 *
 * Folds run one after another.  Everything a trial needs is allocated once up
 * front, sized for its largest fold: the model (with room for the largest
 * batch or validation set), the optimizer state, the gathered training and
 * validation rows, the batch buffers and every fold's per-epoch values (the
 * curves).  The step loop itself allocates nothing; only the scheduler is
 * created anew per fold, since it is tiny and its state must restart.
 *
 * With a rung hook (pruning) the folds run in lock step instead: epochs
 * 1..r1 of every fold, then r1+1..r2, …, each segment ending at a rung where
 * the hook sees the fold means.  A fold then owns its scheduler, optimizer
 * and a copy of its parameters between segments (O(parameters × folds)),
 * and its rows are gathered again each time it resumes, so the row copies
 * stay those of one fold.  Every epoch is the same computation either way,
 * and the result is summed from the curves in fold order either way, so a
 * trial the hook never stops has the same bits as without one.
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
 * then taken over every fold that ran, up to the diverging epoch.  In lock
 * step a later fold may diverge first in time; the folds before it then
 * finish their epochs, so that the first fold in fold order to diverge
 * decides, as one after another.
 */
#include "worker/train.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/clock.h"
#include "common/rng.h"
#include "common/stats.h"
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
    double *y_mean, *y_scale;   /* n_targets: this fold's target scaling (standardize_target) */
    double *loss_weight;        /* n_targets: y_scale² (scaled MSE → the target's units) */
    double *X_train, *Y_train;  /* max_train × n_features, max_train × n_targets */
    double *X_val, *Y_val;      /* max_val × …, NULL when no split validates */
    double *X_batch, *Y_batch;  /* batch (chunked: max(batch, chunk)) × …, or NULL */
    uint32_t *order;            /* max_train: this epoch's row order (chunked: data set rows) */
    int chunked;                /* 0: copying, 1: chunked (see the header comment) */
    int chunk;                  /* rows per chunk of a chunked pass */
    const double *use_mean, *use_scale;   /* this fold's standardization, or NULL */
    const double *use_y_mean, *use_y_scale;   /* y_mean, y_scale, or NULL: the raw target */
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
    free(b->y_mean);
    free(b->y_scale);
    free(b->loss_weight);
    free(b->X_train);
    free(b->Y_train);
    free(b->X_val);
    free(b->Y_val);
    free(b->X_batch);
    free(b->Y_batch);
    free(b->order);
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
    if (opts->standardize_target && d->task == LRS_TASK_REGRESSION) {
        b->y_mean = alloc_array(nt, sizeof(double), &failed);
        b->y_scale = alloc_array(nt, sizeof(double), &failed);
        b->loss_weight = alloc_array(nt, sizeof(double), &failed);
    }
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
static void gather_split(const lrs_dataset_t *d, const lrs_split_t *split,
                         const lrs_train_opts_t *opts, trial_buffers_t *b)
{
    const double *mean = NULL, *scale = NULL;
    b->use_y_mean = b->use_y_scale = NULL;
    if (b->loss_weight) {   /* standardize_target on a regression task */
        lrs_standardize_fit(d->Y, d->n_targets, split->train, split->n_train, b->y_mean,
                            b->y_scale);
        for (int k = 0; k < d->n_targets; k++)
            b->loss_weight[k] = b->y_scale[k] * b->y_scale[k];
        b->use_y_mean = b->y_mean;
        b->use_y_scale = b->y_scale;
    }
    if (opts->standardize) {
        lrs_standardize_fit(d->X, d->n_features, split->train, split->n_train, b->mean, b->scale);
        mean = b->mean;
        scale = b->scale;
    }
    b->use_mean = mean;
    b->use_scale = scale;
    if (b->chunked)
        return;
    lrs_gather_rows(d->X, d->n_features, split->train, split->n_train, mean, scale, b->X_train);
    lrs_gather_rows(d->Y, d->n_targets, split->train, split->n_train, b->use_y_mean,
                    b->use_y_scale, b->Y_train);
    if (split->n_val > 0) {
        lrs_gather_rows(d->X, d->n_features, split->val, split->n_val, mean, scale, b->X_val);
        lrs_gather_rows(d->Y, d->n_targets, split->val, split->n_val, b->use_y_mean,
                        b->use_y_scale, b->Y_val);
    }
}

/* Gathers the listed data set rows (rows × nf, standardized as the fold) and
 * their targets (rows × nt) into the batch buffers. */
static void gather_batch(trial_buffers_t *b, const lrs_dataset_t *d, const uint32_t *idx, int rows)
{
    lrs_gather_rows(d->X, d->n_features, idx, rows, b->use_mean, b->use_scale, b->X_batch);
    lrs_gather_rows(d->Y, d->n_targets, idx, rows, b->use_y_mean, b->use_y_scale, b->Y_batch);
}

/* The model's loss over X, Y (n of total rows) in the target's units: as it
 * is on a raw target, else lrs_model_loss_in_units (train.h). */
static double in_units(trial_buffers_t *b, double loss, const double *X, const double *Y, int n,
                       int total)
{
    return b->loss_weight ? lrs_model_loss_in_units(b->model, loss, X, Y, n, total, b->loss_weight)
                          : loss;
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
        loss += in_units(b, share, b->X_batch, b->Y_batch, rows, n);
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
        double share = lrs_model_loss_add(b->model, b->X_batch, b->Y_batch, rows, n, &hits);
        loss += in_units(b, share, b->X_batch, b->Y_batch, rows, n);
        *correct += hits;
    }
    return loss;
}

/* One epoch of updates over the split's n training rows; returns the
 * batch-size-weighted mean of the forward losses (each before its step). */
static double train_epoch(trial_buffers_t *b, lrs_optim_t *optim, const lrs_dataset_t *d,
                          const lrs_split_t *split, int batch_size, double lr, uint64_t seed,
                          int fold, int epoch)
{
    lrs_model_t *m = b->model;
    double *params = lrs_model_params(m);
    const double *grads = lrs_model_grads(m);
    int n = split->n_train;
    if (batch_size <= 0 || batch_size >= n) {
        /* copying: run_segment kept the rows in the model */
        double loss = b->chunked ? chunked_loss_grad(b, d, split->train, n)
                                 : in_units(b, lrs_model_loss_grad_kept(m, SLOT_TRAIN),
                                            b->X_train, b->Y_train, n, n);
        lrs_optim_step(optim, params, grads, lr);
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

    double weighted = 0.0;
    for (int start = 0; start < n; start += batch_size) {
        int rows = n - start < batch_size ? n - start : batch_size;
        /* X_batch (rows × nf), Y_batch (rows × nt) from the shuffled order. */
        if (b->chunked) {
            gather_batch(b, d, b->order + start, rows);
        } else {
            lrs_gather_rows(b->X_train, d->n_features, b->order + start, rows, NULL, NULL,
                            b->X_batch);
            lrs_gather_rows(b->Y_train, d->n_targets, b->order + start, rows, NULL, NULL,
                            b->Y_batch);
        }
        double loss = in_units(b, lrs_model_loss_grad(m, b->X_batch, b->Y_batch, rows),
                               b->X_batch, b->Y_batch, rows, rows);
        weighted += loss * rows;
        lrs_optim_step(optim, params, grads, lr);
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

/* Every fold's value at every epoch it ran: fold f's epoch e (1-based) at
 * [f · n_epochs + e − 1].  The epoch means, the fold results and the rung
 * values are all sums over these in fold order, so folds run one after
 * another and folds run in lock step add the same numbers in the same order. */
typedef struct fold_curves {
    int n_folds, n_epochs;
    double *lr, *train_loss, *val_loss, *accuracy;   /* n_folds × n_epochs */
    int *ran;                                         /* n_folds: epochs trained so far */
} fold_curves_t;

static int curves_new(fold_curves_t *c, int n_folds, int n_epochs, lrs_err_t *err)
{
    size_t cells = (size_t)n_folds * (size_t)n_epochs;
    int failed = 0;
    c->n_folds = n_folds;
    c->n_epochs = n_epochs;
    c->lr = alloc_array(cells, sizeof(double), &failed);
    c->train_loss = alloc_array(cells, sizeof(double), &failed);
    c->val_loss = alloc_array(cells, sizeof(double), &failed);
    c->accuracy = alloc_array(cells, sizeof(double), &failed);
    c->ran = alloc_array((size_t)n_folds, sizeof(int), &failed);
    if (failed)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for %d epochs of %d folds",
                           n_epochs, n_folds);
    return 0;
}

static void curves_free(fold_curves_t *c)
{
    free(c->lr);
    free(c->train_loss);
    free(c->val_loss);
    free(c->accuracy);
    free(c->ran);
    memset(c, 0, sizeof *c);
}

/* The mean over all folds of series (one of c's arrays) at epoch e. */
static double fold_mean(const fold_curves_t *c, const double *series, int e)
{
    double sum = 0.0;
    for (int f = 0; f < c->n_folds; f++)
        sum += series[(size_t)f * c->n_epochs + (e - 1)];
    return sum / c->n_folds;
}

/* What a fold carries from one segment of epochs to the next. */
typedef struct fold_state {
    lrs_sched_t *sched;
    lrs_optim_t *optim;       /* b->optim (one fold at a time) or the fold's own (lock step) */
    int own_optim;
    double *params;           /* lock step: the fold's parameters between segments; else NULL */
    double first_train, first_val;   /* epoch 1's losses, the divergence baseline */
} fold_state_t;

static void fold_end(fold_state_t *fs)
{
    lrs_sched_destroy(&fs->sched);
    if (fs->own_optim)
        lrs_optim_destroy(&fs->optim);
    free(fs->params);
    memset(fs, 0, sizeof *fs);
}

/* A fold about to start from the initial weights with a fresh scheduler and
 * optimizer: the trial's shared one (reset) unless lock_step, which gives
 * the fold its own optimizer and parameter copy.  On -1, fold_end cleans up. */
static int fold_begin(fold_state_t *fs, trial_buffers_t *b, const lrs_trial_cfg_t *cfg,
                      int lock_step, lrs_err_t *err)
{
    memset(fs, 0, sizeof *fs);
    fs->sched = lrs_sched_new(cfg, err);
    if (!fs->sched)
        return -1;
    if (!lock_step) {
        fs->optim = b->optim;
        lrs_optim_reset(fs->optim);
        return 0;
    }
    size_t n = lrs_model_param_count(b->model);
    fs->own_optim = 1;
    fs->optim = lrs_optim_new(&cfg->optim, n, err);
    if (!fs->optim)
        return -1;
    fs->params = malloc(n * sizeof(double));
    if (!fs->params)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for a fold's %zu parameters", n);
    memcpy(fs->params, b->init_params, n * sizeof(double));
    return 0;
}

/* Trains fold f (split) from the epoch after the last it ran through epoch
 * `to`, recording each epoch in c: gathers the fold's rows, puts its
 * parameters in the model, and (lock step) saves them again at the end.
 * Returns the epoch it diverged at (the last it ran), 0, or -1 with err. */
static int run_segment(const lrs_dataset_t *d, const lrs_train_opts_t *opts,
                       const lrs_trial_cfg_t *cfg, const lrs_split_t *split, int f,
                       trial_buffers_t *b, fold_state_t *fs, fold_curves_t *c, int to,
                       lrs_err_t *err)
{
    gather_split(d, split, opts, b);
    int full_batch = cfg->batch_size <= 0 || cfg->batch_size >= split->n_train;
    int keep_train = !b->chunked && full_batch, keep_val = !b->chunked && split->n_val > 0;
    if ((keep_train && lrs_model_keep_rows(b->model, SLOT_TRAIN, b->X_train, b->Y_train,
                                           split->n_train, err) < 0) ||
        (keep_val && lrs_model_keep_rows(b->model, SLOT_VAL, b->X_val, b->Y_val, split->n_val,
                                         err) < 0))
        return -1;
    size_t n_params = lrs_model_param_count(b->model);
    const double *start = fs->params ? fs->params : c->ran[f] == 0 ? b->init_params : NULL;
    if (start)
        memcpy(lrs_model_params(b->model), start, n_params * sizeof(double));

    int diverged = 0;
    for (int e = c->ran[f] + 1; e <= to && !diverged; e++) {
        double lr = lrs_sched_lr(fs->sched);
        /* Losses in the target's units from here on (in_units). */
        double train_loss =
            train_epoch(b, fs->optim, d, split, cfg->batch_size, lr, opts->seed, f, e);
        double val_loss = NAN;
        int correct = 0;
        if (split->n_val > 0)
            val_loss = b->chunked ? chunked_loss(b, d, split->val, split->n_val, &correct)
                                  : in_units(b, lrs_model_loss_kept(b->model, SLOT_VAL, &correct),
                                             b->X_val, b->Y_val, split->n_val, split->n_val);
        lrs_sched_step(fs->sched, split->n_val > 0 ? val_loss : train_loss);

        if (e == 1) {
            fs->first_train = train_loss;
            fs->first_val = val_loss;
        }
        if (loss_diverged(train_loss, fs->first_train) ||
            (split->n_val > 0 && loss_diverged(val_loss, fs->first_val)))
            diverged = e;

        size_t at = (size_t)f * c->n_epochs + (e - 1);
        c->lr[at] = lr;
        c->train_loss[at] = train_loss;
        c->val_loss[at] = val_loss;   /* NaN without validation */
        c->accuracy[at] = d->task == LRS_TASK_CLASSIFICATION && split->n_val > 0
                              ? (double)correct / split->n_val
                              : NAN;
        c->ran[f] = e;
    }
    if (fs->params)
        memcpy(fs->params, lrs_model_params(b->model), n_params * sizeof(double));
    return diverged;
}

static void mark_diverged(lrs_trial_result_t *out, int epoch)
{
    out->status = LRS_STATUS_DIVERGED;
    out->diverged_epoch = epoch;
    out->n_epochs = epoch;
}

/* Folds one after another, each through every epoch: the first to diverge
 * ends the trial.  Returns the folds that ran, or -1 with err. */
static int run_sequential(const lrs_dataset_t *d, const lrs_train_opts_t *opts,
                          const lrs_trial_cfg_t *cfg, const lrs_folds_t *folds,
                          trial_buffers_t *b, fold_curves_t *c, lrs_trial_result_t *out,
                          lrs_err_t *err)
{
    for (int f = 0; f < folds->count; f++) {
        fold_state_t fs;
        int diverged = fold_begin(&fs, b, cfg, 0, err);
        if (diverged == 0)
            diverged = run_segment(d, opts, cfg, &folds->splits[f], f, b, &fs, c, cfg->epochs, err);
        fold_end(&fs);
        if (diverged < 0)
            return -1;
        if (diverged > 0) {
            mark_diverged(out, diverged);
            return f + 1;
        }
    }
    return folds->count;
}

/* 1 when epoch starts a rung of the hook's trial of last_epoch epochs. */
int lrs_rung_due(const lrs_rung_hook_t *h, int epoch, int last_epoch)
{
    return lrs_prune_rung_starts(h->spec, h->trial, epoch, last_epoch);
}

/* The best fold mean of the objective so far, extended rung by rung. */
typedef struct running_best {
    double best;     /* NaN while every mean was NaN */
    int through;     /* epochs folded in */
} running_best_t;

/* Asks the hook about rung epoch e: the objective's fold mean at e and the
 * best fold mean over epochs 1..e.  0 go on, 1 stop, -1 cancel (err set). */
static int ask_hook(const lrs_rung_hook_t *h, const fold_curves_t *c, running_best_t *rb,
                    int epoch, lrs_err_t *err)
{
    const double *series = h->accuracy ? c->accuracy : c->val_loss;
    double value = NAN;
    for (int e = rb->through + 1; e <= epoch; e++) {
        value = fold_mean(c, series, e);
        int better = h->maximize ? value > rb->best : value < rb->best;
        if (!isnan(value) && (isnan(rb->best) || better))
            rb->best = value;
    }
    rb->through = epoch;
    int verdict = h->at_rung(h->ctx, epoch, value, rb->best, err);
    if (verdict < 0 && err && err->code == 0)
        lrs_err_set(err, LRS_EXIT_RUNTIME, "the trial was cancelled at epoch %d", epoch);
    return verdict < 0 ? -1 : verdict > 0;
}

/* Folds in lock step between rung epochs, asking the hook at each rung.
 * A divergence decides as run_sequential would: the folds before the
 * diverging one finish their epochs first, and the first of them that
 * diverges ends the trial instead.  Returns the folds whose values count,
 * or -1 with err. */
static int run_lock_step(const lrs_dataset_t *d, const lrs_train_opts_t *opts,
                         const lrs_trial_cfg_t *cfg, const lrs_folds_t *folds,
                         trial_buffers_t *b, fold_curves_t *c, lrs_trial_result_t *out,
                         lrs_err_t *err)
{
    int n_folds = folds->count, epochs = cfg->epochs, n_run = -1;
    running_best_t best = {NAN, 0};
    fold_state_t *fs = calloc((size_t)n_folds, sizeof *fs);
    if (!fs)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for %d folds", n_folds);
    for (int f = 0; f < n_folds; f++)
        if (fold_begin(&fs[f], b, cfg, 1, err) < 0)
            goto done;
    for (int to = 1; to <= epochs && n_run < 0; to++) {
        if (to < epochs && !lrs_rung_due(opts->rungs, to, epochs))
            continue;
        int first_bad = -1, bad_epoch = 0;
        for (int f = 0; f < n_folds && first_bad < 0; f++) {
            int dv = run_segment(d, opts, cfg, &folds->splits[f], f, b, &fs[f], c, to, err);
            if (dv < 0)
                goto done;
            if (dv > 0) {
                first_bad = f;
                bad_epoch = dv;
            }
        }
        for (int g = 0; g < first_bad; g++) {
            int dv = run_segment(d, opts, cfg, &folds->splits[g], g, b, &fs[g], c, epochs, err);
            if (dv < 0)
                goto done;
            if (dv > 0) {
                first_bad = g;
                bad_epoch = dv;
                break;
            }
        }
        if (first_bad >= 0) {
            mark_diverged(out, bad_epoch);
            n_run = first_bad + 1;
        } else if (to == epochs) {
            n_run = n_folds;
        } else {
            int verdict = ask_hook(opts->rungs, c, &best, to, err);
            if (verdict < 0)
                goto done;
            if (verdict > 0) {
                out->status = LRS_STATUS_PRUNED;
                out->pruned_epoch = to;
                out->n_epochs = to;
                n_run = n_folds;
            }
        }
    }
done:
    for (int f = 0; f < n_folds; f++)
        fold_end(&fs[f]);
    free(fs);
    return n_run;
}

/* The result from the curves of the first n_run folds, in fold order: the
 * epoch means through out->n_epochs, each fold's values at its last epoch,
 * and for a complete trial the score.  The LR is fold 0's unless some fold
 * trained with another at some epoch (plateau), then the mean. */
static void summarize(lrs_trial_result_t *out, const fold_curves_t *c, int n_run, int has_val)
{
    int lr_varies = 0;
    for (int f = 1; f < n_run; f++)
        for (int e = 0; e < c->ran[f]; e++)
            if (c->lr[(size_t)f * c->n_epochs + e] != c->lr[e])
                lr_varies = 1;
    for (int e = 0; e < out->n_epochs; e++) {
        double train = 0.0, val = 0.0, lr = 0.0;
        for (int f = 0; f < n_run; f++) {
            size_t at = (size_t)f * c->n_epochs + e;
            train += c->train_loss[at];
            val += c->val_loss[at];
            lr += c->lr[at];
        }
        lrs_epoch_stat_t *es = &out->epochs[e];
        es->epoch = e + 1;
        es->lr = lr_varies ? lr / n_run : c->lr[e];
        es->train_loss = train / n_run;
        es->val_loss = has_val ? val / n_run : NAN;
    }
    for (int f = 0; f < n_run; f++) {
        size_t at = (size_t)f * c->n_epochs + (c->ran[f] - 1);
        lrs_fold_result_t *fr = &out->folds[f];
        fr->fold = f;
        fr->train_loss = c->train_loss[at];
        fr->val_loss = c->val_loss[at];
        fr->accuracy = c->accuracy[at];
    }
    out->n_folds = n_run;
    out->score = NAN;
    out->score_std = NAN;
    if (out->status == LRS_STATUS_COMPLETE && has_val) {
        lrs_mean_pop_std(&out->folds[0].val_loss, (size_t)n_run, sizeof out->folds[0], &out->score,
                         &out->score_std);
    }
}

int lrs_train_run(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                  lrs_trial_result_t *out, lrs_err_t *err)
{
    double t0 = lrs_mono_seconds();
    lrs_folds_t folds = {0};
    trial_buffers_t b;
    fold_curves_t curves;
    memset(&b, 0, sizeof b);
    memset(&curves, 0, sizeof curves);
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
    if (buffers_new(d, &folds, opts, cfg, &b, err) < 0 || initial_weights(&b, opts, err) < 0 ||
        curves_new(&curves, folds.count, cfg->epochs, err) < 0)
        goto done;
    out->folds = calloc((size_t)folds.count, sizeof *out->folds);
    out->epochs = calloc((size_t)cfg->epochs, sizeof *out->epochs);
    if (!out->folds || !out->epochs) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for %d epochs of results", cfg->epochs);
        goto done;
    }

    out->status = LRS_STATUS_COMPLETE;
    out->n_epochs = cfg->epochs;
    if (opts->chunked_out)
        *opts->chunked_out = b.chunked;
    int n_run = opts->rungs ? run_lock_step(d, opts, cfg, &folds, &b, &curves, out, err)
                            : run_sequential(d, opts, cfg, &folds, &b, &curves, out, err);
    if (n_run < 0)
        goto done;
    summarize(out, &curves, n_run, folds.splits[0].n_val > 0);
    rc = 0;
done:
    buffers_free(&b);
    curves_free(&curves);
    lrs_folds_free(&folds);
    if (rc < 0)
        lrs_trial_result_clear(out);
    out->seconds = lrs_mono_seconds() - t0;
    return rc;
}
