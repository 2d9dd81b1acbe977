/* rungs.c — see rungs.h.  Each rung is a dense array indexed by trial (grown
 * by doubling up to the highest trial that reached it) plus its frontier:
 * the lowest trial not yet resolved there, advanced lazily.  Ended trials
 * are a bitmap over all indices. */
#include "coordinator/rungs.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum { HAS_VALUE = 1, DECIDED = 2, PRUNED = 4 };

typedef struct rung_cell {
    double value, best, threshold;
    int32_t epoch;
    uint8_t flags;
} rung_cell_t;

typedef struct rung {
    rung_cell_t *cells;
    uint64_t cap;        /* cells allocated (all zero past the highest reported) */
    uint64_t frontier;   /* every trial below is resolved here */
} rung_t;

struct lrs_rungs {
    lrs_prune_spec_t spec;
    int maximize;
    rung_t *rungs;
    int n_rungs;
    uint8_t *ended;      /* bitmap */
    uint64_t ended_cap;  /* bits */
    double *scratch;     /* the comparison values of one decision */
    uint64_t scratch_cap;
};

lrs_rungs_t *lrs_rungs_new(const lrs_prune_spec_t *p, int maximize)
{
    lrs_rungs_t *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    r->spec = *p;
    r->maximize = maximize;
    return r;
}

void lrs_rungs_destroy(lrs_rungs_t **rp)
{
    lrs_rungs_t *r = *rp;
    if (!r)
        return;
    for (int k = 0; k < r->n_rungs; k++)
        free(r->rungs[k].cells);
    free(r->rungs);
    free(r->ended);
    free(r->scratch);
    free(r);
    *rp = NULL;
}

const lrs_prune_spec_t *lrs_rungs_spec(const lrs_rungs_t *r) { return &r->spec; }

static int is_ended(const lrs_rungs_t *r, uint64_t trial)
{
    return trial < r->ended_cap && (r->ended[trial / 8] >> (trial % 8) & 1);
}

/* Rung k, made (with every rung below) when absent; NULL without memory. */
static rung_t *rung_at(lrs_rungs_t *r, int k)
{
    if (k < 0 || k > LRS_PRUNE_MAX_EPOCH)
        return NULL;
    if (k >= r->n_rungs) {
        rung_t *more = realloc(r->rungs, (size_t)(k + 1) * sizeof *more);
        if (!more)
            return NULL;
        memset(more + r->n_rungs, 0, (size_t)(k + 1 - r->n_rungs) * sizeof *more);
        r->rungs = more;
        r->n_rungs = k + 1;
    }
    return &r->rungs[k];
}

/* The cell of trial in rung g, growing the rung; NULL without memory. */
static rung_cell_t *cell(rung_t *g, uint64_t trial)
{
    if (trial >= g->cap) {
        uint64_t cap = g->cap ? g->cap : 64;
        while (cap <= trial)
            cap *= 2;
        rung_cell_t *more = realloc(g->cells, cap * sizeof *more);
        if (!more)
            return NULL;
        memset(more + g->cap, 0, (cap - g->cap) * sizeof *more);
        g->cells = more;
        g->cap = cap;
    }
    return &g->cells[trial];
}

static const rung_cell_t *cell_if(const lrs_rungs_t *r, uint64_t trial, int k)
{
    if (k < 0 || k >= r->n_rungs || trial >= r->rungs[k].cap)
        return NULL;
    const rung_cell_t *c = &r->rungs[k].cells[trial];
    return c->flags & HAS_VALUE ? c : NULL;
}

int lrs_rungs_report(lrs_rungs_t *r, uint64_t trial, int k, int epoch, double value, double best)
{
    rung_t *g = rung_at(r, k);
    rung_cell_t *c = g ? cell(g, trial) : NULL;
    if (!c)
        return -1;
    if (c->flags & HAS_VALUE)
        return 0;
    c->value = value;
    c->best = best;
    c->epoch = epoch;
    c->threshold = NAN;
    c->flags |= HAS_VALUE;
    return 1;
}

int lrs_rungs_end(lrs_rungs_t *r, uint64_t trial)
{
    if (trial >= r->ended_cap) {
        uint64_t cap = r->ended_cap ? r->ended_cap : 512;
        while (cap <= trial)
            cap *= 2;
        uint8_t *more = realloc(r->ended, cap / 8);
        if (!more)
            return -1;
        memset(more + r->ended_cap / 8, 0, (cap - r->ended_cap) / 8);
        r->ended = more;
        r->ended_cap = cap;
    }
    r->ended[trial / 8] |= (uint8_t)(1u << (trial % 8));
    return 0;
}

int lrs_rungs_set_decision(lrs_rungs_t *r, uint64_t trial, int k, lrs_prune_verdict_t v)
{
    rung_t *g = rung_at(r, k);
    rung_cell_t *c = g ? cell(g, trial) : NULL;
    if (!c)
        return -1;
    c->flags |= DECIDED | (v.prune ? PRUNED : 0);
    c->threshold = v.threshold;
    return v.prune ? lrs_rungs_end(r, trial) : 0;
}

int lrs_rungs_decision(const lrs_rungs_t *r, uint64_t trial, int k, lrs_prune_verdict_t *v)
{
    if (k < 0 || k >= r->n_rungs || trial >= r->rungs[k].cap)
        return 0;
    const rung_cell_t *c = &r->rungs[k].cells[trial];
    if (!(c->flags & DECIDED))
        return 0;
    v->prune = (c->flags & PRUNED) != 0;
    v->threshold = c->threshold;
    return 1;
}

int lrs_rungs_pruned_at(const lrs_rungs_t *r, uint64_t trial, int *k, int *epoch)
{
    if (!is_ended(r, trial))
        return 0;
    for (int i = 0; i < r->n_rungs; i++)
        if (trial < r->rungs[i].cap && (r->rungs[i].cells[trial].flags & PRUNED)) {
            *k = i;
            *epoch = r->rungs[i].cells[trial].epoch;
            return 1;
        }
    return 0;
}

int lrs_rungs_value(const lrs_rungs_t *r, uint64_t trial, int k, double *value, double *best,
                    int *epoch)
{
    const rung_cell_t *c = cell_if(r, trial, k);
    if (!c)
        return 0;
    *value = c->value;
    *best = c->best;
    *epoch = c->epoch;
    return 1;
}

/* Advances rung k's frontier past every resolved trial; returns it. */
static uint64_t advance(lrs_rungs_t *r, rung_t *g)
{
    for (;;) {
        uint64_t f = g->frontier;
        int has = f < g->cap && (g->cells[f].flags & HAS_VALUE);
        if (!has && !is_ended(r, f))
            return f;
        g->frontier++;
    }
}

int lrs_rungs_try_decide(lrs_rungs_t *r, uint64_t trial, int k, lrs_prune_verdict_t *v,
                         uint64_t *blocker)
{
    const rung_cell_t *own = cell_if(r, trial, k);
    if (!own)
        return -1;
    const lrs_prune_spec_t *p = &r->spec;
    int compares = lrs_prune_compares(p) && !lrs_prune_exempt(p, trial);
    rung_t *g = &r->rungs[k];
    if (compares && p->deterministic) {
        uint64_t f = advance(r, g);
        if (f < trial) {
            if (blocker)
                *blocker = f;
            return 0;
        }
    }
    /* The comparison set: lower-index trials (every other one when not
     * deterministic) with a value at the rung, in the trial's bracket. */
    uint64_t end = compares ? (p->deterministic ? trial : g->cap) : 0;
    if (end > r->scratch_cap) {
        double *more = realloc(r->scratch, end * sizeof *more);
        if (!more)
            return -1;
        r->scratch = more;
        r->scratch_cap = end;
    }
    size_t n = 0;
    for (uint64_t j = 0; j < end && j < g->cap; j++)
        if (j != trial && (g->cells[j].flags & HAS_VALUE) && lrs_prune_same_set(p, trial, j))
            r->scratch[n++] = g->cells[j].value;
    *v = lrs_prune_decide(p, trial, r->maximize, own->value, own->best, r->scratch, n);
    return 1;
}
