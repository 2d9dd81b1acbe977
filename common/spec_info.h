/* spec_info.h — the plain view of a loaded spec's settings
 * (lrs_spec_info in common/spec.h returns it): name, seed, sampler,
 * objective, data, model and training settings, and pointers to the exec,
 * budget and pruning settings.  A header of its own so that modules that
 * only read settings (common/spec_hash) need not know the spec object.
 */
#ifndef LRS_SPEC_INFO_H
#define LRS_SPEC_INFO_H

#include <stdint.h>

#include "common/command.h"
#include "common/model_spec.h"
#include "common/prune.h"
#include "common/sampler.h"
#include "common/spec_budget.h"
#include "common/spec_confirm.h"

typedef enum { LRS_GOAL_MINIMIZE, LRS_GOAL_MAXIMIZE } lrs_goal_t;
typedef enum {
    LRS_MODEL_LINEAR, LRS_MODEL_LOGISTIC, LRS_MODEL_MLP, LRS_MODEL_SYNTHETIC
} lrs_model_kind_t;

/* A plain view of the non-search settings.  Pointers stay valid for the life
 * of the spec. */
typedef struct lrs_spec_info {
    const char *name;
    uint64_t seed;
    int shared_seeds;                /* `seeds: shared`: every trial trains with trial 0's seed */
    int repeats;                     /* `repeats:` seeds each trial trains with (1..100; 1) */
    uint64_t trials;                 /* `trials:` as written (grid: the grid size) */
    lrs_sampler_kind_t sampler;
    const char *metric;              /* "val_loss" | "accuracy"; exec specs: any metric name */
    lrs_goal_t goal;
    const char *data_path;           /* resolved against the spec's folder; NULL: synthetic/none */
    const char *const *targets;      /* target column names, n_targets of them */
    int n_targets;
    int task_hint;                   /* LRS_TASK_*, or -1: infer from the data (model type
                                      * logistic: always classification) */
    int synthetic_rows, synthetic_features, synthetic_outputs;   /* rows 0: no synthetic data */
    double synthetic_noise;
    lrs_model_kind_t model_kind;
    lrs_model_spec_t model;          /* hidden/activation; n_in/n_out/task filled later */
    double synthetic_cost_ms;        /* model type synthetic: optional cost_ms (default 0) */
    int folds;                       /* ≥ 2 k-fold; 1 holdout; 0 train on all rows */
    int shuffle;
    int standardize;
    int standardize_target;          /* effective: `data.standardize_target`, or the rules'
                                      * default (common/spec_rules.h) */
    double holdout;                  /* validation fraction when folds == 1 */
    /* Exec specs (`command:`): what lrs_exec_run needs, with metric/maximize
     * equal to metric/goal above and workdir resolved against the spec's
     * folder (kept as written when parsed without a base folder; NULL when
     * not given: the current directory).  NULL for built-in specs, whose
     * data/model/train fields above are then unused. */
    const lrs_exec_spec_t *exec;
    const lrs_budget_t *budget;      /* `budget:` (zeros: none) — common/spec_budget.h */
    const lrs_prune_spec_t *pruning; /* `pruning:` (rule LRS_PRUNE_NONE: none) — common/prune.h */
    const lrs_confirm_spec_t *confirm; /* `confirm:` (top 0: none) — common/spec_confirm.h */
} lrs_spec_info_t;

#endif
