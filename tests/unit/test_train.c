/* test_train.c — unit tests of the training loop (worker/train.c): the
 * divergence rule, training without validation, mini-batch determinism,
 * the batch-size weighting of train_loss, identical starting weights in
 * every fold, and errors for bad options.  Exactness against PyTorch is the
 * reference test's job (tests/reference/test_train_cli.c).
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
#include <unistd.h>

#include "common/dataset.h"
#include "common/params.h"
#include "common/rng.h"
#include "common/folds.h"
#include "worker/model.h"
#include "worker/scale.h"
#include "worker/train.h"

#include "support.h"

/* A small regression problem built by hand: X (n × f) ~ N(0, 1) scaled per
 * column, Y (n × t) = linear in X plus a little noise. */
static lrs_dataset_t make_data(int n, int f, int t, uint64_t seed)
{
    lrs_dataset_t d;
    memset(&d, 0, sizeof d);
    d.task = LRS_TASK_REGRESSION;
    d.rows = n;
    d.n_features = f;
    d.n_targets = t;
    d.X = calloc((size_t)n * f, sizeof(double));
    d.Y = calloc((size_t)n * t, sizeof(double));
    assert_non_null(d.X);
    assert_non_null(d.Y);
    lrs_rng_t rng;
    lrs_rng_init(&rng, seed);
    for (int i = 0; i < n; i++) {
        for (int j = 0; j < f; j++)
            d.X[i * f + j] = (1.0 + j) * lrs_rng_normal(&rng);
        for (int k = 0; k < t; k++) {
            double y = 0.1 * lrs_rng_normal(&rng);
            for (int j = 0; j < f; j++)
                y += ((j + k) % 3 - 1.0) * d.X[i * f + j];
            d.Y[i * t + k] = y;
        }
    }
    return d;
}

static void free_data(lrs_dataset_t *d)
{
    free(d->X);
    free(d->Y);
}

static void run_ok(const lrs_dataset_t *d, const lrs_train_opts_t *opts, const lrs_trial_cfg_t *cfg,
                   lrs_trial_result_t *r)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_train_run(d, opts, cfg, r, &err) < 0)
        fail_msg("lrs_train_run: %s", err.msg);
}

static void test_huge_lr_diverges(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(40, 3, 2, 1);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 4;
    const char *words[] = {"lr=1000", "epochs=50"};
    lrs_trial_cfg_t cfg = sup_trial_cfg(words, 2);
    lrs_trial_result_t r;
    run_ok(&d, &opts, &cfg, &r);
    printf("lr=1000: status %d, diverged at epoch %d after %d fold(s)\n", (int)r.status,
           r.diverged_epoch, r.n_folds);
    assert_int_equal(r.status, LRS_STATUS_DIVERGED);
    assert_true(r.diverged_epoch >= 2 && r.diverged_epoch < 50);
    assert_int_equal(r.n_epochs, r.diverged_epoch);
    assert_int_equal(r.n_folds, 1);   /* the first fold already diverges: the trial stops */
    assert_true(isnan(r.score) && isnan(r.score_std));
    /* Caught by the ratio rule: still finite, but beyond 1e6 × the first epoch's. */
    double first = r.epochs[0].train_loss, last = r.epochs[r.n_epochs - 1].train_loss;
    assert_true(isfinite(last) && last > 1e6 * first);
    /* … and the trial stopped at the first epoch breaking the rule (one fold ran,
     * so the epoch means are that fold's losses). */
    for (int e = 0; e + 1 < r.n_epochs; e++) {
        assert_true(r.epochs[e].train_loss <= 1e6 * first);
        assert_true(r.epochs[e].val_loss <= 1e6 * r.epochs[0].val_loss);
    }
    lrs_trial_result_clear(&r);

    /* Overflow: an LR of 1e300 makes the losses Inf/NaN at once. */
    const char *overflow[] = {"lr=1e300", "epochs=50"};
    cfg = sup_trial_cfg(overflow, 2);
    run_ok(&d, &opts, &cfg, &r);
    printf("lr=1e300: diverged at epoch %d, val_loss %g\n", r.diverged_epoch,
           r.epochs[r.n_epochs - 1].val_loss);
    assert_int_equal(r.status, LRS_STATUS_DIVERGED);
    assert_true(r.diverged_epoch >= 1 && r.diverged_epoch <= 2);
    assert_false(isfinite(r.epochs[r.n_epochs - 1].val_loss));
    lrs_trial_result_clear(&r);

    /* The same problem with a sane lr completes and is scored. */
    const char *sane[] = {"lr=0.05", "epochs=50"};
    cfg = sup_trial_cfg(sane, 2);
    run_ok(&d, &opts, &cfg, &r);
    assert_int_equal(r.status, LRS_STATUS_COMPLETE);
    assert_int_equal(r.diverged_epoch, 0);
    assert_int_equal(r.n_epochs, 50);
    assert_int_equal(r.n_folds, 4);
    assert_true(isfinite(r.score) && r.score < r.epochs[0].val_loss);
    assert_true(isfinite(r.score_std) && r.score_std >= 0.0);
    lrs_trial_result_clear(&r);
    free_data(&d);
}

static void test_folds_zero_has_no_validation(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(30, 2, 1, 2);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 0;
    const char *words[] = {"lr=0.1", "epochs=20", "scheduler=plateau", "patience=2"};
    lrs_trial_cfg_t cfg = sup_trial_cfg(words, 4);
    lrs_trial_result_t r;
    run_ok(&d, &opts, &cfg, &r);
    assert_int_equal(r.status, LRS_STATUS_COMPLETE);
    assert_int_equal(r.n_folds, 1);
    assert_int_equal(r.n_epochs, 20);
    for (int e = 0; e < r.n_epochs; e++) {
        assert_int_equal(r.epochs[e].epoch, e + 1);
        assert_true(isnan(r.epochs[e].val_loss));
        assert_true(isfinite(r.epochs[e].train_loss));
    }
    assert_true(r.epochs[19].train_loss < r.epochs[0].train_loss);
    assert_true(isnan(r.folds[0].val_loss));
    assert_true(isnan(r.folds[0].accuracy));
    assert_true(isnan(r.score) && isnan(r.score_std));
    lrs_trial_result_clear(&r);
    free_data(&d);
}

/* Writes the initial weights of a (f → t) linear model to a temporary
 * --init file; path receives its name. */
static void write_init(char *path, size_t size, int f, int t)
{
    snprintf(path, size, "/tmp/lrs_test_train_XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *fp = fdopen(fd, "w");
    assert_non_null(fp);
    fprintf(fp, "{\"layers\":[{\"weight\":[");
    for (int k = 0; k < t; k++) {
        fprintf(fp, "%s[", k ? "," : "");
        for (int j = 0; j < f; j++)
            fprintf(fp, "%s%g", j ? "," : "", 0.1 * (j + 1) - 0.05 * k);
        fprintf(fp, "]");
    }
    fprintf(fp, "],\"bias\":[");
    for (int k = 0; k < t; k++)
        fprintf(fp, "%s%g", k ? "," : "", 0.01 * k);
    fprintf(fp, "]}]}\n");
    fclose(fp);
}

static int same_history(const lrs_trial_result_t *a, const lrs_trial_result_t *b)
{
    if (a->n_epochs != b->n_epochs)
        return 0;
    for (int e = 0; e < a->n_epochs; e++)
        if (a->epochs[e].train_loss != b->epochs[e].train_loss ||
            a->epochs[e].val_loss != b->epochs[e].val_loss)
            return 0;
    return 1;
}

static void test_minibatch_deterministic_per_seed(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(53, 3, 2, 3);
    char init[64];
    write_init(init, sizeof init, 3, 2);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 3;
    opts.shuffle = 0;          /* same folds for every seed: only batch order differs */
    opts.init_path = init;     /* same weights for every seed */
    const char *words[] = {"lr=0.05", "epochs=5", "batch_size=8", "optimizer=adam"};
    lrs_trial_cfg_t cfg = sup_trial_cfg(words, 4);
    lrs_trial_result_t a, b, c;
    opts.seed = 11;
    run_ok(&d, &opts, &cfg, &a);
    run_ok(&d, &opts, &cfg, &b);
    opts.seed = 12;
    run_ok(&d, &opts, &cfg, &c);
    assert_true(same_history(&a, &b));
    assert_false(same_history(&a, &c));
    printf("batch_size=8: seed 11 score %.17g (twice), seed 12 score %.17g\n", a.score, c.score);
    assert_true(a.score == b.score);
    lrs_trial_result_clear(&a);
    lrs_trial_result_clear(&b);
    lrs_trial_result_clear(&c);

    /* Full batch: the seed plays no part once folds and weights are fixed. */
    const char *full[] = {"lr=0.05", "epochs=5", "optimizer=adam"};
    cfg = sup_trial_cfg(full, 3);
    opts.seed = 11;
    run_ok(&d, &opts, &cfg, &a);
    opts.seed = 12;
    run_ok(&d, &opts, &cfg, &b);
    assert_true(same_history(&a, &b));
    lrs_trial_result_clear(&a);
    lrs_trial_result_clear(&b);
    unlink(init);
    free_data(&d);
}

/* train_loss weights each batch by its rows: with an LR too small to move
 * the weights, the mean over uneven batches (53 = 6 × 8 + 5 training rows
 * per epoch) equals the full-batch loss of the same weights. */
static void test_train_loss_is_batch_weighted(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(53, 3, 2, 4);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 0;
    const char *batched[] = {"lr=1e-300", "epochs=2", "batch_size=8"};
    const char *full[] = {"lr=1e-300", "epochs=2"};
    lrs_trial_cfg_t cfg_b = sup_trial_cfg(batched, 3), cfg_f = sup_trial_cfg(full, 2);
    lrs_trial_result_t rb, rf;
    run_ok(&d, &opts, &cfg_b, &rb);
    run_ok(&d, &opts, &cfg_f, &rf);
    double diff = fabs(rb.epochs[0].train_loss - rf.epochs[0].train_loss);
    printf("batched %.17g vs full %.17g (diff %.3g)\n", rb.epochs[0].train_loss,
           rf.epochs[0].train_loss, diff);
    assert_true(diff <= 1e-12 * rf.epochs[0].train_loss);
    lrs_trial_result_clear(&rb);
    lrs_trial_result_clear(&rf);
    free_data(&d);
}

/* With one epoch, a fold's train_loss is the loss of its starting weights on
 * its (standardized) training rows; recomputing that from the seed's default
 * init must give the same value for every fold. */
static void test_every_fold_starts_from_same_weights(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(50, 4, 1, 5);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = 5;
    opts.seed = 99;
    opts.model.n_hidden = 1;
    opts.model.hidden[0] = 6;
    const char *words[] = {"lr=0.5", "epochs=1", "optimizer=sgd", "momentum=0.9"};
    lrs_trial_cfg_t cfg = sup_trial_cfg(words, 4);
    lrs_trial_result_t r;
    run_ok(&d, &opts, &cfg, &r);
    assert_int_equal(r.n_folds, 5);

    lrs_err_t err;
    lrs_folds_t folds;
    assert_int_equal(lrs_folds_kfold(&d, 5, opts.shuffle, opts.seed, &folds, &err), 0);
    lrs_model_spec_t spec = opts.model;
    spec.task = LRS_TASK_REGRESSION;
    spec.n_in = 4;
    spec.n_out = 1;
    lrs_model_t *m = lrs_model_new(&spec, 50, &err);
    assert_non_null(m);
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(opts.seed, 0, LRS_RNG_INIT));
    lrs_model_init_default(m, &rng);
    double X[50 * 4], Y[50], mean[4], scale[4];
    for (int f = 0; f < folds.count; f++) {
        const lrs_split_t *s = &folds.splits[f];
        lrs_standardize_fit(d.X, 4, s->train, s->n_train, mean, scale);
        lrs_gather_rows(d.X, 4, s->train, s->n_train, mean, scale, X);
        lrs_gather_rows(d.Y, 1, s->train, s->n_train, NULL, NULL, Y);
        double want = lrs_model_loss(m, X, Y, s->n_train, NULL);
        printf("fold %d: first train_loss %.17g, loss of the initial weights %.17g\n", f,
               r.folds[f].train_loss, want);
        assert_true(fabs(r.folds[f].train_loss - want) <= 1e-14 * want);
    }
    lrs_model_destroy(&m);
    lrs_folds_free(&folds);
    lrs_trial_result_clear(&r);
    free_data(&d);
}

static void test_bad_options_are_errors(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(20, 2, 1, 6);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    lrs_trial_cfg_t cfg = sup_trial_cfg(NULL, 0);
    lrs_trial_result_t r;
    lrs_err_t err;

    opts.folds = -1;
    lrs_err_clear(&err);
    assert_int_equal(lrs_train_run(&d, &opts, &cfg, &r, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_null(r.folds);
    assert_null(r.epochs);

    opts.folds = 1;
    opts.holdout = 1.5;
    lrs_err_clear(&err);
    assert_int_equal(lrs_train_run(&d, &opts, &cfg, &r, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_non_null(strstr(err.msg, "holdout"));

    /* --init for a 3-feature model does not fit 2 features. */
    char init[64];
    write_init(init, sizeof init, 3, 1);
    lrs_train_opts_init(&opts);
    opts.init_path = init;
    lrs_err_clear(&err);
    assert_int_equal(lrs_train_run(&d, &opts, &cfg, &r, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    printf("init mismatch: %s\n", err.msg);
    unlink(init);
    free_data(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_lr_diverges),
        cmocka_unit_test(test_folds_zero_has_no_validation),
        cmocka_unit_test(test_minibatch_deterministic_per_seed),
        cmocka_unit_test(test_train_loss_is_batch_weighted),
        cmocka_unit_test(test_every_fold_starts_from_same_weights),
        cmocka_unit_test(test_bad_options_are_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
