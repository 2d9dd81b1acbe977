/* lrfind.c — the range test's arithmetic (see lrfind.h).
 *
 * Smoothing as fastai: avg = β·avg + (1−β)·loss, smoothed = avg / (1 − β^(i+1)),
 * so the first steps are not pulled towards 0.  The steepest point is the
 * most negative finite difference of smoothed loss over log10(lr), the
 * first LRS_LRFIND_SKIP_BEGIN steps and the last left out on runs of more
 * than twice that many steps; the
 * usable range runs from there to the minimum's lr.
 */
#include "worker/lrfind.h"

#include <math.h>
#include <stdlib.h>

void lrs_lrfind_cfg_init(lrs_lrfind_cfg_t *cfg)
{
    cfg->start = LRS_LRFIND_START;
    cfg->end = LRS_LRFIND_END;
    cfg->iters = LRS_LRFIND_ITERS;
    cfg->beta = LRS_LRFIND_BETA;
    cfg->diverge = LRS_LRFIND_DIVERGE;
}

const char *lrs_lrfind_cfg_check(const lrs_lrfind_cfg_t *cfg)
{
    if (!(cfg->start > 0) || !(cfg->end > cfg->start))
        return "--start and --end need 0 < start < end";
    if (cfg->iters < 2)
        return "--iters needs at least 2 steps";
    if (!(cfg->beta >= 0 && cfg->beta < 1))
        return "--beta needs a value in [0, 1)";
    if (!(cfg->diverge > 1))
        return "--diverge needs a factor above 1";
    return NULL;
}

double lrs_lrfind_lr(const lrs_lrfind_cfg_t *cfg, int i)
{
    return cfg->start * pow(cfg->end / cfg->start, (double)i / (cfg->iters - 1));
}

int lrs_lrfind_curve_init(lrs_lrfind_curve_t *c, const lrs_lrfind_cfg_t *cfg)
{
    c->n = 0;
    c->cap = cfg->iters;
    c->avg = 0.0;
    c->best = INFINITY;
    c->stopped = 0;
    c->lr = calloc((size_t)c->cap, sizeof(double));
    c->raw = calloc((size_t)c->cap, sizeof(double));
    c->smooth = calloc((size_t)c->cap, sizeof(double));
    if (!c->lr || !c->raw || !c->smooth) {
        lrs_lrfind_curve_clear(c);
        return -1;
    }
    return 0;
}

void lrs_lrfind_curve_clear(lrs_lrfind_curve_t *c)
{
    free(c->lr);
    free(c->raw);
    free(c->smooth);
    c->lr = c->raw = c->smooth = NULL;
    c->n = c->cap = 0;
}

int lrs_lrfind_record(lrs_lrfind_curve_t *c, const lrs_lrfind_cfg_t *cfg, double lr, double loss)
{
    if (!isfinite(loss) || c->n >= c->cap) {
        c->stopped = isfinite(loss) ? c->stopped : 1;
        return 1;
    }
    c->avg = cfg->beta * c->avg + (1.0 - cfg->beta) * loss;
    double smoothed = c->avg / (1.0 - pow(cfg->beta, c->n + 1));
    c->lr[c->n] = lr;
    c->raw[c->n] = loss;
    c->smooth[c->n] = smoothed;
    c->n++;
    if (c->n > 1 && smoothed > cfg->diverge * c->best) {
        c->stopped = 1;
        return 1;
    }
    if (smoothed < c->best)
        c->best = smoothed;
    return 0;
}

int lrs_lrfind_suggest(const lrs_lrfind_curve_t *c, lrs_lrfind_suggestion_t *out)
{
    if (c->n < 2)
        return -1;
    int at_min = 0;
    for (int i = 1; i < c->n; i++)
        if (c->smooth[i] < c->smooth[at_min])
            at_min = i;
    /* Lightning's skip_begin / skip_end: the first steps' smoothing is noise */
    int skip = c->n > 2 * LRS_LRFIND_SKIP_BEGIN ? LRS_LRFIND_SKIP_BEGIN : 0;
    int last = skip ? c->n - 2 : c->n - 1;
    int steep = skip;
    double steepest = INFINITY;
    for (int i = skip; i < last; i++) {
        double slope = (c->smooth[i + 1] - c->smooth[i]) / (log10(c->lr[i + 1]) - log10(c->lr[i]));
        if (slope < steepest) {
            steepest = slope;
            steep = i;
        }
    }
    out->steep = c->lr[steep];
    out->lr_min = c->lr[at_min];
    out->min_tenth = c->lr[at_min] / 10.0;
    out->low = out->steep < out->min_tenth ? out->steep : out->min_tenth;
    out->high = out->lr_min;
    return 0;
}
