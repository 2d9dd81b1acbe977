/* test_train_rungs.c — the engines' pruning hook (worker/train.h,
 * lrs_rung_hook_t): folds in lock step between rungs.
 *
 * The contract that matters most is the quiet one: a hook that never stops
 * a trial changes nothing, down to the last bit of every field, diverged
 * trials included (a later fold may diverge first in lock step, yet the
 * first fold in fold order must still decide).  Then: the hook is called at
 * exactly the trial's rung epochs; a stop leaves the unpruned run's first e
 * epochs bit for bit and hands the hook the fold mean the result shows; -1
 * cancels with err.  The same for the synthetic objective.
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

#include "common/clock.h"
#include "common/dataset.h"
#include "common/params.h"
#include "common/prune.h"
#include "common/rng.h"
#include "worker/synthetic.h"
#include "worker/train.h"

#include "support.h"

#define N_FEATURES 4
#define MAX_CALLS 128
#define MAX_WORDS 12

/* rows × N_FEATURES features on different scales.  Regression: 2 targets
 * linear in X plus noise; classification: 3 classes, the argmax of 3 noisy
 * linear scores. */
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

static void free_data(lrs_dataset_t *d)
{
    free(d->X);
    free(d->Y);
}

/* A finalized config from one line of space-separated PARAM=VALUE words. */
static lrs_trial_cfg_t cfg_from(const char *line)
{
    char buf[512];
    const char *words[MAX_WORDS];
    int n = 0;
    snprintf(buf, sizeof buf, "%s", line);
    for (char *w = strtok(buf, " "); w && n < MAX_WORDS; w = strtok(NULL, " "))
        words[n++] = w;
    return sup_trial_cfg(words, n);
}

/* What the hook saw, and when it answers otherwise than 0. */
typedef struct hook_log {
    int calls;
    int epochs[MAX_CALLS];
    double values[MAX_CALLS], bests[MAX_CALLS];
    int stop_at_call;     /* 1-based call that returns 1; 0: never */
    int cancel_at_call;   /* 1-based call that returns -1; 0: never */
    int cancel_sets_err;  /* the cancelling call writes its own message */
} hook_log_t;

static int log_rung(void *ctx, int epoch, double value, double best, lrs_err_t *err)
{
    hook_log_t *log = ctx;
    assert_true(log->calls < MAX_CALLS);
    log->epochs[log->calls] = epoch;
    log->values[log->calls] = value;
    log->bests[log->calls] = best;
    log->calls++;
    if (log->calls == log->cancel_at_call) {
        if (log->cancel_sets_err)
            lrs_err_set(err, LRS_EXIT_RUNTIME, "stopped by the test");
        return -1;
    }
    return log->calls == log->stop_at_call;
}

static lrs_rung_hook_t make_hook(const lrs_prune_spec_t *spec, hook_log_t *log, int accuracy)
{
    memset(log, 0, sizeof *log);
    return (lrs_rung_hook_t){.spec = spec, .trial = 7, .maximize = accuracy, .accuracy = accuracy,
                             .at_rung = log_rung, .ctx = log};
}

/* The prune specs every case runs under: median every epoch, median with
 * warm-up 3 and interval 2, successive halving from 2 by 3 (2, 6, 18, …). */
#define N_SPECS 3
static void make_specs(lrs_prune_spec_t specs[N_SPECS])
{
    lrs_prune_defaults(&specs[0], LRS_PRUNE_MEDIAN);
    lrs_prune_defaults(&specs[1], LRS_PRUNE_MEDIAN);
    specs[1].n_warmup_steps = 3;
    specs[1].interval_steps = 2;
    lrs_prune_defaults(&specs[2], LRS_PRUNE_SUCCESSIVE_HALVING);
    specs[2].min_resource = 2;
    specs[2].reduction_factor = 3;
    for (int i = 0; i < N_SPECS; i++)
        lrs_prune_finish(&specs[i]);
}

/* The rung epochs of trial 7 of a run of epochs epochs, straight from the
 * rung ladder (lrs_prune_rung_epoch), below `before` (a divergence). */
static int expected_rungs(const lrs_prune_spec_t *p, int epochs, int before, int *out)
{
    int n = 0;
    for (int k = 0; k < LRS_PRUNE_MAX_EPOCH; k++) {
        int e = lrs_prune_rung_epoch(p, 7, k);
        if ((e == 0 && k > 0) || e >= epochs || e >= before)
            break;
        if (e >= 1 && (n == 0 || out[n - 1] != e))
            out[n++] = e;
    }
    return n;
}

static int same_bits(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

#define assert_bits(a, b, what, i)                                                           \
    do {                                                                                     \
        if (!same_bits((a), (b)))                                                            \
            fail_msg("%s %s[%d]: %.17g vs %.17g", label, what, i, (double)(a), (double)(b)); \
    } while (0)

/* Every field of two results, doubles bit for bit (seconds aside). */
static void assert_same_result(const char *label, const lrs_trial_result_t *a,
                               const lrs_trial_result_t *b)
{
    assert_int_equal(a->status, b->status);
    assert_bits(a->score, b->score, "score", 0);
    assert_bits(a->score_std, b->score_std, "score_std", 0);
    assert_int_equal(a->diverged_epoch, b->diverged_epoch);
    assert_int_equal(a->pruned_epoch, b->pruned_epoch);
    assert_int_equal(a->n_folds, b->n_folds);
    assert_int_equal(a->n_epochs, b->n_epochs);
    assert_true(a->error == NULL && b->error == NULL);
    for (int f = 0; f < a->n_folds; f++) {
        assert_int_equal(a->folds[f].fold, b->folds[f].fold);
        assert_bits(a->folds[f].train_loss, b->folds[f].train_loss, "fold train_loss", f);
        assert_bits(a->folds[f].val_loss, b->folds[f].val_loss, "fold val_loss", f);
        assert_bits(a->folds[f].accuracy, b->folds[f].accuracy, "fold accuracy", f);
    }
    for (int e = 0; e < a->n_epochs; e++) {
        assert_int_equal(a->epochs[e].epoch, b->epochs[e].epoch);
        assert_bits(a->epochs[e].lr, b->epochs[e].lr, "lr", e);
        assert_bits(a->epochs[e].train_loss, b->epochs[e].train_loss, "train_loss", e);
        assert_bits(a->epochs[e].val_loss, b->epochs[e].val_loss, "val_loss", e);
    }
}

static void train_ok(const lrs_dataset_t *d, const lrs_train_opts_t *opts,
                     const lrs_trial_cfg_t *cfg, lrs_trial_result_t *r)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_train_run(d, opts, cfg, r, &err) < 0)
        fail_msg("lrs_train_run: %s", err.msg);
}

/* The best of the first e epoch means of r by the goal, NaNs skipped. */
static double best_val(const lrs_trial_result_t *r, int e)
{
    double best = NAN;
    for (int i = 0; i < e; i++) {
        double v = r->epochs[i].val_loss;
        if (!isnan(v) && (isnan(best) || v < best))
            best = v;
    }
    return best;
}

/* A run stopped at the hook's 2nd call (epoch e) against the unpruned one
 * (plain).  Its values are compared when plain ran every fold through e
 * (not when an earlier fold diverged, later than e: then plain's epoch
 * means are over fewer folds). */
static void check_pruned(const char *label, const lrs_trial_result_t *plain,
                         const lrs_trial_result_t *cut, const hook_log_t *log, int n_folds,
                         int accuracy, int lr_may_round)
{
    int e = log->epochs[1];
    assert_int_equal(log->calls, 2);
    assert_int_equal(cut->status, LRS_STATUS_PRUNED);
    assert_int_equal(cut->pruned_epoch, e);
    assert_int_equal(cut->n_epochs, e);
    assert_int_equal(cut->diverged_epoch, 0);
    assert_int_equal(cut->n_folds, n_folds);
    assert_true(isnan(cut->score) && isnan(cut->score_std));
    assert_true(plain->status != LRS_STATUS_DIVERGED || plain->diverged_epoch > e);
    if (plain->n_folds != n_folds)
        return;
    for (int i = 0; i < e; i++) {
        assert_int_equal(cut->epochs[i].epoch, i + 1);
        assert_bits(cut->epochs[i].train_loss, plain->epochs[i].train_loss, "train_loss", i);
        assert_bits(cut->epochs[i].val_loss, plain->epochs[i].val_loss, "val_loss", i);
        /* Plateau: folds whose LRs part only after e report fold 0's LR
         * pruned but the (rounded) mean of equal LRs in the full run. */
        if (lr_may_round)
            assert_true(fabs(cut->epochs[i].lr - plain->epochs[i].lr) <=
                        1e-15 * plain->epochs[i].lr);
        else
            assert_bits(cut->epochs[i].lr, plain->epochs[i].lr, "lr", i);
    }
    double sum = 0.0, val_sum = 0.0;
    for (int f = 0; f < n_folds; f++) {
        assert_int_equal(cut->folds[f].fold, f);
        sum += cut->folds[f].accuracy;
        val_sum += cut->folds[f].val_loss;
    }
    if (accuracy) {
        assert_bits(log->values[1], sum / n_folds, "hook accuracy", e);
        assert_true(!(log->bests[1] < log->values[1]));   /* maximize: best ≥ value */
    } else {
        assert_bits(log->values[1], plain->epochs[e - 1].val_loss, "hook value", e);
        if (n_folds > 0)
            assert_bits(log->values[1], val_sum / n_folds, "hook value (folds)", e);
        assert_bits(log->bests[1], best_val(plain, e), "hook best", e);
    }
}

typedef struct train_case {
    const char *cfg;
    int folds;
    int variant;   /* 1: copy_budget 0, rows gathered chunk by chunk; 2: an MLP (8, 5) */
} train_case_t;

/* Counts of what the cases met, so the test knows it covered them. */
typedef struct coverage {
    int runs, pruned, diverged, diverged_later_fold;
    int overtaken;   /* a later fold diverged first in lock step, an earlier one decided */
} coverage_t;

/* One config under every spec: quiet hook ≡ no hook, rung epochs, a stop
 * at the 2nd call, for the val_loss and (classification) accuracy
 * objectives. */
static void check_case(const lrs_dataset_t *d, const train_case_t *tc, coverage_t *cov)
{
    lrs_prune_spec_t specs[N_SPECS];
    make_specs(specs);
    lrs_trial_cfg_t cfg = cfg_from(tc->cfg);
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    opts.folds = tc->folds;
    opts.seed = 11;
    if (tc->variant == 1)
        opts.copy_budget = 0;
    if (tc->variant == 2) {   /* the MLP reads the gathered rows in place */
        opts.model.n_hidden = 2;
        opts.model.hidden[0] = 8;
        opts.model.hidden[1] = 5;
    }
    lrs_trial_result_t plain;
    train_ok(d, &opts, &cfg, &plain);
    int n_folds = tc->folds >= 2 ? tc->folds : 1;
    if (plain.status == LRS_STATUS_DIVERGED) {
        cov->diverged++;
        cov->diverged_later_fold += plain.n_folds > 1;
    }
    char label[640];
    for (int s = 0; s < N_SPECS; s++) {
        for (int accuracy = 0; accuracy <= (d->task == LRS_TASK_CLASSIFICATION); accuracy++) {
            static const char *const variants[] = {"", " chunked", " mlp"};
            snprintf(label, sizeof label, "[%s | folds %d%s | spec %d | acc %d]", tc->cfg,
                     tc->folds, variants[tc->variant], s, accuracy);
            hook_log_t log;
            lrs_rung_hook_t hook = make_hook(&specs[s], &log, accuracy);
            opts.rungs = &hook;
            lrs_trial_result_t quiet, cut;
            train_ok(d, &opts, &cfg, &quiet);
            assert_same_result(label, &plain, &quiet);
            int want[MAX_CALLS];
            int before = plain.status == LRS_STATUS_DIVERGED ? plain.diverged_epoch : cfg.epochs;
            int n_want = expected_rungs(&specs[s], cfg.epochs, before, want);
            /* A diverging trial may see rungs before the divergence that a
             * later fold reached first; never one at or after it. */
            if (plain.status != LRS_STATUS_DIVERGED) {
                assert_int_equal(log.calls, n_want);
            } else {
                assert_true(log.calls <= n_want);
                cov->overtaken += log.calls < n_want;
            }
            for (int i = 0; i < log.calls; i++)
                assert_int_equal(log.epochs[i], want[i]);
            cov->runs++;

            hook = make_hook(&specs[s], &log, accuracy);
            log.stop_at_call = 2;
            train_ok(d, &opts, &cfg, &cut);
            if (log.calls == 2) {
                check_pruned(label, &plain, &cut, &log, n_folds, accuracy,
                             cfg.sched.kind == LRS_SCHED_PLATEAU);
                cov->pruned++;
            } else {
                assert_same_result(label, &plain, &cut);   /* ended before a 2nd rung */
            }
            lrs_trial_result_clear(&quiet);
            lrs_trial_result_clear(&cut);
            opts.rungs = NULL;
        }
    }
    lrs_trial_result_clear(&plain);
}

static const train_case_t cases[] = {
    {"optimizer=sgd momentum=0.9 lr=0.05 epochs=20 scheduler=step step_size=5 gamma=0.5", 5, 0},
    {"optimizer=sgd momentum=0.9 lr=0.05 epochs=20 scheduler=step step_size=5 gamma=0.5", 1, 0},
    {"optimizer=adam lr=0.01 epochs=19 batch_size=8 scheduler=cosine T_max=19", 5, 0},
    {"optimizer=adam lr=0.01 epochs=19 batch_size=8 scheduler=cosine T_max=19", 1, 0},
    {"optimizer=sgd lr=0.2 epochs=20 scheduler=plateau patience=1 factor=0.5", 5, 0},
    {"optimizer=rmsprop lr=0.01 epochs=14 batch_size=16", 5, 0},
    {"optimizer=sgd lr=0.1 epochs=9", 0, 0},
    {"optimizer=sgd lr=1000 epochs=30", 5, 0},
    {"optimizer=sgd lr=1e200 epochs=12", 5, 0},
    {"optimizer=adam lr=0.01 epochs=19 batch_size=8 scheduler=cosine T_max=19", 5, 1},
    {"optimizer=sgd momentum=0.9 lr=0.05 epochs=20 scheduler=step step_size=5 gamma=0.5", 5, 1},
    {"optimizer=adam lr=0.01 epochs=12 batch_size=16", 5, 2},
    {"optimizer=sgd momentum=0.9 lr=0.05 epochs=12 scheduler=step step_size=4", 5, 2},
};

/* Around the edge of divergence (regression: fold 0 completes, a later
 * fold diverges; others diverge in fold 0, some fold another epoch). */
static const train_case_t edge_cases[] = {
    {"optimizer=sgd momentum=0.9 lr=2.7353 epochs=24", 5, 0},
    {"optimizer=sgd momentum=0.9 lr=2.95413 epochs=24", 5, 0},
    {"optimizer=sgd momentum=0.9 lr=3.19046 epochs=24", 5, 0},
    {"optimizer=sgd momentum=0.9 lr=4 epochs=24", 5, 0},
    {"optimizer=sgd lr=1.7237 epochs=24 batch_size=12", 5, 0},
    {"optimizer=sgd lr=1.7237 epochs=24", 5, 0},
    {"optimizer=sgd lr=1.8616 epochs=24", 5, 0},
    {"optimizer=sgd lr=2.01053 epochs=24", 5, 0},
    {"optimizer=sgd lr=2.5 epochs=24", 5, 0},
    {"optimizer=sgd lr=2.5 epochs=24", 1, 0},
    {"optimizer=sgd momentum=0.9 lr=2.7353 epochs=24", 5, 1},
};

static void check_task(lrs_task_t task, coverage_t *cov)
{
    lrs_dataset_t d = make_data(60, task, task == LRS_TASK_REGRESSION ? 3 : 4);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        check_case(&d, &cases[i], cov);
    for (size_t i = 0; i < sizeof edge_cases / sizeof edge_cases[0]; i++)
        check_case(&d, &edge_cases[i], cov);
    free_data(&d);
}

static void test_regression_rungs(void **state)
{
    (void)state;
    coverage_t cov = {0};
    check_task(LRS_TASK_REGRESSION, &cov);
    printf("regression: %d hooked runs, %d pruned, %d diverged configs (%d past fold 0), "
           "%d runs where a later fold diverged first\n",
           cov.runs, cov.pruned, cov.diverged, cov.diverged_later_fold, cov.overtaken);
    assert_true(cov.pruned > 0);
    assert_true(cov.diverged_later_fold > 0);
    assert_true(cov.overtaken > 0);
}

static void test_classification_rungs(void **state)
{
    (void)state;
    coverage_t cov = {0};
    check_task(LRS_TASK_CLASSIFICATION, &cov);
    printf("classification: %d hooked runs, %d pruned, %d diverged configs (%d past fold 0)\n",
           cov.runs, cov.pruned, cov.diverged, cov.diverged_later_fold);
    assert_true(cov.pruned > 0);
    assert_true(cov.diverged > 0);
}

/* -1 from the hook: the run fails with the hook's message, or the engine's
 * when the hook gave none. */
static void test_cancel(void **state)
{
    (void)state;
    lrs_dataset_t d = make_data(40, LRS_TASK_REGRESSION, 5);
    lrs_prune_spec_t specs[N_SPECS];
    make_specs(specs);
    lrs_trial_cfg_t cfg = cfg_from("optimizer=adam lr=0.01 epochs=10");
    lrs_train_opts_t opts;
    lrs_train_opts_init(&opts);
    for (int own = 0; own <= 1; own++) {
        hook_log_t log;
        lrs_rung_hook_t hook = make_hook(&specs[0], &log, 0);
        log.cancel_at_call = 3;
        log.cancel_sets_err = own;
        opts.rungs = &hook;
        lrs_trial_result_t r;
        lrs_err_t err;
        lrs_err_clear(&err);
        assert_int_equal(lrs_train_run(&d, &opts, &cfg, &r, &err), -1);
        assert_int_equal(log.calls, 3);
        assert_true(err.code != 0 && err.msg[0] != '\0');
        if (own)
            assert_string_equal(err.msg, "stopped by the test");
        printf("cancelled: %s\n", err.msg);
        assert_int_equal(r.n_epochs, 0);
        assert_null(r.epochs);
        lrs_trial_result_clear(&r);
    }
    free_data(&d);
}

static void synthetic_ok(const lrs_trial_cfg_t *cfg, double cost_ms, const lrs_rung_hook_t *h,
                         lrs_trial_result_t *r)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_synthetic_run(cfg, 5, cost_ms, h, r, &err) < 0)
        fail_msg("lrs_synthetic_run: %s", err.msg);
}

/* The synthetic objective: quiet ≡ none, rung epochs, stop at the 2nd call
 * (its curve's value), cancel; a pruned trial sleeps its share only. */
static void test_synthetic(void **state)
{
    (void)state;
    lrs_prune_spec_t specs[N_SPECS];
    make_specs(specs);
    static const char *const lines[] = {
        "optimizer=sgd lr=0.03 epochs=20",
        "optimizer=adam lr=0.002 epochs=25 scheduler=cosine T_max=25",
        "optimizer=sgd lr=0.2 epochs=20 scheduler=plateau patience=1 factor=0.5",
        "optimizer=sgd lr=5 epochs=30",    /* diverges at epoch 14 */
        "optimizer=sgd lr=40 epochs=30",   /* diverges at epoch 6 */
    };
    int pruned = 0, diverged = 0;
    char label[256];
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        lrs_trial_cfg_t cfg = cfg_from(lines[i]);
        lrs_trial_result_t plain;
        synthetic_ok(&cfg, 0, NULL, &plain);
        diverged += plain.status == LRS_STATUS_DIVERGED;
        for (int s = 0; s < N_SPECS; s++) {
            snprintf(label, sizeof label, "[synthetic %s | spec %d]", lines[i], s);
            hook_log_t log;
            lrs_rung_hook_t hook = make_hook(&specs[s], &log, 0);
            lrs_trial_result_t quiet, cut;
            synthetic_ok(&cfg, 0, &hook, &quiet);
            assert_same_result(label, &plain, &quiet);
            int want[MAX_CALLS];
            int before = plain.status == LRS_STATUS_DIVERGED ? plain.diverged_epoch : cfg.epochs;
            assert_int_equal(log.calls, expected_rungs(&specs[s], cfg.epochs, before, want));
            for (int c = 0; c < log.calls; c++) {
                assert_int_equal(log.epochs[c], want[c]);
                assert_bits(log.values[c], plain.epochs[want[c] - 1].val_loss, "value", c);
                assert_bits(log.bests[c], best_val(&plain, want[c]), "best", c);
            }
            hook = make_hook(&specs[s], &log, 0);
            log.stop_at_call = 2;
            synthetic_ok(&cfg, 0, &hook, &cut);
            if (log.calls == 2) {
                check_pruned(label, &plain, &cut, &log, 0, 0, 0);
                pruned++;
            } else {
                assert_same_result(label, &plain, &cut);
            }
            lrs_trial_result_clear(&quiet);
            lrs_trial_result_clear(&cut);
        }
        lrs_trial_result_clear(&plain);
    }
    assert_true(pruned > 0);
    assert_int_equal(diverged, 2);

    /* Cost: 200 ms for 20 epochs, stopped at halving's 2nd rung (6): 60 ms. */
    lrs_trial_cfg_t cfg = cfg_from("optimizer=sgd lr=0.03 epochs=20");
    hook_log_t log;
    lrs_rung_hook_t hook = make_hook(&specs[2], &log, 0);
    log.stop_at_call = 2;
    lrs_trial_result_t r;
    double t0 = lrs_mono_seconds();
    synthetic_ok(&cfg, 200, &hook, &r);
    double took = lrs_mono_seconds() - t0;
    printf("synthetic pruned at %d: slept %.3f s, reports %.3f s\n", r.pruned_epoch, took,
           r.seconds);
    assert_int_equal(r.pruned_epoch, 6);
    assert_true(fabs(r.seconds - 0.06) < 1e-12);
    assert_true(took >= 0.06 && took < 0.19);
    lrs_trial_result_clear(&r);

    /* Cancel. */
    hook = make_hook(&specs[0], &log, 0);
    log.cancel_at_call = 1;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_synthetic_run(&cfg, 5, 0, &hook, &r, &err), -1);
    assert_true(err.code != 0 && err.msg[0] != '\0');
    assert_null(r.epochs);
    lrs_trial_result_clear(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_regression_rungs),
        cmocka_unit_test(test_classification_rungs),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_synthetic),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
