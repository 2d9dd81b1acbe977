/* spec_prune.c — see spec_prune.h. */
#include "common/spec_prune.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* Which keys each rule takes, besides rule and deterministic. */
static const char *const keys_median[] = {"n_startup_trials", "n_warmup_steps", "interval_steps",
                                          "n_min_trials", NULL};
static const char *const keys_percentile[] = {"percentile", "n_startup_trials", "n_warmup_steps",
                                              "interval_steps", "n_min_trials", NULL};
static const char *const keys_halving[] = {"min_resource", "reduction_factor",
                                           "min_early_stopping_rate", NULL};
static const char *const keys_hyperband[] = {"min_resource", "max_resource", "reduction_factor",
                                             NULL};
static const char *const keys_threshold[] = {"lower", "upper", "n_warmup_steps",
                                             "interval_steps", NULL};
static const char *const all_keys[] = {"rule", "deterministic", "n_startup_trials",
                                       "n_warmup_steps", "interval_steps", "n_min_trials",
                                       "percentile", "min_resource", "max_resource",
                                       "reduction_factor", "min_early_stopping_rate", "lower",
                                       "upper", NULL};

static const char *const *rule_keys(lrs_prune_rule_t rule)
{
    switch (rule) {
    case LRS_PRUNE_MEDIAN: return keys_median;
    case LRS_PRUNE_PERCENTILE: return keys_percentile;
    case LRS_PRUNE_SUCCESSIVE_HALVING: return keys_halving;
    case LRS_PRUNE_HYPERBAND: return keys_hyperband;
    case LRS_PRUNE_THRESHOLD: return keys_threshold;
    default: return NULL;
    }
}

static void int_key(lrs_yctx_t *c, const lrs_ynode_t *n, const char *key, int lo, int *out)
{
    const lrs_ynode_t *v = lrs_y_get(n, key);
    char where[64];
    snprintf(where, sizeof where, "pruning.%s", key);
    if (v)
        lrs_y_int(c, v, where, lo, LRS_PRUNE_MAX_EPOCH, out);
}

/* A resource: an integer ≥ 1 or `auto` (*is_auto set). */
static void resource_key(lrs_yctx_t *c, const lrs_ynode_t *n, const char *key, int *out,
                         int *is_auto)
{
    const lrs_ynode_t *v = lrs_y_get(n, key);
    if (!v)
        return;
    if (v->kind == LRS_Y_SCALAR && !v->quoted && strcmp(v->text, "auto") == 0) {
        *is_auto = 1;
        return;
    }
    *is_auto = 0;
    char where[64];
    snprintf(where, sizeof where, "pruning.%s", key);
    lrs_y_int(c, v, where, 1, LRS_PRUNE_MAX_EPOCH, out);
}

static void bound_key(lrs_yctx_t *c, const lrs_ynode_t *n, const char *key, double *out)
{
    const lrs_ynode_t *v = lrs_y_get(n, key);
    char where[64];
    snprintf(where, sizeof where, "pruning.%s", key);
    if (v)
        lrs_y_double(c, v, where, out);
}

void lrs_spec_prune_read(lrs_yctx_t *c, const lrs_ynode_t *n, int max_epochs,
                         lrs_prune_spec_t *out)
{
    static const char *const rules[] = {"median", "percentile", "successive_halving",
                                        "hyperband", "threshold", NULL};
    lrs_prune_defaults(out, LRS_PRUNE_NONE);
    if (lrs_y_check_mapping(c, n, "pruning", all_keys) < 0)
        return;
    const lrs_ynode_t *v = lrs_y_get(n, "rule");
    int k = -1;
    if (!v) {
        LRS_YERR(c, n, "pruning: missing required key 'rule' (one of median, percentile, "
                       "successive_halving, hyperband, threshold)");
        return;
    }
    if (lrs_y_enum(c, v, "pruning.rule", rules, &k) < 0)
        return;
    lrs_prune_rule_t rule = (lrs_prune_rule_t)(k + 1);
    lrs_prune_defaults(out, rule);
    const char *const *own = rule_keys(rule);
    for (int i = 0; i < n->n; i++) {
        const lrs_ynode_t *key = n->items[2 * i];
        if (strcmp(key->text, "rule") == 0 || strcmp(key->text, "deterministic") == 0 ||
            lrs_y_names_index(own, key->text) >= 0 || lrs_y_names_index(all_keys, key->text) < 0)
            continue;
        char list[256];
        lrs_y_names_join(own, list, sizeof list);
        LRS_YERR(c, key, "pruning.%s: rule %s does not take %s (its parameters: %s)", key->text,
                 lrs_prune_rule_name(rule), key->text, list);
    }
    if ((v = lrs_y_get(n, "deterministic")))
        lrs_y_bool(c, v, "pruning.deterministic", &out->deterministic);
    int_key(c, n, "n_startup_trials", 0, &out->n_startup_trials);
    int_key(c, n, "n_warmup_steps", 0, &out->n_warmup_steps);
    int_key(c, n, "interval_steps", 1, &out->interval_steps);
    int_key(c, n, "n_min_trials", 1, &out->n_min_trials);
    int_key(c, n, "min_early_stopping_rate", 0, &out->min_early_stopping_rate);
    int_key(c, n, "reduction_factor", 2, &out->reduction_factor);
    if (rule == LRS_PRUNE_PERCENTILE) {
        if (!(v = lrs_y_get(n, "percentile")))
            LRS_YERR(c, n, "pruning: rule percentile needs 'percentile' (0 to 100, e.g. 25: "
                           "prune below the best quarter)");
        else if (lrs_y_double(c, v, "pruning.percentile", &out->percentile) == 0 &&
                 !(out->percentile >= 0.0 && out->percentile <= 100.0))
            LRS_YERR(c, v, "pruning.percentile: expected a number from 0 to 100, got %s", v->text);
    }

    /* Resources: successive halving's min_resource defaults to auto (as
     * Optuna's), hyperband's max_resource too. */
    int min_auto = rule == LRS_PRUNE_SUCCESSIVE_HALVING, max_auto = rule == LRS_PRUNE_HYPERBAND;
    resource_key(c, n, "min_resource", &out->min_resource, &min_auto);
    resource_key(c, n, "max_resource", &out->max_resource, &max_auto);
    const lrs_ynode_t *at = lrs_y_get(n, "rule");
    if ((min_auto || max_auto) && max_epochs <= 0) {
        const char *key = min_auto ? "min_resource" : "max_resource";
        const lrs_ynode_t *kn = lrs_y_get(n, key);
        LRS_YERR(c, kn ? kn : at, "pruning.%s: auto takes the largest epochs of search:, which "
                                  "this command sweep does not set: give the epoch as a number",
                 key);
    } else {
        if (min_auto)
            out->min_resource = max_epochs / 100 > 1 ? max_epochs / 100 : 1;
        if (max_auto)
            out->max_resource = max_epochs;
    }
    if (rule == LRS_PRUNE_HYPERBAND && out->max_resource > 0 &&
        out->max_resource < out->min_resource)
        LRS_YERR(c, lrs_y_get(n, "max_resource") ? lrs_y_get(n, "max_resource") : at,
                 "pruning.max_resource: %d is below min_resource %d", out->max_resource,
                 out->min_resource);

    if (rule == LRS_PRUNE_THRESHOLD) {
        bound_key(c, n, "lower", &out->lower);
        bound_key(c, n, "upper", &out->upper);
        if (!lrs_y_get(n, "lower") && !lrs_y_get(n, "upper"))
            LRS_YERR(c, n, "pruning: rule threshold needs lower, upper or both (it prunes a "
                           "trial whose metric leaves that band)");
        else if (out->lower > out->upper)
            LRS_YERR(c, lrs_y_get(n, "lower"), "pruning.lower: %g is above upper %g", out->lower,
                     out->upper);
    }
    out->max_epochs = max_epochs;
    lrs_prune_finish(out);
}
