/* prune.h — the pruning rules: when a trial is checked, and whether it
 * stops there.
 *
 *   pruning:
 *     rule: successive_halving   # median | percentile | successive_halving
 *     min_resource: 4            #   | hyperband | threshold
 *     reduction_factor: 3
 *
 * Every rule follows Optuna 3.1's pruner of the same name (MedianPruner,
 * PercentilePruner, SuccessiveHalvingPruner, HyperbandPruner,
 * ThresholdPruner; their parameter names and defaults) with a step being an
 * epoch (1-based), except for the set a trial is compared with.  Optuna
 * compares with whatever trials are known at the moment; here the decision
 * for trial i at a rung depends only on the values at that rung of trials
 * with a lower index — a set fixed by the spec — so the pruned trials are
 * the same on 1 worker or 16 and after any resume.  docs/spec.md lists
 * every difference per rule.
 *
 * A rung is a checkpoint of one trial: rung k sits at epoch
 * lrs_prune_rung_epoch(p, trial, k).  A trial's rung-k value is its metric
 * at the first epoch it reports at or after that epoch (the built-in engine
 * reports every epoch).  No rung sits at or after a trial's last epoch: a
 * trial that trained to the end is complete.
 *
 * Everything here is pure: no I/O, no allocation but the caller's, the same
 * answer for the same inputs in every process.
 */
#ifndef LRS_PRUNE_H
#define LRS_PRUNE_H

#include <stddef.h>
#include <stdint.h>

typedef enum {
    LRS_PRUNE_NONE = 0,                /* no `pruning:` */
    LRS_PRUNE_MEDIAN,
    LRS_PRUNE_PERCENTILE,
    LRS_PRUNE_SUCCESSIVE_HALVING,
    LRS_PRUNE_HYPERBAND,
    LRS_PRUNE_THRESHOLD,
    LRS_PRUNE_RULE_COUNT
} lrs_prune_rule_t;

/* At most this many Hyperband brackets (log_rf(max/min) + 1 ≤ 17 for any
 * epochs the protocol carries and rf ≥ 2). */
#define LRS_PRUNE_MAX_BRACKETS 24

typedef struct lrs_prune_spec {
    lrs_prune_rule_t rule;
    int deterministic;          /* 1 (default): compare with lower-index trials only */
    /* median, percentile, threshold */
    int n_startup_trials;       /* median/percentile: trials 0..n-1 are never pruned (5) */
    int n_warmup_steps;         /* no check before this epoch (0) */
    int interval_steps;         /* checks at n_warmup_steps + k * interval (1) */
    int n_min_trials;           /* median/percentile: values needed at the rung (1) */
    double percentile;          /* percentile: 0..100 (median: 50) */
    /* successive_halving, hyperband */
    int min_resource;           /* the first rung's epoch (SH: min_resource × rf^rate) */
    int max_resource;           /* hyperband: sets the bracket count */
    int reduction_factor;       /* SH 4, hyperband 3 */
    int min_early_stopping_rate;/* SH (0); a Hyperband bracket's is its index */
    int n_brackets;             /* hyperband: floor(log_rf(max/min)) + 1 */
    int bracket_budget[LRS_PRUNE_MAX_BRACKETS];   /* hyperband: trials per bracket per cycle */
    int budget_total;           /* their sum */
    /* threshold */
    double lower, upper;        /* -inf / +inf when not given */
    int max_epochs;             /* the spec's largest epochs (0: unknown, command sweeps) */
} lrs_prune_spec_t;

/* "median", "percentile", "successive_halving", "hyperband", "threshold";
 * "none" for LRS_PRUNE_NONE, "?" out of range. */
const char *lrs_prune_rule_name(lrs_prune_rule_t rule);

/* The rule named name, or -1. */
int lrs_prune_rule_parse(const char *name);

/* Sets rule's defaults (Optuna 3.1's) into *p: every field, the brackets
 * not yet (lrs_prune_finish). */
void lrs_prune_defaults(lrs_prune_spec_t *p, lrs_prune_rule_t rule);

/* Completes a Hyperband spec once min/max resource and rf are known: the
 * bracket count and each bracket's trial budget, ceil(B · rf^s / (s + 1))
 * for s = B-1-b, as Optuna 3.1.  A no-op for the other rules. */
void lrs_prune_finish(lrs_prune_spec_t *p);

/* The bracket of trial: hyperband cycles through the brackets by index
 * (trial mod budget_total, bracket b taking bracket_budget[b] consecutive
 * positions); 0 for the other rules. */
int lrs_prune_bracket(const lrs_prune_spec_t *p, uint64_t trial);

/* Epoch of rung k (k ≥ 0) of trial, or 0 when there is none at or below
 * LRS_PRUNE_MAX_EPOCH (or no rule). */
#define LRS_PRUNE_MAX_EPOCH 100000
int lrs_prune_rung_epoch(const lrs_prune_spec_t *p, uint64_t trial, int k);

/* The rung that epoch reaches for a trial of last_epoch epochs: the k with
 * rung_epoch(k) ≤ epoch < rung_epoch(k+1), or -1 when epoch is before rung
 * 0 or the rung is at or after last_epoch.  Reports at epochs e1 < e2 that
 * reach the same k: the first one is rung k's value. */
int lrs_prune_rung_at(const lrs_prune_spec_t *p, uint64_t trial, int epoch, int last_epoch);

/* 1 when epoch is the first epoch of one of trial's rungs (rung_at(epoch) is
 * some k ≥ 0 that rung_at(epoch - 1) is not): where a trial that reports
 * every epoch is checked. */
int lrs_prune_rung_starts(const lrs_prune_spec_t *p, uint64_t trial, int epoch, int last_epoch);

/* 1 when trial is never pruned (median/percentile: index < n_startup_trials). */
int lrs_prune_exempt(const lrs_prune_spec_t *p, uint64_t trial);

/* 1 when the rule compares trials (not threshold): its decisions wait for
 * the lower-index trials' values at the rung. */
int lrs_prune_compares(const lrs_prune_spec_t *p);

/* 1 when trials a and b are compared with each other (the same Hyperband
 * bracket; always for the other comparing rules). */
int lrs_prune_same_set(const lrs_prune_spec_t *p, uint64_t a, uint64_t b);

/* The decision at a rung. */
typedef struct lrs_prune_verdict {
    int prune;            /* 1: stop the trial here */
    double threshold;     /* the bar it was held to (NaN: none, e.g. too few values) */
} lrs_prune_verdict_t;

/* Decides trial's rung: value is its metric at the rung, best its best
 * metric over every epoch so far (median/percentile compare that, as
 * Optuna), maximize the goal, others the rung values of the comparison set
 * (n of them; the trial itself not included; the caller picks the set:
 * lrs_prune_same_set, lower index when deterministic).  others is
 * reordered (sorted).  Non-finite values: a NaN value or best prunes; NaNs
 * among others count towards n_min_trials and are then skipped, as numpy's
 * nanpercentile. */
lrs_prune_verdict_t lrs_prune_decide(const lrs_prune_spec_t *p, uint64_t trial, int maximize,
                                     double value, double best, double *others, size_t n);

/* numpy.percentile(values, q), method "linear", over the n values (sorted
 * ascending, NaN-free), bit for bit as numpy 1.24 computes it.  NaN for n = 0. */
double lrs_prune_percentile_sorted(const double *sorted, size_t n, double q);

/* One line saying what p does, for `validate` and logs: the rule, its
 * parameters as used (auto resolved), the first rungs of trial 0 and
 * whether decisions are deterministic; "none" without a rule. */
void lrs_prune_describe(const lrs_prune_spec_t *p, char *out, size_t size);

#endif
