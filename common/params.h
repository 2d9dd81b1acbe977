/* params.h — the trial parameter model shared by the engine, the spec and
 * the wire protocol.
 *
 * A trial is configured by `name=value` words whose names are PyTorch's
 * (DESIGN.md).  One table (lrs_param_table) says, for every name, its type,
 * its valid range, and which optimizer or scheduler it belongs to; the CLI,
 * the YAML spec validator and the network decoder all check values through
 * it, so the three can never disagree.  Values land in a plain struct that
 * the numeric code reads directly.
 *
 * Life of a config: lrs_trial_cfg_init (defaults: sgd, constant, lr 0.01,
 * 100 epochs, full batch) → lrs_trial_cfg_set per word → lrs_trial_cfg_finalize
 * (fills each chosen optimizer's / scheduler's own PyTorch defaults, refuses
 * parameters of other branches and missing required ones).
 */
#ifndef LRS_PARAMS_H
#define LRS_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

typedef enum {
    LRS_OPT_SGD, LRS_OPT_ADAM, LRS_OPT_ADAMW, LRS_OPT_RMSPROP, LRS_OPT_ADAGRAD,
    LRS_OPT_COUNT
} lrs_optimizer_t;

typedef enum {
    LRS_SCHED_CONSTANT, LRS_SCHED_STEP, LRS_SCHED_MULTISTEP, LRS_SCHED_EXPONENTIAL,
    LRS_SCHED_COSINE, LRS_SCHED_COSINE_WARM_RESTARTS, LRS_SCHED_LINEAR,
    LRS_SCHED_ONECYCLE, LRS_SCHED_POLYNOMIAL, LRS_SCHED_PLATEAU,
    LRS_SCHED_COUNT
} lrs_scheduler_t;

/* Parameter ids: bit i of lrs_trial_cfg.set_mask says parameter i was given. */
typedef enum {
    LRS_P_LR, LRS_P_OPTIMIZER, LRS_P_MOMENTUM, LRS_P_DAMPENING, LRS_P_NESTEROV,
    LRS_P_WEIGHT_DECAY, LRS_P_BETA1, LRS_P_BETA2, LRS_P_EPS, LRS_P_ALPHA,
    LRS_P_CENTERED, LRS_P_SCHEDULER, LRS_P_STEP_SIZE, LRS_P_GAMMA,
    LRS_P_MILESTONES, LRS_P_T_MAX, LRS_P_ETA_MIN, LRS_P_T_0, LRS_P_T_MULT,
    LRS_P_START_FACTOR, LRS_P_END_FACTOR, LRS_P_TOTAL_ITERS, LRS_P_MAX_LR,
    LRS_P_PCT_START, LRS_P_ANNEAL_STRATEGY, LRS_P_DIV_FACTOR,
    LRS_P_FINAL_DIV_FACTOR, LRS_P_POWER, LRS_P_MODE, LRS_P_FACTOR,
    LRS_P_PATIENCE, LRS_P_THRESHOLD, LRS_P_THRESHOLD_MODE, LRS_P_COOLDOWN,
    LRS_P_MIN_LR, LRS_P_WARMUP_EPOCHS, LRS_P_WARMUP_START_FACTOR,
    LRS_P_EPOCHS, LRS_P_BATCH_SIZE,
    LRS_P_COUNT,
    /* A command sweep's user parameter (the script's own name): not in the
     * table and no set_mask bit; its entry is the spec's, its value lives in
     * lrs_trial_cfg.user[entry->offset]. */
    LRS_P_USER = LRS_P_COUNT
} lrs_param_id_t;

typedef enum {
    LRS_PT_FLOAT,     /* double */
    LRS_PT_INT,       /* int */
    LRS_PT_BOOL,      /* int 0/1; text true/false */
    LRS_PT_CHOICE,    /* int index into choices[] */
    LRS_PT_INT_LIST   /* milestones: comma-separated ints, strictly increasing */
} lrs_param_type_t;

/* Which branch a parameter belongs to. */
typedef enum { LRS_BR_GLOBAL, LRS_BR_OPTIMIZER, LRS_BR_SCHEDULER } lrs_branch_t;

#define LRS_MAX_MILESTONES 64
#define LRS_MAX_EPOCHS 10000000

typedef struct lrs_param_info {
    const char *name;
    lrs_param_id_t id;
    lrs_param_type_t type;
    lrs_branch_t branch;
    unsigned applies;            /* bit per optimizer / scheduler kind it belongs to */
    unsigned required;           /* bit per scheduler kind where it must be given */
    double lo, hi;               /* valid range */
    int lo_open, hi_open;        /* 1: that bound is exclusive */
    const char *const *choices;  /* NULL-terminated, for LRS_PT_CHOICE */
    size_t offset;               /* where the value lives in lrs_trial_cfg_t; LRS_P_USER: its slot */
    const char *help;            /* one line, for --help and docs */
} lrs_param_info_t;

typedef struct lrs_optim_cfg {
    lrs_optimizer_t kind;
    double lr;
    double momentum, dampening;   /* sgd (momentum also rmsprop) */
    int nesterov;                 /* sgd */
    double weight_decay;          /* all; adamw's is decoupled */
    double beta1, beta2;          /* adam, adamw */
    double eps;                   /* adam, adamw, rmsprop, adagrad */
    double alpha;                 /* rmsprop */
    int centered;                 /* rmsprop */
} lrs_optim_cfg_t;

typedef struct lrs_sched_cfg {
    lrs_scheduler_t kind;
    int step_size;                        /* step */
    double gamma;                         /* step, multistep, exponential */
    int milestones[LRS_MAX_MILESTONES];   /* multistep */
    int n_milestones;
    int T_max;                            /* cosine; default: epochs */
    double eta_min;                       /* cosine, cosine_warm_restarts */
    int T_0, T_mult;                      /* cosine_warm_restarts */
    double start_factor, end_factor;      /* linear */
    int total_iters;                      /* linear, polynomial */
    double max_lr;                        /* onecycle; default: lr */
    double pct_start;                     /* onecycle */
    int anneal_strategy;                  /* onecycle: 0 cos, 1 linear */
    double div_factor, final_div_factor;  /* onecycle */
    double power;                         /* polynomial */
    int mode;                             /* plateau: 0 min, 1 max */
    double factor;                        /* plateau */
    int patience;                         /* plateau */
    double threshold;                     /* plateau */
    int threshold_mode;                   /* plateau: 0 rel, 1 abs */
    int cooldown;                         /* plateau */
    double min_lr;                        /* plateau */
    int warmup_epochs;                    /* any scheduler: SequentialLR([LinearLR, main]) */
    double warmup_start_factor;
} lrs_sched_cfg_t;

#define LRS_MAX_USER_PARAMS 64

/* One user parameter's value in a trial. */
typedef struct lrs_user_value {
    const lrs_param_info_t *param;   /* the spec's entry (name, type, choices): borrowed */
    double number;                   /* float, int, bool 0/1, or index into param->choices */
} lrs_user_value_t;

typedef struct lrs_trial_cfg {
    lrs_optim_cfg_t optim;
    lrs_sched_cfg_t sched;
    int epochs;
    int batch_size;       /* 0: full batch */
    uint64_t set_mask;    /* bit LRS_P_x: given explicitly */
    /* User parameters: the space's names (the spec's, sorted; slot i is
     * user_names[i]) and the values of the slots this trial takes. */
    const char *const *user_names;
    int n_user_names;
    uint64_t user_mask;   /* bit i: user[i] holds a value */
    lrs_user_value_t user[LRS_MAX_USER_PARAMS];
} lrs_trial_cfg_t;

/* The table, LRS_P_COUNT entries in id order. */
const lrs_param_info_t *lrs_param_table(void);

/* Entry for name, or NULL when no parameter has that name. */
const lrs_param_info_t *lrs_param_find(const char *name);

/* Names of optimizers / schedulers (PyTorch-style, lower case). */
const char *lrs_optimizer_name(lrs_optimizer_t kind);
const char *lrs_scheduler_name(lrs_scheduler_t kind);
/* Kind for a name, or -1. */
int lrs_optimizer_from_name(const char *name);
int lrs_scheduler_from_name(const char *name);

/* Defaults before any word: sgd, lr 0.01, constant, 100 epochs, full batch. */
void lrs_trial_cfg_init(lrs_trial_cfg_t *cfg);

/* Parses text as the value of parameter name and stores it.  Errors (usage):
 * unknown name, unparsable value, value out of range, bad choice. */
int lrs_trial_cfg_set(lrs_trial_cfg_t *cfg, const char *name, const char *text, lrs_err_t *err);

/* Sets a numeric value directly (ints/bools/choices given as their number;
 * not for milestones).  Same checks as lrs_trial_cfg_set. */
int lrs_trial_cfg_set_number(lrs_trial_cfg_t *cfg, const char *name, double value, lrs_err_t *err);

/* Parses one "name=value" word. */
int lrs_trial_cfg_assign(lrs_trial_cfg_t *cfg, const char *word, lrs_err_t *err);

/* Fills the chosen optimizer's and scheduler's defaults (torch.optim's) for
 * every parameter not given, and refuses: parameters that belong to another
 * optimizer/scheduler, missing required ones, inconsistent ones. */
int lrs_trial_cfg_finalize(lrs_trial_cfg_t *cfg, lrs_err_t *err);

/* Whether parameter info applies under the cfg's chosen optimizer/scheduler. */
int lrs_param_active(const lrs_param_info_t *info, const lrs_trial_cfg_t *cfg);

/* Writes the value of parameter id in cfg as text (choices by name, bools as
 * true/false, floats as lrs_fmt_number writes them, milestones
 * comma-separated).  Returns the length snprintf would have written. */
int lrs_trial_cfg_format(const lrs_trial_cfg_t *cfg, lrs_param_id_t id, char *buf, size_t size);

/* Writes cfg's parameters named in cfg->set_mask as one JSON object
 * {"lr": 0.01, "optimizer": "sgd", …} in parameter-table order, numbers by
 * lrs_fmt_number, then the user values in slot order (a float always with a
 * '.' or an exponent, so readers see its type; strings JSON-escaped): the
 * one JSON form of a config (`sample`, the database's params column,
 * LRSWEEP_PARAMS).  Returns the length written (excluding
 * the NUL), or -1 when size is too small. */
int lrs_trial_cfg_json(const lrs_trial_cfg_t *cfg, char *buf, size_t size);

/* Slot of user parameter name in cfg->user_names, or -1. */
int lrs_trial_cfg_user_slot(const lrs_trial_cfg_t *cfg, const char *name);

/* Writes a user value as text: floats as lrs_fmt_number writes them, ints,
 * true/false, a string as written.  Returns what snprintf returns. */
int lrs_user_value_format(const lrs_user_value_t *v, char *buf, size_t size);

#endif
