/* exec_rungs.c — see exec_rungs.h. */
#include "worker/exec_rungs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int lrs_exec_rungs_init(lrs_exec_rungs_t *r, const lrs_prune_spec_t *p, uint64_t trial,
                        int maximize, int folds, int last_epoch)
{
    memset(r, 0, sizeof *r);
    r->asked = -1;
    r->best = NAN;
    if (!p || p->rule == LRS_PRUNE_NONE || folds < 1)
        return 0;
    r->obj = calloc((size_t)folds, sizeof *r->obj);
    r->has = calloc((size_t)folds, sizeof *r->has);
    r->cap = calloc((size_t)folds, sizeof *r->cap);
    r->folds = folds;
    if (!r->obj || !r->has || !r->cap) {
        lrs_exec_rungs_free(r);
        return -1;
    }
    r->spec = p;
    r->trial = trial;
    r->maximize = maximize;
    r->last_epoch = last_epoch > 0 && last_epoch <= LRS_PRUNE_MAX_EPOCH ? last_epoch : 0;
    return 0;
}

void lrs_exec_rungs_free(lrs_exec_rungs_t *r)
{
    for (int f = 0; f < r->folds; f++) {
        if (r->obj)
            free(r->obj[f]);
        if (r->has)
            free(r->has[f]);
    }
    free(r->obj);
    free(r->has);
    free(r->cap);
    memset(r, 0, sizeof *r);
}

/* Fold f's report at epoch e, when there is one. */
static int cell(const lrs_exec_rungs_t *r, int f, int e, double *v)
{
    if (e < 0 || e >= r->cap[f] || !r->has[f][e])
        return 0;
    *v = r->obj[f][e];
    return 1;
}

/* Room for epoch e in fold f's arrays (grown geometrically). */
static int reserve(lrs_exec_rungs_t *r, int f, int e)
{
    if (e < r->cap[f])
        return 0;
    int cap = r->cap[f] ? r->cap[f] : 64;
    while (cap <= e)
        cap *= 2;
    double *obj = realloc(r->obj[f], (size_t)cap * sizeof *obj);
    if (obj)
        r->obj[f] = obj;
    unsigned char *has = realloc(r->has[f], (size_t)cap);
    if (has)
        r->has[f] = has;
    if (!obj || !has)
        return -1;   /* what moved is kept; cap stays, so nothing past it is read */
    memset(has + r->cap[f], 0, (size_t)(cap - r->cap[f]));
    r->has[f] = has;
    r->cap[f] = cap;
    return 0;
}

/* The mean over folds at epoch e, when every fold reported it. */
static int epoch_mean(const lrs_exec_rungs_t *r, int e, double *mean)
{
    double sum = 0, v;
    for (int f = 0; f < r->folds; f++) {
        if (!cell(r, f, e, &v))
            return 0;
        sum += v;
    }
    *mean = sum / r->folds;
    return 1;
}

/* Fold f's value at rung k: its first report at an epoch of rung k. */
static int fold_rung_value(const lrs_exec_rungs_t *r, int f, int k, double *v)
{
    int from = lrs_prune_rung_epoch(r->spec, r->trial, k);
    for (int e = from > 1 ? from : 1; e < r->cap[f]; e++) {
        if (lrs_prune_rung_at(r->spec, r->trial, e, r->last_epoch) != k)
            return 0;
        if (cell(r, f, e, v))
            return 1;
    }
    return 0;
}

int lrs_exec_rungs_report(lrs_exec_rungs_t *r, int fold, int epoch, double value, double *value_out,
                          double *best_out)
{
    if (!r->spec || fold < 0 || fold >= r->folds || epoch < 1 || epoch > LRS_PRUNE_MAX_EPOCH ||
        (r->last_epoch > 0 && epoch >= r->last_epoch))
        return 0;
    double seen;
    if (cell(r, fold, epoch, &seen))
        return 0;   /* the first report of an epoch counts */
    if (reserve(r, fold, epoch) != 0)
        return -1;
    r->obj[fold][epoch] = value;
    r->has[fold][epoch] = 1;
    if (fold != r->folds - 1)
        return 0;
    int k = lrs_prune_rung_at(r->spec, r->trial, epoch, r->last_epoch);
    if (k < 0 || k <= r->asked)
        return 0;
    double sum = 0, v;
    int n = 0;
    for (int f = 0; f < r->folds; f++)
        if (fold_rung_value(r, f, k, &v)) {
            sum += v;
            n++;
        }
    for (int e = r->through + 1; e <= epoch; e++) {
        double m;
        if (epoch_mean(r, e, &m) && isfinite(m) &&
            (isnan(r->best) || (r->maximize ? m > r->best : m < r->best)))
            r->best = m;
    }
    r->through = epoch;
    r->asked = k;
    *value_out = n ? sum / n : NAN;
    /* no epoch every fold reported yet (folds that report other epochs):
     * the value itself is the best known */
    *best_out = isnan(r->best) ? *value_out : r->best;
    return 1;
}

void lrs_exec_cut(lrs_exec_result_t *res, int epoch)
{
    res->status = LRS_STATUS_PRUNED;
    res->pruned_epoch = epoch;
    res->error[0] = '\0';
    res->objective = res->objective_std = NAN;
    res->exit_status = -1;
    res->term_signal = 0;
    size_t kept = 0;
    for (size_t i = 0; i < res->n_curve; i++)
        if (res->curve[i].epoch <= epoch)
            res->curve[kept++] = res->curve[i];
    res->n_curve = kept;
    /* Only names reported at or before the cut stay (one first reported
     * later shows how far the command got, which is not the result's). */
    int remap[LRS_EXEC_MAX_NAMES], n_names = 0;
    for (int k = 0; k < res->n_names; k++) {
        remap[k] = -1;
        for (size_t i = 0; i < res->n_curve && remap[k] < 0; i++)
            if (res->curve[i].name == k)
                remap[k] = n_names++;
        if (remap[k] >= 0 && remap[k] != k)
            memcpy(res->names[remap[k]], res->names[k], sizeof res->names[k]);
    }
    for (size_t i = 0; i < res->n_curve; i++)
        res->curve[i].name = remap[res->curve[i].name];
    for (int k = n_names; k < res->n_names; k++)
        res->finals[k] = NAN;
    res->n_names = n_names;
    /* finals: per name, the mean over folds of each fold's last kept value */
    for (int k = 0; k < res->n_names; k++) {
        double sum = 0;
        int n = 0, fold = -1;
        double last = NAN;
        for (size_t i = 0; i < res->n_curve; i++) {
            const lrs_exec_point_t *p = &res->curve[i];
            if (p->name != k)
                continue;
            if (p->fold != fold && fold >= 0) {
                sum += last;
                n++;
            }
            fold = p->fold;
            last = p->value;
        }
        if (fold >= 0) {
            sum += last;
            n++;
        }
        res->finals[k] = n ? sum / n : NAN;
    }
}
