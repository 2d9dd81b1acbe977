/* params.c — the parameter table and its parser (see params.h).
 *
 * Defaults follow torch.optim / torch.optim.lr_scheduler (PyTorch 1.13):
 * e.g. Adam eps 1e-8 but Adagrad eps 1e-10; AdamW weight_decay 1e-2; StepLR
 * gamma 0.1; OneCycleLR pct_start 0.3, div_factor 25, final_div_factor 1e4;
 * ReduceLROnPlateau factor 0.1, patience 10, threshold 1e-4 (rel). */
#include "common/params.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"
#include "common/numparse.h"

#define OPT(k) (1u << (k))
#define SCH(k) (1u << (k))
#define ALL_OPT ((1u << LRS_OPT_COUNT) - 1)
#define ALL_SCH ((1u << LRS_SCHED_COUNT) - 1)
#define OFF(f) offsetof(lrs_trial_cfg_t, f)
#define INF HUGE_VAL

static const char *const optimizer_names[] = {"sgd", "adam", "adamw", "rmsprop", "adagrad", NULL};
static const char *const scheduler_names[] = {
    "constant", "step", "multistep", "exponential", "cosine", "cosine_warm_restarts",
    "linear", "onecycle", "polynomial", "plateau", NULL};
static const char *const anneal_names[] = {"cos", "linear", NULL};
static const char *const mode_names[] = {"min", "max", NULL};
static const char *const threshold_mode_names[] = {"rel", "abs", NULL};

/* name, id, type, branch, applies, required, lo, hi, lo_open, hi_open, choices, offset, help */
static const lrs_param_info_t table[LRS_P_COUNT] = {
    {"lr", LRS_P_LR, LRS_PT_FLOAT, LRS_BR_GLOBAL, 0, 0, 0, INF, 1, 1, NULL, OFF(optim.lr),
     "initial learning rate (> 0)"},
    {"optimizer", LRS_P_OPTIMIZER, LRS_PT_CHOICE, LRS_BR_GLOBAL, 0, 0, 0, 0, 0, 0, optimizer_names,
     OFF(optim.kind), "sgd | adam | adamw | rmsprop | adagrad"},
    {"momentum", LRS_P_MOMENTUM, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, OPT(LRS_OPT_SGD) | OPT(LRS_OPT_RMSPROP),
     0, 0, INF, 0, 1, NULL, OFF(optim.momentum), "momentum factor (sgd, rmsprop; default 0)"},
    {"dampening", LRS_P_DAMPENING, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, OPT(LRS_OPT_SGD), 0, 0, INF, 0, 1,
     NULL, OFF(optim.dampening), "momentum dampening (sgd; default 0)"},
    {"nesterov", LRS_P_NESTEROV, LRS_PT_BOOL, LRS_BR_OPTIMIZER, OPT(LRS_OPT_SGD), 0, 0, 1, 0, 0, NULL,
     OFF(optim.nesterov), "Nesterov momentum (sgd; needs momentum > 0, dampening 0)"},
    {"weight_decay", LRS_P_WEIGHT_DECAY, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, ALL_OPT, 0, 0, INF, 0, 1, NULL,
     OFF(optim.weight_decay), "L2 penalty (decoupled for adamw; default 0, adamw 0.01)"},
    {"beta1", LRS_P_BETA1, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, OPT(LRS_OPT_ADAM) | OPT(LRS_OPT_ADAMW), 0, 0,
     1, 0, 1, NULL, OFF(optim.beta1), "first-moment decay (adam, adamw; default 0.9)"},
    {"beta2", LRS_P_BETA2, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, OPT(LRS_OPT_ADAM) | OPT(LRS_OPT_ADAMW), 0, 0,
     1, 0, 1, NULL, OFF(optim.beta2), "second-moment decay (adam, adamw; default 0.999)"},
    {"eps", LRS_P_EPS, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, ALL_OPT & ~OPT(LRS_OPT_SGD), 0, 0, INF, 0, 1, NULL,
     OFF(optim.eps), "denominator term (default 1e-8, adagrad 1e-10)"},
    {"alpha", LRS_P_ALPHA, LRS_PT_FLOAT, LRS_BR_OPTIMIZER, OPT(LRS_OPT_RMSPROP), 0, 0, 1, 0, 0, NULL,
     OFF(optim.alpha), "smoothing constant (rmsprop; default 0.99)"},
    {"centered", LRS_P_CENTERED, LRS_PT_BOOL, LRS_BR_OPTIMIZER, OPT(LRS_OPT_RMSPROP), 0, 0, 1, 0, 0, NULL,
     OFF(optim.centered), "centered RMSprop (default false)"},
    {"scheduler", LRS_P_SCHEDULER, LRS_PT_CHOICE, LRS_BR_GLOBAL, 0, 0, 0, 0, 0, 0, scheduler_names,
     OFF(sched.kind), "constant | step | multistep | exponential | cosine | cosine_warm_restarts | "
                      "linear | onecycle | polynomial | plateau"},
    {"step_size", LRS_P_STEP_SIZE, LRS_PT_INT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_STEP),
     SCH(LRS_SCHED_STEP), 1, LRS_MAX_EPOCHS, 0, 0, NULL, OFF(sched.step_size),
     "epochs per decay (step; required)"},
    {"gamma", LRS_P_GAMMA, LRS_PT_FLOAT, LRS_BR_SCHEDULER,
     SCH(LRS_SCHED_STEP) | SCH(LRS_SCHED_MULTISTEP) | SCH(LRS_SCHED_EXPONENTIAL),
     SCH(LRS_SCHED_EXPONENTIAL), 0, INF, 1, 1, NULL, OFF(sched.gamma),
     "decay factor (step, multistep: default 0.1; exponential: required)"},
    {"milestones", LRS_P_MILESTONES, LRS_PT_INT_LIST, LRS_BR_SCHEDULER, SCH(LRS_SCHED_MULTISTEP),
     SCH(LRS_SCHED_MULTISTEP), 1, LRS_MAX_EPOCHS, 0, 0, NULL, OFF(sched.milestones),
     "increasing epoch list, e.g. 30,60,80 (multistep; required)"},
    {"T_max", LRS_P_T_MAX, LRS_PT_INT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_COSINE), 0, 1, LRS_MAX_EPOCHS, 0,
     0, NULL, OFF(sched.T_max), "half-period in epochs (cosine; default: epochs)"},
    {"eta_min", LRS_P_ETA_MIN, LRS_PT_FLOAT, LRS_BR_SCHEDULER,
     SCH(LRS_SCHED_COSINE) | SCH(LRS_SCHED_COSINE_WARM_RESTARTS), 0, 0, INF, 0, 1, NULL,
     OFF(sched.eta_min), "minimum learning rate (cosine, cosine_warm_restarts; default 0)"},
    {"T_0", LRS_P_T_0, LRS_PT_INT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_COSINE_WARM_RESTARTS),
     SCH(LRS_SCHED_COSINE_WARM_RESTARTS), 1, LRS_MAX_EPOCHS, 0, 0, NULL, OFF(sched.T_0),
     "epochs until the first restart (cosine_warm_restarts; required)"},
    {"T_mult", LRS_P_T_MULT, LRS_PT_INT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_COSINE_WARM_RESTARTS), 0, 1,
     1000, 0, 0, NULL, OFF(sched.T_mult), "period growth factor (cosine_warm_restarts; default 1)"},
    {"start_factor", LRS_P_START_FACTOR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_LINEAR), 0, 0, 1,
     1, 0, NULL, OFF(sched.start_factor), "initial multiplier (linear; default 1/3)"},
    {"end_factor", LRS_P_END_FACTOR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_LINEAR), 0, 0, 1, 0,
     0, NULL, OFF(sched.end_factor), "final multiplier (linear; default 1)"},
    {"total_iters", LRS_P_TOTAL_ITERS, LRS_PT_INT, LRS_BR_SCHEDULER,
     SCH(LRS_SCHED_LINEAR) | SCH(LRS_SCHED_POLYNOMIAL), 0, 1, LRS_MAX_EPOCHS, 0, 0, NULL,
     OFF(sched.total_iters), "epochs of decay (linear, polynomial; default 5)"},
    {"max_lr", LRS_P_MAX_LR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_ONECYCLE), 0, 0, INF, 1, 1,
     NULL, OFF(sched.max_lr), "peak learning rate (onecycle; default: lr)"},
    {"pct_start", LRS_P_PCT_START, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_ONECYCLE), 0, 0, 1, 0, 0,
     NULL, OFF(sched.pct_start), "fraction of epochs rising (onecycle; default 0.3)"},
    {"anneal_strategy", LRS_P_ANNEAL_STRATEGY, LRS_PT_CHOICE, LRS_BR_SCHEDULER, SCH(LRS_SCHED_ONECYCLE),
     0, 0, 0, 0, 0, anneal_names, OFF(sched.anneal_strategy), "cos | linear (onecycle; default cos)"},
    {"div_factor", LRS_P_DIV_FACTOR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_ONECYCLE), 0, 0, INF,
     1, 1, NULL, OFF(sched.div_factor), "initial lr = max_lr/div_factor (onecycle; default 25)"},
    {"final_div_factor", LRS_P_FINAL_DIV_FACTOR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_ONECYCLE),
     0, 0, INF, 1, 1, NULL, OFF(sched.final_div_factor),
     "min lr = initial lr/final_div_factor (onecycle; default 1e4)"},
    {"power", LRS_P_POWER, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_POLYNOMIAL), 0, 0, INF, 0, 1,
     NULL, OFF(sched.power), "polynomial power (polynomial; default 1)"},
    {"mode", LRS_P_MODE, LRS_PT_CHOICE, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0, 0, 0, 0, 0,
     mode_names, OFF(sched.mode), "min | max (plateau; default min)"},
    {"factor", LRS_P_FACTOR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0, 0, 1, 1, 1, NULL,
     OFF(sched.factor), "lr multiplier on a plateau (plateau; default 0.1)"},
    {"patience", LRS_P_PATIENCE, LRS_PT_INT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0, 0,
     LRS_MAX_EPOCHS, 0, 0, NULL, OFF(sched.patience), "epochs without improvement (plateau; default 10)"},
    {"threshold", LRS_P_THRESHOLD, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0, 0, INF, 0,
     1, NULL, OFF(sched.threshold), "improvement threshold (plateau; default 1e-4)"},
    {"threshold_mode", LRS_P_THRESHOLD_MODE, LRS_PT_CHOICE, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0,
     0, 0, 0, 0, threshold_mode_names, OFF(sched.threshold_mode), "rel | abs (plateau; default rel)"},
    {"cooldown", LRS_P_COOLDOWN, LRS_PT_INT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0, 0,
     LRS_MAX_EPOCHS, 0, 0, NULL, OFF(sched.cooldown), "epochs to wait after a cut (plateau; default 0)"},
    {"min_lr", LRS_P_MIN_LR, LRS_PT_FLOAT, LRS_BR_SCHEDULER, SCH(LRS_SCHED_PLATEAU), 0, 0, INF, 0, 1,
     NULL, OFF(sched.min_lr), "lower bound on lr (plateau; default 0)"},
    {"warmup_epochs", LRS_P_WARMUP_EPOCHS, LRS_PT_INT, LRS_BR_GLOBAL, 0, 0, 0, LRS_MAX_EPOCHS, 0, 0,
     NULL, OFF(sched.warmup_epochs), "linear warm-up epochs before the scheduler (default 0)"},
    {"warmup_start_factor", LRS_P_WARMUP_START_FACTOR, LRS_PT_FLOAT, LRS_BR_GLOBAL, 0, 0, 0, 1, 1, 0,
     NULL, OFF(sched.warmup_start_factor), "warm-up's first multiplier (default 1/3)"},
    {"epochs", LRS_P_EPOCHS, LRS_PT_INT, LRS_BR_GLOBAL, 0, 0, 1, LRS_MAX_EPOCHS, 0, 0, NULL, OFF(epochs),
     "training epochs (default 100)"},
    {"batch_size", LRS_P_BATCH_SIZE, LRS_PT_INT, LRS_BR_GLOBAL, 0, 0, 0, 1e9, 0, 0, NULL,
     OFF(batch_size), "mini-batch rows; 0 = full batch (default 0)"},
};

const lrs_param_info_t *lrs_param_table(void)
{
    return table;
}

const lrs_param_info_t *lrs_param_find(const char *name)
{
    for (int i = 0; i < LRS_P_COUNT; i++)
        if (strcmp(table[i].name, name) == 0)
            return &table[i];
    return NULL;
}

static int index_of(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

const char *lrs_optimizer_name(lrs_optimizer_t kind)
{
    return (unsigned)kind < LRS_OPT_COUNT ? optimizer_names[kind] : "?";
}

const char *lrs_scheduler_name(lrs_scheduler_t kind)
{
    return (unsigned)kind < LRS_SCHED_COUNT ? scheduler_names[kind] : "?";
}

int lrs_optimizer_from_name(const char *name)
{
    return index_of(optimizer_names, name);
}

int lrs_scheduler_from_name(const char *name)
{
    return index_of(scheduler_names, name);
}

void lrs_trial_cfg_init(lrs_trial_cfg_t *cfg)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->optim.kind = LRS_OPT_SGD;
    cfg->optim.lr = 0.01;
    cfg->sched.kind = LRS_SCHED_CONSTANT;
    cfg->epochs = 100;
    cfg->batch_size = 0;
}

static int in_range(const lrs_param_info_t *p, double v)
{
    if (isnan(v))
        return 0;
    if (p->lo_open ? !(v > p->lo) : !(v >= p->lo))
        return 0;
    if (p->hi_open ? !(v < p->hi) : !(v <= p->hi))
        return 0;
    return 1;
}

static int range_error(const lrs_param_info_t *p, const char *text, lrs_err_t *err)
{
    char lo[32], hi[32];
    snprintf(lo, sizeof lo, "%.15g", p->lo);
    snprintf(hi, sizeof hi, "%.15g", p->hi);
    return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s is out of range: expected a value in %s%s, %s%s",
                       p->name, text, p->lo_open ? "(" : "[", lo, isinf(p->hi) ? "inf" : hi,
                       p->hi_open ? ")" : "]");
}

/* Parses into a local list first so a bad value leaves cfg untouched. */
static int set_milestones(lrs_trial_cfg_t *cfg, const lrs_param_info_t *p, const char *text,
                          lrs_err_t *err)
{
    int list[LRS_MAX_MILESTONES];
    int n = 0;
    const char *s = text;
    if (*s == '\0')
        return lrs_err_set(err, LRS_EXIT_USAGE, "milestones is empty: expected e.g. milestones=30,60,80");
    for (;;) {
        char item[32];
        size_t len = strcspn(s, ",");
        if (len == 0 || len >= sizeof item)
            return lrs_err_set(err, LRS_EXIT_USAGE, "milestones=%s: expected comma-separated integers",
                               text);
        memcpy(item, s, len);
        item[len] = '\0';
        long v;
        if (lrs_parse_long(item, &v) < 0)
            return lrs_err_set(err, LRS_EXIT_USAGE, "milestones=%s: '%s' is not an integer", text, item);
        if (!in_range(p, (double)v))
            return range_error(p, item, err);
        if (n > 0 && v <= list[n - 1])
            return lrs_err_set(err, LRS_EXIT_USAGE, "milestones=%s: must be strictly increasing", text);
        if (n == LRS_MAX_MILESTONES)
            return lrs_err_set(err, LRS_EXIT_USAGE, "milestones=%s: at most %d milestones", text,
                               LRS_MAX_MILESTONES);
        list[n++] = (int)v;
        s += len;
        if (*s == '\0')
            break;
        s++; /* the comma; an item must follow it (len == 0 above otherwise) */
    }
    memcpy(cfg->sched.milestones, list, (size_t)n * sizeof list[0]);
    cfg->sched.n_milestones = n;
    return 0;
}

static void store_number(lrs_trial_cfg_t *cfg, const lrs_param_info_t *p, double v)
{
    char *base = (char *)cfg + p->offset;
    if (p->type == LRS_PT_FLOAT) {
        memcpy(base, &v, sizeof v);
    } else {
        int iv = (int)v;
        memcpy(base, &iv, sizeof iv);
    }
    cfg->set_mask |= 1ull << p->id;
}

int lrs_trial_cfg_set(lrs_trial_cfg_t *cfg, const char *name, const char *text, lrs_err_t *err)
{
    const lrs_param_info_t *p = lrs_param_find(name);
    if (!p)
        return lrs_err_set(err, LRS_EXIT_USAGE, "unknown parameter '%s' (see 'lrsweep params')",
                           name);
    double v;
    long iv;
    switch (p->type) {
    case LRS_PT_FLOAT:
        if (lrs_parse_double(text, &v) < 0)
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s: expected a number", name, text);
        if (!in_range(p, v))
            return range_error(p, text, err);
        store_number(cfg, p, v);
        return 0;
    case LRS_PT_INT:
        if (lrs_parse_long(text, &iv) < 0)
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s: expected an integer", name, text);
        if (!in_range(p, (double)iv))
            return range_error(p, text, err);
        store_number(cfg, p, (double)iv);
        return 0;
    case LRS_PT_BOOL:
        if (strcmp(text, "true") == 0)
            store_number(cfg, p, 1);
        else if (strcmp(text, "false") == 0)
            store_number(cfg, p, 0);
        else
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s: expected true or false", name, text);
        return 0;
    case LRS_PT_CHOICE: {
        int k = index_of(p->choices, text);
        if (k < 0) {
            char list[256] = "";
            for (int i = 0; p->choices[i]; i++) {
                size_t used = strlen(list);
                snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", p->choices[i]);
            }
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s: expected one of %s", name, text, list);
        }
        store_number(cfg, p, k);
        return 0;
    }
    case LRS_PT_INT_LIST:
        if (set_milestones(cfg, p, text, err) < 0)
            return -1;
        cfg->set_mask |= 1ull << p->id;
        return 0;
    }
    return lrs_err_set(err, LRS_EXIT_USAGE, "%s: unsupported parameter type", name);
}

int lrs_trial_cfg_set_number(lrs_trial_cfg_t *cfg, const char *name, double value, lrs_err_t *err)
{
    const lrs_param_info_t *p = lrs_param_find(name);
    if (!p)
        return lrs_err_set(err, LRS_EXIT_USAGE, "unknown parameter '%s'", name);
    char text[64];
    lrs_fmt_number(value, text, sizeof text);
    switch (p->type) {
    case LRS_PT_FLOAT:
        if (!in_range(p, value))
            return range_error(p, text, err);
        break;
    case LRS_PT_INT:
    case LRS_PT_BOOL:
    case LRS_PT_CHOICE: {
        if (value != floor(value))
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s: expected an integer", name, text);
        double hi = p->hi;
        if (p->type == LRS_PT_BOOL)
            hi = 1;
        if (p->type == LRS_PT_CHOICE) {
            int n = 0;
            while (p->choices[n])
                n++;
            hi = n - 1;
        }
        double lo = p->type == LRS_PT_INT ? p->lo : 0;
        if (!(value >= lo && value <= hi))
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s=%s is out of range", name, text);
        break;
    }
    case LRS_PT_INT_LIST:
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s takes a list, not a number", name);
    }
    store_number(cfg, p, value);
    return 0;
}

int lrs_trial_cfg_assign(lrs_trial_cfg_t *cfg, const char *word, lrs_err_t *err)
{
    const char *eq = strchr(word, '=');
    if (!eq || eq == word)
        return lrs_err_set(err, LRS_EXIT_USAGE, "'%s': expected PARAM=VALUE", word);
    char name[64];
    size_t len = (size_t)(eq - word);
    if (len >= sizeof name)
        return lrs_err_set(err, LRS_EXIT_USAGE, "'%.60s...': parameter name too long", word);
    memcpy(name, word, len);
    name[len] = '\0';
    return lrs_trial_cfg_set(cfg, name, eq + 1, err);
}

int lrs_param_active(const lrs_param_info_t *p, const lrs_trial_cfg_t *cfg)
{
    switch (p->branch) {
    case LRS_BR_GLOBAL:
        return 1;
    case LRS_BR_OPTIMIZER:
        return (p->applies >> cfg->optim.kind) & 1u;
    case LRS_BR_SCHEDULER:
        return (p->applies >> cfg->sched.kind) & 1u;
    }
    return 0;
}

static int given(const lrs_trial_cfg_t *cfg, lrs_param_id_t id)
{
    return (int)((cfg->set_mask >> id) & 1u);
}

static void fill_optimizer_defaults(lrs_trial_cfg_t *cfg)
{
    lrs_optim_cfg_t *o = &cfg->optim;
    if (!given(cfg, LRS_P_MOMENTUM))
        o->momentum = 0.0;
    if (!given(cfg, LRS_P_DAMPENING))
        o->dampening = 0.0;
    if (!given(cfg, LRS_P_WEIGHT_DECAY))
        o->weight_decay = o->kind == LRS_OPT_ADAMW ? 1e-2 : 0.0;
    if (!given(cfg, LRS_P_BETA1))
        o->beta1 = 0.9;
    if (!given(cfg, LRS_P_BETA2))
        o->beta2 = 0.999;
    if (!given(cfg, LRS_P_EPS))
        o->eps = o->kind == LRS_OPT_ADAGRAD ? 1e-10 : 1e-8;
    if (!given(cfg, LRS_P_ALPHA))
        o->alpha = 0.99;
}

static void fill_scheduler_defaults(lrs_trial_cfg_t *cfg)
{
    lrs_sched_cfg_t *s = &cfg->sched;
    if (!given(cfg, LRS_P_GAMMA))
        s->gamma = 0.1;
    if (!given(cfg, LRS_P_T_MAX))
        s->T_max = cfg->epochs;
    if (!given(cfg, LRS_P_T_MULT))
        s->T_mult = 1;
    if (!given(cfg, LRS_P_START_FACTOR))
        s->start_factor = 1.0 / 3.0;
    if (!given(cfg, LRS_P_END_FACTOR))
        s->end_factor = 1.0;
    if (!given(cfg, LRS_P_TOTAL_ITERS))
        s->total_iters = 5;
    if (!given(cfg, LRS_P_MAX_LR))
        s->max_lr = cfg->optim.lr;
    if (!given(cfg, LRS_P_PCT_START))
        s->pct_start = 0.3;
    if (!given(cfg, LRS_P_DIV_FACTOR))
        s->div_factor = 25.0;
    if (!given(cfg, LRS_P_FINAL_DIV_FACTOR))
        s->final_div_factor = 1e4;
    if (!given(cfg, LRS_P_POWER))
        s->power = 1.0;
    if (!given(cfg, LRS_P_FACTOR))
        s->factor = 0.1;
    if (!given(cfg, LRS_P_PATIENCE))
        s->patience = 10;
    if (!given(cfg, LRS_P_THRESHOLD))
        s->threshold = 1e-4;
    if (!given(cfg, LRS_P_WARMUP_START_FACTOR))
        s->warmup_start_factor = 1.0 / 3.0;
}

int lrs_trial_cfg_finalize(lrs_trial_cfg_t *cfg, lrs_err_t *err)
{
    for (int i = 0; i < LRS_P_COUNT; i++) {
        const lrs_param_info_t *p = &table[i];
        int active = lrs_param_active(p, cfg);
        if (given(cfg, p->id) && !active)
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s does not apply to %s %s", p->name,
                               p->branch == LRS_BR_OPTIMIZER ? "optimizer" : "scheduler",
                               p->branch == LRS_BR_OPTIMIZER ? lrs_optimizer_name(cfg->optim.kind)
                                                             : lrs_scheduler_name(cfg->sched.kind));
        if (active && ((p->required >> cfg->sched.kind) & 1u) && !given(cfg, p->id))
            return lrs_err_set(err, LRS_EXIT_USAGE, "scheduler %s requires %s",
                               lrs_scheduler_name(cfg->sched.kind), p->name);
    }
    fill_optimizer_defaults(cfg);
    fill_scheduler_defaults(cfg);
    const lrs_optim_cfg_t *o = &cfg->optim;
    if (o->nesterov && (o->momentum <= 0.0 || o->dampening != 0.0))
        return lrs_err_set(err, LRS_EXIT_USAGE, "nesterov=true requires momentum > 0 and dampening 0");
    if (cfg->sched.warmup_epochs > 0 && cfg->sched.kind == LRS_SCHED_PLATEAU)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "warmup_epochs does not combine with scheduler plateau "
                           "(SequentialLR cannot chain ReduceLROnPlateau)");
    if (cfg->sched.warmup_epochs >= cfg->epochs && cfg->sched.warmup_epochs > 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "warmup_epochs=%d must be less than epochs=%d",
                           cfg->sched.warmup_epochs, cfg->epochs);
    return 0;
}

int lrs_trial_cfg_format(const lrs_trial_cfg_t *cfg, lrs_param_id_t id, char *buf, size_t size)
{
    if ((unsigned)id >= LRS_P_COUNT)
        return snprintf(buf, size, "?");
    const lrs_param_info_t *p = &table[id];
    const char *base = (const char *)cfg + p->offset;
    double d;
    int iv;
    switch (p->type) {
    case LRS_PT_FLOAT:
        memcpy(&d, base, sizeof d);
        char num[48];
        lrs_fmt_number(d, num, sizeof num);
        return snprintf(buf, size, "%s", num);
    case LRS_PT_INT:
        memcpy(&iv, base, sizeof iv);
        return snprintf(buf, size, "%d", iv);
    case LRS_PT_BOOL:
        memcpy(&iv, base, sizeof iv);
        return snprintf(buf, size, "%s", iv ? "true" : "false");
    case LRS_PT_CHOICE:
        memcpy(&iv, base, sizeof iv);
        return snprintf(buf, size, "%s", p->choices[iv]);
    case LRS_PT_INT_LIST: {
        int n = 0;
        if (size)
            buf[0] = '\0';
        for (int i = 0; i < cfg->sched.n_milestones; i++)
            n += snprintf(buf + (n < (int)size ? n : (int)size), (size_t)n < size ? size - (size_t)n : 0,
                          "%s%d", i ? "," : "", cfg->sched.milestones[i]);
        return n;
    }
    }
    return snprintf(buf, size, "?");
}

/* ---- JSON of a config ------------------------------------------------ */

static int format_int(long long v, char *buf)
{
    char d[24];
    int n = 0, len = 0;
    unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v : (unsigned long long)v;
    do {
        d[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        buf[len++] = '-';
    while (n)
        buf[len++] = d[--n];
    buf[len] = '\0';
    return len;
}

/* Appends s (len bytes) at *pos if it fits, always advancing *pos. */
static void put(char *buf, size_t size, size_t *pos, const char *s, size_t len)
{
    if (*pos + len < size)
        memcpy(buf + *pos, s, len);
    *pos += len;
}

/* s as a JSON string: quotes, backslashes and control characters escaped. */
static void put_json_string(char *buf, size_t size, size_t *pos, const char *s)
{
    put(buf, size, pos, "\"", 1);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        char esc[8];
        if (ch == '"' || ch == '\\') {
            esc[0] = '\\';
            esc[1] = (char)ch;
            put(buf, size, pos, esc, 2);
        } else if (ch < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", ch);
            put(buf, size, pos, esc, 6);
        } else {
            put(buf, size, pos, s, 1);
        }
    }
    put(buf, size, pos, "\"", 1);
}

int lrs_user_value_format(const lrs_user_value_t *v, char *buf, size_t size)
{
    char num[48];
    switch (v->param->type) {
    case LRS_PT_FLOAT:
        lrs_fmt_number(v->number, num, sizeof num);
        return snprintf(buf, size, "%s", num);
    case LRS_PT_BOOL:
        return snprintf(buf, size, "%s", v->number != 0 ? "true" : "false");
    case LRS_PT_CHOICE:
        return snprintf(buf, size, "%s", v->param->choices[(int)v->number]);
    case LRS_PT_INT:
    case LRS_PT_INT_LIST:
        break;
    }
    return snprintf(buf, size, "%lld", (long long)v->number);
}

/* A user value as JSON: a float keeps a '.' or an exponent (1 → 1.0) so
 * that a reader sees a float; a string is quoted. */
static void user_value_json(const lrs_user_value_t *v, char *buf, size_t size, size_t *pos)
{
    char text[1024];
    lrs_user_value_format(v, text, sizeof text);
    if (v->param->type == LRS_PT_CHOICE) {
        put_json_string(buf, size, pos, text);
        return;
    }
    put(buf, size, pos, text, strlen(text));
    if (v->param->type == LRS_PT_FLOAT && !strpbrk(text, ".eEnN"))
        put(buf, size, pos, ".0", 2);
}

int lrs_trial_cfg_user_slot(const lrs_trial_cfg_t *cfg, const char *name)
{
    for (int i = 0; i < cfg->n_user_names; i++)
        if (strcmp(cfg->user_names[i], name) == 0)
            return i;
    return -1;
}

int lrs_trial_cfg_json(const lrs_trial_cfg_t *cfg, char *buf, size_t size)
{
    size_t pos = 0;
    char num[48];
    int first = 1;
    put(buf, size, &pos, "{", 1);
    uint64_t mask = cfg->set_mask & ((1ULL << LRS_P_COUNT) - 1);
    for (; mask; mask &= mask - 1) {
        const lrs_param_info_t *p = &table[__builtin_ctzll(mask)];
        const char *field = (const char *)cfg + p->offset;
        if (!first)
            put(buf, size, &pos, ", ", 2);
        first = 0;
        put(buf, size, &pos, "\"", 1);
        put(buf, size, &pos, p->name, strlen(p->name));
        put(buf, size, &pos, "\": ", 3);
        double d;
        int iv;
        switch (p->type) {
        case LRS_PT_FLOAT:
            memcpy(&d, field, sizeof d);
            put(buf, size, &pos, num, (size_t)lrs_fmt_number(d, num, sizeof num));
            break;
        case LRS_PT_INT:
            memcpy(&iv, field, sizeof iv);
            put(buf, size, &pos, num, (size_t)format_int(iv, num));
            break;
        case LRS_PT_BOOL:
            memcpy(&iv, field, sizeof iv);
            put(buf, size, &pos, iv ? "true" : "false", iv ? 4 : 5);
            break;
        case LRS_PT_CHOICE:
            memcpy(&iv, field, sizeof iv);
            put(buf, size, &pos, "\"", 1);
            put(buf, size, &pos, p->choices[iv], strlen(p->choices[iv]));
            put(buf, size, &pos, "\"", 1);
            break;
        case LRS_PT_INT_LIST:
            put(buf, size, &pos, "[", 1);
            for (int i = 0; i < cfg->sched.n_milestones; i++) {
                if (i)
                    put(buf, size, &pos, ", ", 2);
                put(buf, size, &pos, num, (size_t)format_int(cfg->sched.milestones[i], num));
            }
            put(buf, size, &pos, "]", 1);
            break;
        }
    }
    for (int i = 0; i < LRS_MAX_USER_PARAMS; i++) {
        if (!((cfg->user_mask >> i) & 1u))
            continue;
        const lrs_user_value_t *v = &cfg->user[i];
        if (!first)
            put(buf, size, &pos, ", ", 2);
        first = 0;
        put_json_string(buf, size, &pos, v->param->name);
        put(buf, size, &pos, ": ", 2);
        user_value_json(v, buf, size, &pos);
    }
    put(buf, size, &pos, "}", 1);
    if (pos >= size)
        return -1;
    buf[pos] = '\0';
    return (int)pos;
}
