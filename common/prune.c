/* prune.c — see prune.h. */
#include "common/prune.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const rule_names[LRS_PRUNE_RULE_COUNT] = {
    "none", "median", "percentile", "successive_halving", "hyperband", "threshold"};

const char *lrs_prune_rule_name(lrs_prune_rule_t rule)
{
    return rule >= 0 && rule < LRS_PRUNE_RULE_COUNT ? rule_names[rule] : "?";
}

int lrs_prune_rule_parse(const char *name)
{
    for (int r = 1; r < LRS_PRUNE_RULE_COUNT; r++)
        if (strcmp(name, rule_names[r]) == 0)
            return r;
    return -1;
}

void lrs_prune_defaults(lrs_prune_spec_t *p, lrs_prune_rule_t rule)
{
    memset(p, 0, sizeof *p);
    p->rule = rule;
    p->deterministic = 1;
    p->n_startup_trials = rule == LRS_PRUNE_THRESHOLD ? 0 : 5;
    p->n_warmup_steps = 0;
    p->interval_steps = 1;
    p->n_min_trials = 1;
    p->percentile = 50.0;
    p->min_resource = 1;
    p->max_resource = 0;
    p->reduction_factor = rule == LRS_PRUNE_HYPERBAND ? 3 : 4;
    p->min_early_stopping_rate = 0;
    p->lower = -INFINITY;
    p->upper = INFINITY;
}

void lrs_prune_finish(lrs_prune_spec_t *p)
{
    if (p->rule != LRS_PRUNE_HYPERBAND || p->min_resource < 1 || p->max_resource < p->min_resource ||
        p->reduction_factor < 2)
        return;
    /* math.log(max / min, rf) as Python computes it: log(x) / log(base). */
    double ratio = (double)p->max_resource / (double)p->min_resource;
    int n = (int)floor(log(ratio) / log((double)p->reduction_factor)) + 1;
    if (n > LRS_PRUNE_MAX_BRACKETS)
        n = LRS_PRUNE_MAX_BRACKETS;
    p->n_brackets = n;
    p->budget_total = 0;
    for (int b = 0; b < n; b++) {
        int s = n - 1 - b;
        double budget = ceil((double)n * pow((double)p->reduction_factor, s) / (s + 1));
        p->bracket_budget[b] = budget > 1e9 ? 1000000000 : (int)budget;
        if (p->budget_total > 2000000000 - p->bracket_budget[b])
            p->budget_total = 2000000000;
        else
            p->budget_total += p->bracket_budget[b];
    }
}

int lrs_prune_bracket(const lrs_prune_spec_t *p, uint64_t trial)
{
    if (p->rule != LRS_PRUNE_HYPERBAND || p->n_brackets < 1 || p->budget_total < 1)
        return 0;
    int64_t n = (int64_t)(trial % (uint64_t)p->budget_total);
    for (int b = 0; b < p->n_brackets; b++) {
        n -= p->bracket_budget[b];
        if (n < 0)
            return b;
    }
    return p->n_brackets - 1;
}

static int is_halving(const lrs_prune_spec_t *p)
{
    return p->rule == LRS_PRUNE_SUCCESSIVE_HALVING || p->rule == LRS_PRUNE_HYPERBAND;
}

static int halving_rate(const lrs_prune_spec_t *p, uint64_t trial)
{
    return p->rule == LRS_PRUNE_HYPERBAND ? lrs_prune_bracket(p, trial)
                                          : p->min_early_stopping_rate;
}

int lrs_prune_rung_epoch(const lrs_prune_spec_t *p, uint64_t trial, int k)
{
    if (k < 0 || p->rule <= LRS_PRUNE_NONE || p->rule >= LRS_PRUNE_RULE_COUNT)
        return 0;
    double e;
    if (is_halving(p)) {
        /* min_resource × rf^(rate + k), Optuna's rung_promotion_step. */
        e = (double)p->min_resource;
        for (int i = 0; i < halving_rate(p, trial) + k && e <= LRS_PRUNE_MAX_EPOCH; i++)
            e *= p->reduction_factor;
    } else {
        e = (double)p->n_warmup_steps + (double)k * p->interval_steps;
    }
    return e <= LRS_PRUNE_MAX_EPOCH ? (int)e : 0;
}

int lrs_prune_rung_at(const lrs_prune_spec_t *p, uint64_t trial, int epoch, int last_epoch)
{
    if (p->rule <= LRS_PRUNE_NONE || p->rule >= LRS_PRUNE_RULE_COUNT || epoch < 1 ||
        (last_epoch > 0 && epoch >= last_epoch))
        return -1;
    if (!is_halving(p)) {
        if (epoch < p->n_warmup_steps || p->interval_steps < 1)
            return -1;
        return (epoch - p->n_warmup_steps) / p->interval_steps;
    }
    int k = -1;
    for (int i = 0;; i++) {
        int e = lrs_prune_rung_epoch(p, trial, i);
        if (e == 0 || e > epoch)
            return k;
        k = i;
    }
}

int lrs_prune_rung_starts(const lrs_prune_spec_t *p, uint64_t trial, int epoch, int last_epoch)
{
    int k = lrs_prune_rung_at(p, trial, epoch, last_epoch);
    return k >= 0 && k != lrs_prune_rung_at(p, trial, epoch - 1, last_epoch);
}

int lrs_prune_exempt(const lrs_prune_spec_t *p, uint64_t trial)
{
    return (p->rule == LRS_PRUNE_MEDIAN || p->rule == LRS_PRUNE_PERCENTILE) &&
           trial < (uint64_t)p->n_startup_trials;
}

int lrs_prune_compares(const lrs_prune_spec_t *p)
{
    return p->rule > LRS_PRUNE_NONE && p->rule < LRS_PRUNE_RULE_COUNT &&
           p->rule != LRS_PRUNE_THRESHOLD;
}

int lrs_prune_same_set(const lrs_prune_spec_t *p, uint64_t a, uint64_t b)
{
    return p->rule != LRS_PRUNE_HYPERBAND || lrs_prune_bracket(p, a) == lrs_prune_bracket(p, b);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Moves the NaNs of v to its end; returns how many are not NaN. */
static size_t drop_nans(double *v, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!isnan(v[i])) {
            double t = v[k];
            v[k++] = v[i];
            v[i] = t;
        }
    return k;
}

double lrs_prune_percentile_sorted(const double *sorted, size_t n, double q)
{
    if (n == 0)
        return NAN;
    /* numpy 1.24 _quantile, method linear: virtual index (n-1)·q/100, the
     * neighbours below and above (both the last value past the end), and
     * _lerp, which interpolates from the nearer end. */
    double quantile = q / 100.0;
    double virt = (double)(n - 1) * quantile;
    double prev_idx = floor(virt);
    size_t prev, next;
    if (virt >= (double)(n - 1)) {
        prev = next = n - 1;
        prev_idx = -1.0;
    } else if (virt < 0) {
        prev = next = 0;
        prev_idx = 0.0;
    } else {
        prev = (size_t)prev_idx;
        next = prev + 1;
    }
    double a = sorted[prev], b = sorted[next];
    double gamma = virt - prev_idx;
    double diff = b - a;
    if (gamma >= 0.5)
        return b - diff * (1.0 - gamma);
    return a + diff * gamma;
}

static lrs_prune_verdict_t decide_percentile(const lrs_prune_spec_t *p, int maximize, double best,
                                             double *others, size_t n)
{
    lrs_prune_verdict_t v = {0, NAN};
    if (isnan(best)) {
        v.prune = 1;
        return v;
    }
    if (n < (size_t)p->n_min_trials)
        return v;
    size_t finite = drop_nans(others, n);
    if (finite > 1)
        qsort(others, finite, sizeof *others, cmp_double);
    double pct = p->rule == LRS_PRUNE_MEDIAN ? 50.0 : p->percentile;
    v.threshold = lrs_prune_percentile_sorted(others, finite, maximize ? 100.0 - pct : pct);
    if (isnan(v.threshold))
        return v;
    v.prune = maximize ? best < v.threshold : best > v.threshold;
    return v;
}

static lrs_prune_verdict_t decide_halving(const lrs_prune_spec_t *p, int maximize, double value,
                                          double *others, size_t n)
{
    lrs_prune_verdict_t v = {0, NAN};
    if (isnan(value)) {   /* Optuna prunes a NaN before it joins the rung */
        v.prune = 1;
        return v;
    }
    n = drop_nans(others, n);
    if (n > 1)
        qsort(others, n, sizeof *others, cmp_double);
    /* The competing values are others plus this one (n + 1); the bar is the
     * idx-th best of them, idx = (n + 1) / rf - 1 (at least 0). */
    size_t total = n + 1;
    size_t idx = total / (size_t)p->reduction_factor;
    idx = idx > 0 ? idx - 1 : 0;
    size_t pos = 0;   /* where value sorts among others (after equal ones) */
    while (pos < n && others[pos] <= value)
        pos++;
    size_t at = maximize ? total - 1 - idx : idx;   /* ascending position of the bar */
    v.threshold = at < pos ? others[at] : at == pos ? value : others[at - 1];
    v.prune = maximize ? !(value >= v.threshold) : !(value <= v.threshold);
    return v;
}

lrs_prune_verdict_t lrs_prune_decide(const lrs_prune_spec_t *p, uint64_t trial, int maximize,
                                     double value, double best, double *others, size_t n)
{
    lrs_prune_verdict_t v = {0, NAN};
    if (lrs_prune_exempt(p, trial))
        return v;
    switch (p->rule) {
    case LRS_PRUNE_MEDIAN:
    case LRS_PRUNE_PERCENTILE:
        return decide_percentile(p, maximize, best, others, n);
    case LRS_PRUNE_SUCCESSIVE_HALVING:
    case LRS_PRUNE_HYPERBAND:
        return decide_halving(p, maximize, value, others, n);
    case LRS_PRUNE_THRESHOLD:
        if (!isfinite(value)) {
            v.prune = 1;
        } else if (value < p->lower) {
            v.prune = 1;
            v.threshold = p->lower;
        } else if (value > p->upper) {
            v.prune = 1;
            v.threshold = p->upper;
        }
        return v;
    default:
        return v;
    }
}

void lrs_prune_describe(const lrs_prune_spec_t *p, char *out, size_t size)
{
    size_t used = 0;
#define ADD(...)                                                                        \
    do {                                                                                \
        if (used < size) {                                                              \
            int w_ = snprintf(out + used, size - used, __VA_ARGS__);                    \
            used = w_ < 0 ? size : used + (size_t)w_;                                   \
        }                                                                               \
    } while (0)
    if (size == 0)
        return;
    out[0] = '\0';
    if (p->rule <= LRS_PRUNE_NONE || p->rule >= LRS_PRUNE_RULE_COUNT) {
        ADD("none");
        return;
    }
    ADD("%s", lrs_prune_rule_name(p->rule));
    switch (p->rule) {
    case LRS_PRUNE_PERCENTILE:
        ADD(" %g", p->percentile);
        /* fall through */
    case LRS_PRUNE_MEDIAN:
        ADD(" (n_startup_trials %d, n_warmup_steps %d, interval_steps %d, n_min_trials %d)",
            p->n_startup_trials, p->n_warmup_steps, p->interval_steps, p->n_min_trials);
        break;
    case LRS_PRUNE_SUCCESSIVE_HALVING:
        ADD(" (min_resource %d, reduction_factor %d, min_early_stopping_rate %d)",
            p->min_resource, p->reduction_factor, p->min_early_stopping_rate);
        break;
    case LRS_PRUNE_HYPERBAND:
        ADD(" (min_resource %d, max_resource %d, reduction_factor %d): %d brackets of", p->min_resource,
            p->max_resource, p->reduction_factor, p->n_brackets);
        for (int b = 0; b < p->n_brackets; b++)
            ADD("%s%d", b ? "/" : " ", p->bracket_budget[b]);
        ADD(" trials");
        break;
    case LRS_PRUNE_THRESHOLD:
        ADD(" (");
        if (p->lower > -INFINITY)
            ADD("lower %g, ", p->lower);
        if (p->upper < INFINITY)
            ADD("upper %g, ", p->upper);
        ADD("n_warmup_steps %d, interval_steps %d)", p->n_warmup_steps, p->interval_steps);
        break;
    default:
        break;
    }
    ADD(", trial 0 checked at epochs");
    int shown = 0, last = -1;
    for (int e = 1; e <= LRS_PRUNE_MAX_EPOCH && shown < 4; e++) {
        int k = lrs_prune_rung_at(p, 0, e, p->max_epochs);
        if (k < 0 || k == last)
            continue;
        last = k;
        ADD("%s%d", shown ? ", " : " ", e);
        shown++;
    }
    if (shown == 0)
        ADD(" none (every rung is at or past the last epoch)");
    ADD("%s", shown == 4 ? ", …" : "");
    if (lrs_prune_compares(p))
        ADD(p->deterministic ? "; deterministic (compared with lower-index trials)"
                         : "; not deterministic (compared with the trials known at the time)");
#undef ADD
}
