/* sched.c — learning-rate schedulers: a port of the per-epoch behaviour of
 * torch.optim.lr_scheduler (PyTorch 1.13.1), see sched.h.
 *
 * Most torch schedulers are "chainable": a step multiplies the optimizer's
 * current lr (param_group['lr']) instead of recomputing it from the base lr,
 * and SequentialLR hands over to the next scheduler by calling its step(0),
 * which takes the closed form where the class has one.  The two forms agree
 * only up to rounding, and past T_max CosineAnnealingLR's recursion *is* the
 * schedule, so this file keeps the state torch keeps — the group's lr and
 * initial_lr, each scheduler's last_epoch — and evaluates torch's expressions
 * in torch's order (Python evaluates a * b / c as (a * b) / c, as C does).
 *
 * A scheduler object here is one or two "units", each standing for one torch
 * scheduler object: the main one, and with warm-up a LinearLR in front of it,
 * both driving the same lr as SequentialLR drives them.
 *
 * Where torch 1.13 itself fails we refuse or stay put rather than crash:
 *  - OneCycleLR whose first phase ends at step 0 (pct_start * epochs == 1)
 *    divides 0 by 0 in torch; lrs_sched_new refuses it.
 *  - OneCycleLR stepped past total_steps raises in torch, and its second
 *    phase is empty when pct_start == 1; such steps keep the last lr (they
 *    can only happen after the final epoch, whose lr is never used).
 */
#include "worker/sched.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>

/* math.pi, spelled out so no feature macro is needed for M_PI. */
#define LRS_PI 3.141592653589793

/* One torch scheduler object: its last_epoch, base_lrs[0] and own state. */
typedef struct sched_unit {
    lrs_scheduler_t kind;
    long last_epoch;
    double base_lr;
    /* LinearLR parameters (the warm-up unit uses these too) */
    double start_factor, end_factor;
    long total_iters;
    /* CosineAnnealingWarmRestarts: T_cur, T_i (T_i grows by T_mult) */
    int64_t T_cur, T_i;
    /* OneCycleLR: group['initial_lr'], ['max_lr'], ['min_lr'], phase 0's end */
    double oc_initial, oc_max, oc_min, oc_phase_end;
    long oc_total;
    /* ReduceLROnPlateau */
    double best;
    long bad_epochs, cooldown_counter;
} sched_unit_t;

struct lrs_sched {
    lrs_sched_cfg_t cfg;
    double lr;            /* param_group['lr']: what get_last_lr() returns */
    double initial_lr;    /* param_group['initial_lr'] */
    int warmup_epochs;    /* 0: no SequentialLR */
    long seq_epoch;       /* SequentialLR.last_epoch */
    sched_unit_t warm;    /* LinearLR(warmup_start_factor, 1.0, warmup_epochs) */
    sched_unit_t main;
};

/* ---- torch get_lr() (the chainable form), at u->last_epoch ---- */

static double linear_chain(const sched_unit_t *u, double lr)
{
    long l = u->last_epoch;
    if (l == 0)
        return lr * u->start_factor;
    if (l > u->total_iters)
        return lr;
    double slope = u->end_factor - u->start_factor;
    return lr * (1. + slope / ((double)u->total_iters * u->start_factor + (double)(l - 1) * slope));
}

static double cosine_chain(const lrs_sched_cfg_t *c, const sched_unit_t *u, double lr)
{
    long l = u->last_epoch, T = c->T_max;
    if (l == 0)
        return lr;
    /* torch's `_step_count == 1 and last_epoch > 0` branch only runs when a
     * scheduler is built with last_epoch != -1, which never happens here. */
    if ((l - 1 - T) % (2 * T) == 0)
        return lr + (u->base_lr - c->eta_min) * (1 - cos(LRS_PI / (double)T)) / 2;
    return (1 + cos(LRS_PI * (double)l / (double)T)) / (1 + cos(LRS_PI * (double)(l - 1) / (double)T)) *
               (lr - c->eta_min) +
           c->eta_min;
}

static double polynomial_chain(const lrs_sched_cfg_t *c, const sched_unit_t *u, double lr)
{
    long l = u->last_epoch;
    double T = (double)c->total_iters;
    if (l == 0 || l > c->total_iters)
        return lr;
    double decay = pow((1.0 - (double)l / T) / (1.0 - (double)(l - 1) / T), c->power);
    return lr * decay;
}

static double warm_restarts_lr(const lrs_sched_cfg_t *c, const sched_unit_t *u)
{
    return c->eta_min +
           (u->base_lr - c->eta_min) * (1 + cos(LRS_PI * (double)u->T_cur / (double)u->T_i)) / 2;
}

/* OneCycleLR.get_lr at step_num = last_epoch, two phases; *ok = 0 where
 * torch would raise (past total_steps, or an empty phase). */
static double onecycle_lr(const lrs_sched_cfg_t *c, const sched_unit_t *u, int *ok)
{
    long step = u->last_epoch;
    *ok = 0;
    if (step > u->oc_total)
        return 0;
    double start_step = 0, end_step = u->oc_phase_end, from = u->oc_initial, to = u->oc_max;
    if (!((double)step <= u->oc_phase_end)) {
        start_step = u->oc_phase_end;
        end_step = (double)(u->oc_total - 1);
        from = u->oc_max;
        to = u->oc_min;
    }
    if (end_step == start_step)
        return 0;
    double pct = ((double)step - start_step) / (end_step - start_step);
    *ok = 1;
    if (c->anneal_strategy == 1)
        return (to - from) * pct + from;
    double cos_out = cos(LRS_PI * pct) + 1;
    return to + (from - to) / 2.0 * cos_out;
}

/* get_lr() of unit u given the group's lr; returns lr itself where torch
 * would raise (see the header comment). */
static double unit_get_lr(const lrs_sched_cfg_t *c, const sched_unit_t *u, double lr)
{
    long l = u->last_epoch;
    int ok;
    double v;
    switch (u->kind) {
    case LRS_SCHED_CONSTANT: /* LambdaLR(lambda epoch: 1.0) */
        return u->base_lr * 1.0;
    case LRS_SCHED_STEP:
        return (l == 0 || l % c->step_size != 0) ? lr : lr * c->gamma;
    case LRS_SCHED_MULTISTEP:
        /* torch: lr * gamma ** count; milestones are distinct, so count is 1 */
        for (int i = 0; i < c->n_milestones; i++)
            if (c->milestones[i] == l)
                return lr * pow(c->gamma, 1.0);
        return lr;
    case LRS_SCHED_EXPONENTIAL:
        return l == 0 ? lr : lr * c->gamma;
    case LRS_SCHED_COSINE:
        return cosine_chain(c, u, lr);
    case LRS_SCHED_COSINE_WARM_RESTARTS:
        return warm_restarts_lr(c, u);
    case LRS_SCHED_LINEAR:
        return linear_chain(u, lr);
    case LRS_SCHED_ONECYCLE:
        v = onecycle_lr(c, u, &ok);
        return ok ? v : lr;
    case LRS_SCHED_POLYNOMIAL:
        return polynomial_chain(c, u, lr);
    case LRS_SCHED_PLATEAU:
    case LRS_SCHED_COUNT:
        break;
    }
    return lr;
}

/* _get_closed_form_lr() where the class has one, else get_lr() (torch's
 * step(epoch) does exactly this choice). */
static double unit_closed_lr(const lrs_sched_cfg_t *c, const sched_unit_t *u, double lr)
{
    long l = u->last_epoch;
    double b = u->base_lr;
    switch (u->kind) {
    case LRS_SCHED_STEP:
        return b * pow(c->gamma, (double)(l / c->step_size));
    case LRS_SCHED_MULTISTEP: {
        int passed = 0; /* bisect_right(milestones, l) */
        while (passed < c->n_milestones && c->milestones[passed] <= l)
            passed++;
        return b * pow(c->gamma, (double)passed);
    }
    case LRS_SCHED_EXPONENTIAL:
        return b * pow(c->gamma, (double)l);
    case LRS_SCHED_COSINE:
        return c->eta_min + (b - c->eta_min) * (1 + cos(LRS_PI * (double)l / (double)c->T_max)) / 2;
    case LRS_SCHED_LINEAR: {
        long done = l < u->total_iters ? l : u->total_iters;
        return b * (u->start_factor +
                    (u->end_factor - u->start_factor) * (double)done / (double)u->total_iters);
    }
    case LRS_SCHED_POLYNOMIAL: {
        long done = l < c->total_iters ? l : c->total_iters;
        return b * pow(1.0 - (double)done / (double)c->total_iters, c->power);
    }
    default:
        return unit_get_lr(c, u, lr);
    }
}

/* ---- torch step() and step(epoch) ---- */

/* CosineAnnealingWarmRestarts.step(epoch) for an integer epoch < T_0 (the
 * only explicit epochs SequentialLR and construction pass: 0). */
static void warm_restarts_set_epoch(const lrs_sched_cfg_t *c, sched_unit_t *u, long epoch)
{
    u->T_i = c->T_0;
    u->T_cur = epoch;
    u->last_epoch = epoch;
}

/* step() without an epoch. */
static void unit_step(lrs_sched_t *s, sched_unit_t *u)
{
    const lrs_sched_cfg_t *c = &s->cfg;
    if (u->kind == LRS_SCHED_COSINE_WARM_RESTARTS) {
        if (u->last_epoch < 0) {
            warm_restarts_set_epoch(c, u, 0);
        } else {
            u->last_epoch++;
            u->T_cur++;
            if (u->T_cur >= u->T_i) {
                u->T_cur -= u->T_i;
                /* Python's ints never overflow; T_i only matters while it is
                 * within reach of T_cur, so saturating changes nothing. */
                u->T_i = u->T_i > INT64_MAX / c->T_mult ? INT64_MAX : u->T_i * c->T_mult;
            }
        }
        s->lr = warm_restarts_lr(c, u);
        return;
    }
    u->last_epoch++;
    s->lr = unit_get_lr(c, u, s->lr);
}

/* step(epoch): the deprecated explicit-epoch form SequentialLR uses. */
static void unit_step_at(lrs_sched_t *s, sched_unit_t *u, long epoch)
{
    const lrs_sched_cfg_t *c = &s->cfg;
    if (u->kind == LRS_SCHED_COSINE_WARM_RESTARTS) {
        warm_restarts_set_epoch(c, u, epoch);
        s->lr = warm_restarts_lr(c, u);
        return;
    }
    u->last_epoch = epoch;
    s->lr = unit_closed_lr(c, u, s->lr);
}

static int plateau_is_better(const lrs_sched_cfg_t *c, double a, double best)
{
    if (c->mode == 0 && c->threshold_mode == 0)
        return a < best * (1. - c->threshold);
    if (c->mode == 0)
        return a < best - c->threshold;
    if (c->threshold_mode == 0)
        return a > best * (c->threshold + 1.);
    return a > best + c->threshold;
}

/* ReduceLROnPlateau.step(metrics), eps = 1e-8. */
static void plateau_step(lrs_sched_t *s, sched_unit_t *u, double metric)
{
    const lrs_sched_cfg_t *c = &s->cfg;
    u->last_epoch++;
    if (plateau_is_better(c, metric, u->best)) {
        u->best = metric;
        u->bad_epochs = 0;
    } else {
        u->bad_epochs++;
    }
    if (u->cooldown_counter > 0) {
        u->cooldown_counter--;
        u->bad_epochs = 0;
    }
    if (u->bad_epochs > c->patience) {
        double old_lr = s->lr, new_lr = old_lr * c->factor;
        if (c->min_lr > new_lr)
            new_lr = c->min_lr;
        if (old_lr - new_lr > 1e-8)
            s->lr = new_lr;
        u->cooldown_counter = c->cooldown;
        u->bad_epochs = 0;
    }
}

/* ---- construction ---- */

static int check_cfg(const lrs_trial_cfg_t *cfg, lrs_err_t *err)
{
    const lrs_sched_cfg_t *c = &cfg->sched;
    if ((unsigned)c->kind >= LRS_SCHED_COUNT)
        return lrs_err_set(err, LRS_EXIT_USAGE, "scheduler: unknown kind %d", (int)c->kind);
    if (!(cfg->optim.lr > 0) || !isfinite(cfg->optim.lr) || cfg->epochs < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE, "scheduler: lr must be > 0 and epochs >= 1");
    int bad = 0;
    switch (c->kind) {
    case LRS_SCHED_STEP: bad = c->step_size < 1; break;
    case LRS_SCHED_COSINE: bad = c->T_max < 1; break;
    case LRS_SCHED_COSINE_WARM_RESTARTS: bad = c->T_0 < 1 || c->T_mult < 1; break;
    case LRS_SCHED_LINEAR: bad = c->total_iters < 1 || !(c->start_factor > 0); break;
    case LRS_SCHED_POLYNOMIAL: bad = c->total_iters < 1; break;
    case LRS_SCHED_ONECYCLE: bad = !(c->max_lr > 0) || !(c->div_factor > 0) || !(c->final_div_factor > 0); break;
    case LRS_SCHED_MULTISTEP: bad = c->n_milestones < 0 || c->n_milestones > LRS_MAX_MILESTONES; break;
    default: break;
    }
    if (bad)
        return lrs_err_set(err, LRS_EXIT_USAGE, "scheduler %s: parameters not finalized or out of range",
                           lrs_scheduler_name(c->kind));
    if (c->warmup_epochs < 0 || (c->warmup_epochs > 0 && !(c->warmup_start_factor > 0)))
        return lrs_err_set(err, LRS_EXIT_USAGE, "warmup_epochs/warmup_start_factor out of range");
    if (c->warmup_epochs > 0 && c->kind == LRS_SCHED_PLATEAU)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "warmup_epochs does not combine with scheduler plateau "
                           "(torch 1.13's SequentialLR cannot pass a metric to ReduceLROnPlateau)");
    if (c->kind == LRS_SCHED_ONECYCLE && (double)(c->pct_start * cfg->epochs) - 1 == 0)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "onecycle: pct_start=%g with epochs=%d leaves a one-epoch rising phase "
                           "that torch 1.13's OneCycleLR divides by zero on; choose another pct_start",
                           c->pct_start, cfg->epochs);
    return 0;
}

/* The main scheduler's constructor, including torch's initial step(). */
static void main_init(lrs_sched_t *s, const lrs_trial_cfg_t *cfg)
{
    const lrs_sched_cfg_t *c = &s->cfg;
    sched_unit_t *u = &s->main;
    u->kind = c->kind;
    u->start_factor = c->start_factor;
    u->end_factor = c->end_factor;
    u->total_iters = c->total_iters;
    if (c->kind == LRS_SCHED_PLATEAU) {
        u->last_epoch = 0;
        u->best = c->mode == 0 ? INFINITY : -INFINITY;
        return;
    }
    if (c->kind == LRS_SCHED_ONECYCLE) {
        /* OneCycleLR overwrites initial_lr: the optimizer's lr is ignored. */
        s->initial_lr = c->max_lr / c->div_factor;
        u->oc_initial = s->initial_lr;
        u->oc_max = c->max_lr;
        u->oc_min = u->oc_initial / c->final_div_factor;
        u->oc_total = cfg->epochs;
        u->oc_phase_end = (double)(c->pct_start * cfg->epochs) - 1;
    }
    u->base_lr = s->initial_lr;
    u->last_epoch = -1;
    unit_step(s, u);
}

lrs_sched_t *lrs_sched_new(const lrs_trial_cfg_t *cfg, lrs_err_t *err)
{
    if (check_cfg(cfg, err) < 0)
        return NULL;
    lrs_sched_t *s = calloc(1, sizeof *s);
    if (!s) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "scheduler: out of memory");
        return NULL;
    }
    s->cfg = cfg->sched;
    s->lr = cfg->optim.lr;
    s->initial_lr = s->lr;
    s->warmup_epochs = cfg->sched.warmup_epochs;
    if (s->warmup_epochs > 0) {
        /* Built first, as in SequentialLR([LinearLR(...), main]). */
        sched_unit_t *w = &s->warm;
        w->kind = LRS_SCHED_LINEAR;
        w->start_factor = s->cfg.warmup_start_factor;
        w->end_factor = 1.0;
        w->total_iters = s->warmup_epochs;
        w->base_lr = s->initial_lr;
        w->last_epoch = -1;
        unit_step(s, w);
    }
    main_init(s, cfg);
    if (s->warmup_epochs > 0) {
        /* SequentialLR.__init__: reset lr, undo both initial steps, redo the first. */
        s->lr = s->initial_lr;
        s->warm.last_epoch--;
        s->main.last_epoch--;
        unit_step(s, &s->warm);
        s->seq_epoch = 0;
    }
    return s;
}

void lrs_sched_destroy(lrs_sched_t **s)
{
    if (!s || !*s)
        return;
    free(*s);
    *s = NULL;
}

double lrs_sched_lr(const lrs_sched_t *s)
{
    return s->lr;
}

void lrs_sched_step(lrs_sched_t *s, double metric)
{
    if (s->warmup_epochs > 0) {
        /* SequentialLR.step with milestones [warmup_epochs] */
        s->seq_epoch++;
        if (s->seq_epoch < s->warmup_epochs)
            unit_step(s, &s->warm);
        else if (s->seq_epoch == s->warmup_epochs)
            unit_step_at(s, &s->main, 0);
        else
            unit_step(s, &s->main);
        return;
    }
    if (s->main.kind == LRS_SCHED_PLATEAU)
        plateau_step(s, &s->main, metric);
    else
        unit_step(s, &s->main);
}
