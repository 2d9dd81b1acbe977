/* test_train_chunks.c — the two ways a trial feeds rows to its model
 * (worker/train.h, copy_budget): whole-fold copies for small trials, and
 * chunks gathered from the data set as they are needed for large ones.
 * Forcing copy_budget to 0 makes a small trial run chunked; its per-epoch
 * train and validation losses, fold losses, accuracies and score must equal
 * the copying run's within 1e-12 relative — full batch and mini batch,
 * regression and classification, linear and MLP, with and without
 * standardization — and mini-batch training must agree bit for bit (the
 * batches hold the same rows).  The splits span several chunks
 * (LRS_TRAIN_CHUNK_ROWS) so that the sums over chunks are exercised.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/params.h"
#include "common/rng.h"
#include "worker/train.h"

#include "support.h"

#define N_FEATURES 4

/* rows × N_FEATURES features, columns on different scales and offsets so
 * that standardization matters.  Regression: 2 targets, linear in X plus
 * noise.  Classification: 3 classes, the argmax of 3 noisy linear scores. */
static lrs_dataset_t make_data(int rows, lrs_task_t task, uint64_t seed)
{
    lrs_dataset_t d;
    memset(&d, 0, sizeof d);
    d.task = task;
    d.rows = rows;
    d.n_features = N_FEATURES;
    d.n_targets = task == LRS_TASK_REGRESSION ? 2 : 1;
    d.n_classes = task == LRS_TASK_REGRESSION ? 0 : 3;
    d.X = calloc((size_t)rows * N_FEATURES, sizeof(double));
    d.Y = calloc((size_t)rows * d.n_targets, sizeof(double));
    assert_non_null(d.X);
    assert_non_null(d.Y);
    lrs_rng_t rng;
    lrs_rng_init(&rng, seed);
    for (int i = 0; i < rows; i++) {
        double *x = d.X + (size_t)i * N_FEATURES;
        for (int j = 0; j < N_FEATURES; j++)
            x[j] = (1.0 + 2.0 * j) * lrs_rng_normal(&rng) + 3.0 * j;
        double score[3];
        for (int k = 0; k < 3; k++) {
            score[k] = 0.3 * lrs_rng_normal(&rng);
            for (int j = 0; j < N_FEATURES; j++)
                score[k] += ((j + k) % 3 - 1.0) * (x[j] - 3.0 * j) / (1.0 + 2.0 * j);
        }
        if (task == LRS_TASK_REGRESSION) {
            d.Y[2 * i] = score[0];
            d.Y[2 * i + 1] = score[1];
        } else {
            int c = score[1] > score[0] ? 1 : 0;
            c = score[2] > score[c] ? 2 : c;
            d.Y[i] = (double)c;
        }
    }
    return d;
}

static void run_ok(const lrs_dataset_t *d, const lrs_train_opts_t *opts,
                   const lrs_trial_cfg_t *cfg, lrs_trial_result_t *r)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_train_run(d, opts, cfg, r, &err) < 0)
        fail_msg("lrs_train_run: %s", err.msg);
}

/* Relative difference, NaN equal to NaN (no validation) and to nothing else. */
static double rel_diff(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) && isnan(b) ? 0.0 : INFINITY;
    return fabs(a - b) / fmax(fabs(b), 1e-300);
}

/* Runs cfg copying and chunked; returns the worst relative difference of
 * every loss and score, and checks that mini-batch train losses agree
 * exactly. */
static double compare_paths(const lrs_dataset_t *d, lrs_train_opts_t *opts,
                            const lrs_trial_cfg_t *cfg, const char *what)
{
    lrs_trial_result_t copied, chunked;
    int was_chunked = -1;
    opts->chunked_out = &was_chunked;
    opts->copy_budget = LRS_TRAIN_COPY_BUDGET;
    run_ok(d, opts, cfg, &copied);
    assert_int_equal(was_chunked, 0);
    opts->copy_budget = 0.0;
    run_ok(d, opts, cfg, &chunked);
    assert_int_equal(was_chunked, 1);
    opts->chunked_out = NULL;
    assert_int_equal(copied.status, LRS_STATUS_COMPLETE);
    assert_int_equal(chunked.status, copied.status);
    assert_int_equal(chunked.n_epochs, copied.n_epochs);
    assert_int_equal(chunked.n_folds, copied.n_folds);

    /* score_std is a small difference of fold losses: measured against the
     * score, as the cancellation in it would otherwise amplify rounding. */
    double worst = fmax(rel_diff(chunked.score, copied.score),
                        fabs(chunked.score_std - copied.score_std) / fabs(copied.score));
    int exact = 1;
    for (int e = 0; e < copied.n_epochs; e++) {
        worst = fmax(worst, rel_diff(chunked.epochs[e].train_loss, copied.epochs[e].train_loss));
        worst = fmax(worst, rel_diff(chunked.epochs[e].val_loss, copied.epochs[e].val_loss));
        exact &= chunked.epochs[e].train_loss == copied.epochs[e].train_loss;
    }
    for (int f = 0; f < copied.n_folds; f++) {
        worst = fmax(worst, rel_diff(chunked.folds[f].val_loss, copied.folds[f].val_loss));
        worst = fmax(worst, rel_diff(chunked.folds[f].accuracy, copied.folds[f].accuracy));
    }
    printf("%-44s last train_loss %.17g, worst rel diff %.3g%s\n", what,
           copied.epochs[copied.n_epochs - 1].train_loss, worst,
           cfg->batch_size > 0 ? (exact ? " (train bit for bit)" : " (train NOT exact)") : "");
    if (cfg->batch_size > 0)
        assert_true(exact);
    /* The losses must have moved: a trial that learns nothing compares nothing. */
    assert_true(copied.epochs[copied.n_epochs - 1].train_loss < copied.epochs[0].train_loss);
    lrs_trial_result_clear(&copied);
    lrs_trial_result_clear(&chunked);
    return worst;
}

/* Every combination of task × model × batching × standardization. */
static void test_chunked_matches_copying(void **state)
{
    (void)state;
    /* 2 folds of 1300 rows: each pass spans two chunks (1024 + 276). */
    int rows = 2 * (LRS_TRAIN_CHUNK_ROWS + 276);
    double worst = 0.0;
    for (int task = 0; task < 2; task++) {
        lrs_task_t t = task ? LRS_TASK_CLASSIFICATION : LRS_TASK_REGRESSION;
        lrs_dataset_t d = make_data(rows, t, 40 + (uint64_t)task);
        for (int mlp = 0; mlp < 2; mlp++) {
            for (int mini = 0; mini < 2; mini++) {
                for (int standardize = 0; standardize < 2; standardize++) {
                    lrs_train_opts_t opts;
                    lrs_train_opts_init(&opts);
                    opts.folds = 2;
                    opts.seed = 7;
                    opts.standardize = standardize;
                    if (mlp) {
                        opts.model.n_hidden = 2;
                        opts.model.hidden[0] = 8;
                        opts.model.hidden[1] = 5;
                        opts.model.activation = LRS_ACT_TANH;
                    }
                    const char *full[] = {"lr=0.01", "epochs=4", "optimizer=adam"};
                    const char *batched[] = {"lr=0.002", "epochs=2", "optimizer=sgd",
                                             "momentum=0.9", "batch_size=100"};
                    lrs_trial_cfg_t cfg = mini ? sup_trial_cfg(batched, 5) : sup_trial_cfg(full, 3);
                    char what[96];
                    snprintf(what, sizeof what, "%s %s, %s, %s:",
                             task ? "classification" : "regression", mlp ? "mlp" : "linear",
                             mini ? "batch 100" : "full batch",
                             standardize ? "standardized" : "raw");
                    worst = fmax(worst, compare_paths(&d, &opts, &cfg, what));
                }
            }
        }
        free(d.X);
        free(d.Y);
    }
    printf("worst relative difference over all cases: %.3g (limit 1e-12)\n", worst);
    assert_true(worst <= 1e-12);
}

/* A standardized target (two columns of very different scales, then one
 * large as the diabetes data's): the chunked path scales each batch's
 * targets as the copying path scales the fold's, and the losses come back
 * in the target's units, the scaled run's first loss far below the raw
 * run's. */
static void test_chunked_scaled_target(void **state)
{
    (void)state;
    int rows = 2 * (LRS_TRAIN_CHUNK_ROWS + 276);
    lrs_dataset_t d = make_data(rows, LRS_TASK_REGRESSION, 45);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 2;
    opts.seed = 7;
    opts.standardize_target = 1;
    lrs_trial_cfg_t cfg = sup_trial_cfg((const char *[]){"lr=0.01", "epochs=3"}, 2);
    lrs_trial_result_t r;
    lrs_err_t err;
    lrs_err_clear(&err);
    double worst = 0.0;
    for (int i = 0; i < rows; i++)   /* the second column 1000 times the first's scale */
        d.Y[2 * i + 1] = 5.0 + 1000.0 * d.Y[2 * i + 1];
    for (int mlp = 0; mlp < 2; mlp++) {
        lrs_train_opts_t o = opts;
        if (mlp) {
            o.model.n_hidden = 1;
            o.model.hidden[0] = 6;
        }
        const char *batched[] = {"lr=0.002", "epochs=2", "optimizer=sgd", "momentum=0.9",
                                 "batch_size=100"};
        lrs_trial_cfg_t c = sup_trial_cfg(batched, 5);
        worst = fmax(worst, compare_paths(&d, &o, &cfg, mlp ? "two scaled targets, mlp:"
                                                            : "two scaled targets, full batch:"));
        worst = fmax(worst, compare_paths(&d, &o, &c, "two scaled targets, batch 100:"));
    }
    for (int i = 0; i < rows; i++)   /* one column: 300 + 50·y₀ */
        d.Y[i] = 300.0 + 50.0 * d.Y[2 * i];
    d.n_targets = 1;
    for (int mini = 0; mini < 2; mini++) {
        const char *full[] = {"lr=0.05", "epochs=4", "optimizer=sgd"};
        const char *batched[] = {"lr=0.002", "epochs=2", "optimizer=sgd", "momentum=0.9",
                                 "batch_size=100"};
        lrs_trial_cfg_t c = mini ? sup_trial_cfg(batched, 5) : sup_trial_cfg(full, 3);
        worst = fmax(worst, compare_paths(&d, &opts, &c, mini ? "scaled target, batch 100:"
                                                              : "scaled target, full batch:"));
    }
    assert_true(worst <= 1e-12);
    /* Units: the raw run starts near E[y²] ≈ 300², the scaled one near var(y). */
    lrs_trial_result_t raw;
    assert_int_equal(lrs_train_run(&d, &opts, &cfg, &r, &err), 0);
    opts.standardize_target = 0;
    assert_int_equal(lrs_train_run(&d, &opts, &cfg, &raw, &err), 0);
    printf("first train_loss: scaled target %.6g, raw %.6g\n", r.epochs[0].train_loss,
           raw.epochs[0].train_loss);
    assert_true(r.epochs[0].train_loss > 100.0 && r.epochs[0].train_loss < 20000.0);
    assert_true(raw.epochs[0].train_loss > 50000.0);
    lrs_trial_result_clear(&r);
    lrs_trial_result_clear(&raw);
    free(d.X);
    free(d.Y);
}

/* Without validation (folds 0) and with a holdout split, and a mini-batch
 * larger than a chunk. */
static void test_chunked_other_splits(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(2 * LRS_TRAIN_CHUNK_ROWS + 300, LRS_TASK_REGRESSION, 44);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 0;
    const char *full[] = {"lr=0.05", "epochs=3"};
    lrs_trial_cfg_t cfg = sup_trial_cfg(full, 2);
    double worst = compare_paths(&d, &opts, &cfg, "regression linear, folds 0, full batch:");
    opts.folds = 1;
    opts.holdout = 0.3;
    const char *big[] = {"lr=0.05", "epochs=3", "batch_size=1500"};
    cfg = sup_trial_cfg(big, 3);
    worst = fmax(worst, compare_paths(&d, &opts, &cfg, "regression linear, holdout, batch 1500:"));
    printf("worst relative difference: %.3g (limit 1e-12)\n", worst);
    assert_true(worst <= 1e-12);
    free(d.X);
    free(d.Y);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_chunked_matches_copying),
        cmocka_unit_test(test_chunked_scaled_target),
        cmocka_unit_test(test_chunked_other_splits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
