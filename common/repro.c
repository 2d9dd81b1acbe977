/* repro.c — the train line and the PyTorch lines of a config (see repro.h).
 * One walk over the parameter table decides which words and which keyword
 * arguments a config has; the class names are the one table below. */
#include "common/repro.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* torch.optim classes, by lrs_optimizer_t. */
static const char *const optim_class[LRS_OPT_COUNT] = {"SGD", "Adam", "AdamW", "RMSprop",
                                                       "Adagrad"};
/* torch.optim.lr_scheduler classes, by lrs_scheduler_t. */
static const char *const sched_class[LRS_SCHED_COUNT] = {
    "LambdaLR", "StepLR", "MultiStepLR", "ExponentialLR", "CosineAnnealingLR",
    "CosineAnnealingWarmRestarts", "LinearLR", "OneCycleLR", "PolynomialLR",
    "ReduceLROnPlateau"};

static int given(const lrs_trial_cfg_t *cfg, lrs_param_id_t id)
{
    return (cfg->set_mask >> id) & 1;
}

/* Appends s, single-quoted when the shell would read it otherwise. */
static int add_word(lrs_strbuf_t *out, const char *s)
{
    int plain = *s != '\0';
    for (const char *p = s; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.,=:/+-@%",
                    *p))
            plain = 0;
    return plain ? lrs_sb_adds(out, s) : lrs_sb_add_quoted(out, s);
}

int lrs_repro_train_line(const lrs_trial_cfg_t *cfg, const char *spec_path, uint64_t seed,
                         lrs_strbuf_t *out)
{
    char buf[1024], seed_text[32];
    snprintf(seed_text, sizeof seed_text, "%" PRIu64, seed);
    if (lrs_sb_adds(out, "lrsweep train --spec ") < 0 || add_word(out, spec_path) < 0 ||
        lrs_sb_adds(out, " --seed ") < 0 || lrs_sb_adds(out, seed_text) < 0)
        return -1;
    const lrs_param_info_t *table = lrs_param_table();
    for (int id = 0; id < LRS_P_COUNT; id++) {
        if (!given(cfg, (lrs_param_id_t)id))
            continue;
        int n = snprintf(buf, sizeof buf, "%s=", table[id].name);
        lrs_trial_cfg_format(cfg, (lrs_param_id_t)id, buf + n, sizeof buf - (size_t)n);
        if (lrs_sb_adds(out, " ") < 0 || add_word(out, buf) < 0)
            return -1;
    }
    for (int i = 0; i < cfg->n_user_names && i < LRS_MAX_USER_PARAMS; i++) {
        if (!((cfg->user_mask >> i) & 1))
            continue;
        int n = snprintf(buf, sizeof buf, "%s=", cfg->user_names[i]);
        lrs_user_value_format(&cfg->user[i], buf + n, sizeof buf - (size_t)n);
        if (lrs_sb_adds(out, " ") < 0 || add_word(out, buf) < 0)
            return -1;
    }
    return 0;
}

/* Appends ", name=value" for parameter info's value in cfg, as Python. */
static int add_kwarg(lrs_strbuf_t *out, const lrs_trial_cfg_t *cfg, const lrs_param_info_t *info)
{
    char value[768], arg[1024];
    lrs_trial_cfg_format(cfg, info->id, value, sizeof value);
    if (info->type == LRS_PT_BOOL)
        snprintf(arg, sizeof arg, ", %s=%s", info->name, value[0] == 't' ? "True" : "False");
    else if (info->type == LRS_PT_CHOICE)
        snprintf(arg, sizeof arg, ", %s='%s'", info->name, value);
    else if (info->type == LRS_PT_INT_LIST)
        snprintf(arg, sizeof arg, ", %s=[%s]", info->name, value);
    else
        snprintf(arg, sizeof arg, ", %s=%s", info->name, value);
    return lrs_sb_adds(out, arg);
}

/* Appends ", name=value" for every given parameter of branch that the
 * chosen optimizer or scheduler takes, but skip (may be LRS_P_COUNT). */
static int add_branch(lrs_strbuf_t *out, const lrs_trial_cfg_t *cfg, lrs_branch_t branch,
                      lrs_param_id_t skip1, lrs_param_id_t skip2)
{
    const lrs_param_info_t *table = lrs_param_table();
    for (int id = 0; id < LRS_P_COUNT; id++) {
        const lrs_param_info_t *info = &table[id];
        if (info->branch != branch || !given(cfg, info->id) || info->id == skip1 ||
            info->id == skip2 || !lrs_param_active(info, cfg))
            continue;
        if (add_kwarg(out, cfg, info) < 0)
            return -1;
    }
    return 0;
}

static int add_optimizer(lrs_strbuf_t *out, const lrs_trial_cfg_t *cfg)
{
    char buf[256], lr[64];
    if (!given(cfg, LRS_P_LR) && !given(cfg, LRS_P_OPTIMIZER))
        return lrs_sb_adds(out, "# no optimizer parameter was searched: the script's own\n"
                                "# optimizer and learning rate\n");
    lrs_trial_cfg_format(cfg, LRS_P_LR, lr, sizeof lr);
    snprintf(buf, sizeof buf, "opt = torch.optim.%s(params, lr=%s", optim_class[cfg->optim.kind], lr);
    if (lrs_sb_adds(out, buf) < 0)
        return -1;
    if (given(cfg, LRS_P_BETA1) || given(cfg, LRS_P_BETA2)) {
        char b1[64], b2[64];
        lrs_trial_cfg_format(cfg, LRS_P_BETA1, b1, sizeof b1);
        lrs_trial_cfg_format(cfg, LRS_P_BETA2, b2, sizeof b2);
        snprintf(buf, sizeof buf, ", betas=(%s, %s)", b1, b2);
        if (lrs_sb_adds(out, buf) < 0)
            return -1;
    }
    if (add_branch(out, cfg, LRS_BR_OPTIMIZER, LRS_P_BETA1, LRS_P_BETA2) < 0)
        return -1;
    return lrs_sb_adds(out, ")\n");
}

/* `NAME = torch.optim.lr_scheduler.Y(opt, ...)` for the main scheduler. */
static int add_main_scheduler(lrs_strbuf_t *out, const lrs_trial_cfg_t *cfg, const char *name)
{
    char buf[256], v[64];
    lrs_scheduler_t kind = cfg->sched.kind;
    snprintf(buf, sizeof buf, "%s = torch.optim.lr_scheduler.%s(opt", name, sched_class[kind]);
    if (lrs_sb_adds(out, buf) < 0)
        return -1;
    if (kind == LRS_SCHED_CONSTANT)
        return lrs_sb_adds(out, ", lambda epoch: 1.0)\n");
    if (kind == LRS_SCHED_COSINE && !given(cfg, LRS_P_T_MAX)) {
        snprintf(buf, sizeof buf, ", T_max=%d", cfg->epochs);
        if (lrs_sb_adds(out, buf) < 0)
            return -1;
    }
    if (kind == LRS_SCHED_ONECYCLE) {
        if (!given(cfg, LRS_P_MAX_LR)) {
            lrs_trial_cfg_format(cfg, LRS_P_LR, v, sizeof v);
            snprintf(buf, sizeof buf, ", max_lr=%s", v);
            if (lrs_sb_adds(out, buf) < 0)
                return -1;
        }
        snprintf(buf, sizeof buf, ", total_steps=%d, three_phase=False", cfg->epochs);
        if (lrs_sb_adds(out, buf) < 0)
            return -1;
    }
    if (add_branch(out, cfg, LRS_BR_SCHEDULER, LRS_P_COUNT, LRS_P_COUNT) < 0)
        return -1;
    return lrs_sb_adds(out, ")\n");
}

static int add_scheduler(lrs_strbuf_t *out, const lrs_trial_cfg_t *cfg)
{
    char buf[512], f[64];
    int warm = cfg->sched.warmup_epochs;
    if (warm <= 0)
        return add_main_scheduler(out, cfg, "sched");
    lrs_trial_cfg_format(cfg, LRS_P_WARMUP_START_FACTOR, f, sizeof f);
    snprintf(buf, sizeof buf,
             "warm = torch.optim.lr_scheduler.LinearLR(opt, start_factor=%s, end_factor=1.0, "
             "total_iters=%d)\n",
             f, warm);
    if (lrs_sb_adds(out, buf) < 0 || add_main_scheduler(out, cfg, "main") < 0)
        return -1;
    snprintf(buf, sizeof buf,
             "sched = torch.optim.lr_scheduler.SequentialLR(opt, [warm, main], milestones=[%d])\n",
             warm);
    return lrs_sb_adds(out, buf);
}

int lrs_repro_torch(const lrs_trial_cfg_t *cfg, lrs_strbuf_t *out)
{
    char buf[1024];
    if (add_optimizer(out, cfg) < 0)
        return -1;
    if (given(cfg, LRS_P_SCHEDULER) && add_scheduler(out, cfg) < 0)
        return -1;
    if (cfg->batch_size > 0)
        snprintf(buf, sizeof buf, "# %d epochs, batch_size %d; ", cfg->epochs, cfg->batch_size);
    else
        snprintf(buf, sizeof buf, "# %d epochs, full batch; ", cfg->epochs);
    if (lrs_sb_adds(out, buf) < 0)
        return -1;
    if (given(cfg, LRS_P_SCHEDULER) &&
        lrs_sb_adds(out, cfg->sched.kind == LRS_SCHED_PLATEAU
                             ? "sched.step(val_loss) after each epoch\n"
                             : "sched.step() after each epoch\n") < 0)
        return -1;
    if (!given(cfg, LRS_P_SCHEDULER) && lrs_sb_adds(out, "no scheduler searched\n") < 0)
        return -1;
    for (int i = 0; i < cfg->n_user_names && i < LRS_MAX_USER_PARAMS; i++) {
        if (!((cfg->user_mask >> i) & 1))
            continue;
        char v[768];
        lrs_user_value_format(&cfg->user[i], v, sizeof v);
        snprintf(buf, sizeof buf, "# the script's own %s = %s\n", cfg->user_names[i], v);
        if (lrs_sb_adds(out, buf) < 0)
            return -1;
    }
    return 0;
}
