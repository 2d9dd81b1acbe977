/* synthetic.c — see synthetic.h. */
#include "worker/synthetic.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common/rng.h"
#include "worker/sched.h"

/* Past this distance above the optimum (in decades of lr) a trial diverges. */
#define DIVERGE_DECADES 2.0

void lrs_synthetic_optimum(const lrs_trial_cfg_t *cfg, double *best_log10_lr, double *floor)
{
    /* Adaptive optimizers like smaller steps; each scheduler shifts the
     * optimum a little and has its own floor, so "which scheduler wins"
     * is a real question for the sweep. */
    int adaptive = cfg->optim.kind != LRS_OPT_SGD;
    int k = (int)cfg->sched.kind;
    *best_log10_lr = (adaptive ? -2.7 : -1.6) + 0.12 * (k % 5) - 0.05 * (k / 5);
    *floor = 0.05 + 0.01 * ((k * 7) % 10) + (adaptive ? 0.0 : 0.02);
}

static void sleep_ms(double ms)
{
    struct timespec ts = {.tv_sec = (time_t)(ms / 1000), .tv_nsec = 0};
    ts.tv_nsec = (long)((ms - 1000.0 * (double)ts.tv_sec) * 1e6);
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Asks the hook at rung epoch e (1-based) of the curve so far: the value at
 * e and the best over 1..e (NaNs skipped).  0 go on, 1 stop, -1 cancel. */
static int ask_hook(const lrs_rung_hook_t *h, const lrs_epoch_stat_t *curve, int e, lrs_err_t *err)
{
    double best = NAN;
    for (int i = 0; i < e; i++) {
        double v = curve[i].val_loss;
        if (!isnan(v) && (isnan(best) || (h->maximize ? v > best : v < best)))
            best = v;
    }
    int verdict = h->at_rung(h->ctx, e, curve[e - 1].val_loss, best, err);
    if (verdict < 0 && err && err->code == 0)
        lrs_err_set(err, LRS_EXIT_RUNTIME, "synthetic: the trial was cancelled at epoch %d", e);
    return verdict < 0 ? -1 : verdict > 0;
}

int lrs_synthetic_run(const lrs_trial_cfg_t *cfg, uint64_t seed, double cost_ms,
                      const lrs_rung_hook_t *rungs, lrs_trial_result_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (!(cfg->optim.lr > 0) || cfg->epochs < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE, "synthetic: lr must be > 0 and epochs >= 1");
    double centre, floor;
    lrs_synthetic_optimum(cfg, &centre, &floor);
    double x = log10(cfg->optim.lr) - centre;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_INIT));
    double wiggle = 1e-3 * lrs_rng_uniform(&rng);
    double score = floor + 0.2 * x * x + 0.05 * cfg->optim.weight_decay * 100.0 +
                   0.02 * fabs(cfg->optim.momentum - 0.9) * (cfg->optim.kind == LRS_OPT_SGD) +
                   wiggle;
    int epochs = cfg->epochs;
    int diverged_at = 0;
    if (x > DIVERGE_DECADES) {   /* the further out, the sooner it blows up */
        diverged_at = (int)ceil(epochs / (1.0 + 4.0 * (x - DIVERGE_DECADES)));
        if (diverged_at < 1)
            diverged_at = 1;
        epochs = diverged_at;
    }
    lrs_sched_t *sched = lrs_sched_new(cfg, err);
    if (!sched)
        return -1;
    out->epochs = malloc((size_t)epochs * sizeof *out->epochs);
    if (!out->epochs) {
        lrs_sched_destroy(&sched);
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "synthetic: out of memory");
    }
    /* Shape: val(e) = score + (1 + score)·(1 − progress(e))², progress the
     * fraction of the planned LR mass spent so far (≈ e/E for a constant LR). */
    double start = 1.0 + score;
    int pruned_at = 0;
    for (int e = 0; e < epochs && !pruned_at; e++) {
        double lr = lrs_sched_lr(sched);
        double progress = (double)(e + 1) / cfg->epochs;
        double val = diverged_at ? start * exp(2.0 * (e + 1))
                                 : score + start * (1.0 - progress) * (1.0 - progress);
        if (diverged_at && e + 1 == diverged_at)
            val = INFINITY;
        out->epochs[e] = (lrs_epoch_stat_t){.epoch = e + 1, .lr = lr, .train_loss = 0.97 * val,
                                            .val_loss = val};
        lrs_sched_step(sched, val);
        /* No check at the diverging epoch: a divergence is the outcome. */
        if (rungs && e + 1 != diverged_at && lrs_rung_due(rungs, e + 1, cfg->epochs)) {
            int verdict = ask_hook(rungs, out->epochs, e + 1, err);
            if (verdict < 0) {
                lrs_sched_destroy(&sched);
                lrs_trial_result_clear(out);
                return -1;
            }
            pruned_at = verdict ? e + 1 : 0;
        }
    }
    lrs_sched_destroy(&sched);
    if (pruned_at) {
        out->n_epochs = pruned_at;
        out->status = LRS_STATUS_PRUNED;
        out->pruned_epoch = pruned_at;
        out->score = NAN;
        out->score_std = NAN;
        cost_ms = cost_ms * pruned_at / cfg->epochs;
    } else {
        out->n_epochs = epochs;
        out->status = diverged_at ? LRS_STATUS_DIVERGED : LRS_STATUS_COMPLETE;
        out->diverged_epoch = diverged_at;
        out->score = diverged_at ? NAN : score;
        out->score_std = diverged_at ? NAN : 0.1 * wiggle;
    }
    if (cost_ms > 0)
        sleep_ms(cost_ms);
    out->seconds = cost_ms / 1000.0;
    return 0;
}
