/* test_rungs.c — the coordinator's book of rung values (coordinator/rungs.h):
 * with deterministic pruning the pruned trials, their epochs and every
 * decision's threshold do not depend on the order in which reports arrive.
 * A small simulator replays fixed synthetic curves once in index order (the
 * reference, each decision also recomputed from lrs_prune_decide) and then
 * in many random interleavings — up to 8 trials at once, dispatched in index
 * order, killed and re-run at random — and compares the books.  Then the
 * book's single rules: blockers, ends, prunes, non-deterministic specs,
 * exempt and threshold trials, repeated reports. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "common/prune.h"
#include "coordinator/rungs.h"

#define NT 60   /* trials */
#define NE 30   /* epochs per trial */
#define NSEEDS 200

static uint64_t rng_next(uint64_t *s)   /* splitmix64 */
{
    uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
static double rng_unit(uint64_t *s) { return (double)(rng_next(s) >> 11) * 0x1p-53; }
static int rng_int(uint64_t *s, int n) { return (int)(rng_next(s) % (uint64_t)n); }

/* Decaying noisy losses; stop = the last epoch a trial reports (NE: it
 * trains to the end, 0: it fails at once, else it diverges and ends there). */
typedef struct {
    double loss[NT][NE + 1];
    int stop[NT];
} curves_t;

static void make_curves(curves_t *c, uint64_t seed)
{
    for (int i = 0; i < NT; i++) {
        double a = 0.1 + 0.4 * rng_unit(&seed), b = 0.5 + rng_unit(&seed);
        double tau = 3.0 + 9.0 * rng_unit(&seed);
        c->stop[i] = i % 11 == 7 ? 4 + rng_int(&seed, 20) : (i == 13 || i == 44) ? 0 : NE;
        for (int e = 1; e <= NE; e++) {
            double x = a + b * exp(-e / tau) + 0.06 * (rng_unit(&seed) - 0.5);
            if (c->stop[i] < NE && e > c->stop[i] - 3)
                x *= pow(2.0, e - (c->stop[i] - 3));   /* blows up, then ends */
            c->loss[i][e] = x;
        }
    }
}

static double metric(const curves_t *c, int i, int e, int mx) { return mx ? -c->loss[i][e] : c->loss[i][e]; }
static double better(double best, double x, int mx) { return mx ? fmax(best, x) : fmin(best, x); }

/* Rung of epoch e when e is a rung epoch of trial i (the first epoch that
 * reaches it), else -1. */
static int rung_epoch_at(const lrs_prune_spec_t *p, int i, int e)
{
    int k = lrs_prune_rung_at(p, (uint64_t)i, e, NE);
    return k >= 0 && k != lrs_prune_rung_at(p, (uint64_t)i, e - 1, NE) ? k : -1;
}

static void assert_verdict_equal(lrs_prune_verdict_t a, lrs_prune_verdict_t b)
{
    assert_int_equal(a.prune, b.prune);
    assert_true((isnan(a.threshold) && isnan(b.threshold)) || a.threshold == b.threshold);
}

enum { R_MEDIAN, R_PCT25_MAX, R_SH, R_HB, R_THRESHOLD, R_COUNT };

static lrs_prune_spec_t make_rule(int which, int *mx)
{
    static const lrs_prune_rule_t rule[R_COUNT] = {LRS_PRUNE_MEDIAN, LRS_PRUNE_PERCENTILE,
                                                   LRS_PRUNE_SUCCESSIVE_HALVING,
                                                   LRS_PRUNE_HYPERBAND, LRS_PRUNE_THRESHOLD};
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, rule[which]);
    p.max_epochs = NE;
    *mx = which == R_PCT25_MAX;
    if (which == R_MEDIAN)
        p.n_startup_trials = 3;
    if (which == R_PCT25_MAX)
        p.percentile = 25.0;
    if (which == R_SH)
        p.min_resource = 2, p.reduction_factor = 3;
    if (which == R_HB)
        p.min_resource = 1, p.max_resource = 27, p.reduction_factor = 3;
    if (which == R_THRESHOLD)
        p.upper = 1.5;
    lrs_prune_finish(&p);
    return p;
}

/* The reference: trial by trial in index order; every decision ready at
 * once and equal to lrs_prune_decide over the lower-index values kept here. */
static lrs_rungs_t *run_reference(const lrs_prune_spec_t *p, int mx, const curves_t *c, int *n_pruned)
{
    static double val[NT][NE + 1];
    static char has[NT][NE + 1];
    memset(has, 0, sizeof has);
    lrs_rungs_t *r = lrs_rungs_new(p, mx);
    assert_non_null(r);
    *n_pruned = 0;
    for (int i = 0; i < NT; i++) {
        double best = mx ? -INFINITY : INFINITY;
        int pruned = 0;
        for (int e = 1; e <= c->stop[i] && !pruned; e++) {
            double x = metric(c, i, e, mx);
            best = better(best, x, mx);
            int k = rung_epoch_at(p, i, e);
            if (k < 0)
                continue;
            assert_int_equal(lrs_rungs_report(r, (uint64_t)i, k, e, x, best), 1);
            val[i][k] = x;
            has[i][k] = 1;
            lrs_prune_verdict_t v, w;
            uint64_t bl = UINT64_MAX;
            assert_int_equal(lrs_rungs_try_decide(r, (uint64_t)i, k, &v, &bl), 1);
            double others[NT];
            size_t n = 0;
            for (int j = 0; j < i && lrs_prune_compares(p); j++)
                if (has[j][k] && lrs_prune_same_set(p, (uint64_t)i, (uint64_t)j))
                    others[n++] = val[j][k];
            w = lrs_prune_decide(p, (uint64_t)i, mx, x, best, others, n);
            assert_verdict_equal(v, w);
            assert_int_equal(lrs_rungs_set_decision(r, (uint64_t)i, k, v), 0);
            pruned = v.prune;
        }
        if (pruned)
            ++*n_pruned;
        else
            assert_int_equal(lrs_rungs_end(r, (uint64_t)i), 0);
    }
    return r;
}

enum { PENDING, RUNNING, WAITING, DONE };

typedef struct {
    int state, epoch, k;
    double best;
} trial_t;

typedef struct {
    const lrs_prune_spec_t *p;
    int mx;
    const curves_t *c;
    lrs_rungs_t *r;
    uint64_t rng;
    trial_t t[NT];
    char reported[NT][NE + 1];   /* some attempt reported trial i at rung k */
    int running, done;
    long blocked, reused, kills;  /* counts over every run, to see them exercised */
} sim_t;

/* Re-tries every pending decision, in a random order, until none moves. */
static void settle(sim_t *s)
{
    for (int moved = 1; moved;) {
        moved = 0;
        int w[NT], n = 0;
        for (int i = 0; i < NT; i++)
            if (s->t[i].state == WAITING)
                w[n++] = i;
        for (int a = n - 1; a > 0; a--) {
            int b = rng_int(&s->rng, a + 1), x = w[a];
            w[a] = w[b], w[b] = x;
        }
        for (int a = 0; a < n; a++) {
            int i = w[a];
            trial_t *t = &s->t[i];
            lrs_prune_verdict_t v;
            uint64_t bl = UINT64_MAX;
            int rc = lrs_rungs_try_decide(s->r, (uint64_t)i, t->k, &v, &bl);
            if (rc == 0) {   /* blocker: the lowest lower-index trial unresolved at k */
                int j = 0;
                while (j < i && (s->t[j].state == DONE || s->reported[j][t->k]))
                    j++;
                assert_true(j < i);
                assert_int_equal(bl, (uint64_t)j);
                s->blocked++;
                continue;
            }
            assert_int_equal(rc, 1);
            assert_int_equal(lrs_rungs_set_decision(s->r, (uint64_t)i, t->k, v), 0);
            moved = 1;
            if (v.prune) {
                t->state = DONE;
                s->running--, s->done++;
            } else {
                t->state = RUNNING;
            }
        }
    }
    /* No deadlock: the lowest trial not done is never left waiting. */
    for (int i = 0; i < NT; i++)
        if (s->t[i].state != DONE) {
            assert_int_not_equal(s->t[i].state, WAITING);
            break;
        }
}

/* Trial i trains 1..3 epochs, stopping at a rung without a decision. */
static void step(sim_t *s, int i)
{
    trial_t *t = &s->t[i];
    for (int n = 1 + rng_int(&s->rng, 3); n > 0; n--) {
        if (t->epoch == s->c->stop[i]) {   /* finished, diverged or failed */
            assert_int_equal(lrs_rungs_end(s->r, (uint64_t)i), 0);
            t->state = DONE;
            s->running--, s->done++;
            return;
        }
        int e = ++t->epoch, k = rung_epoch_at(s->p, i, e);
        double x = metric(s->c, i, e, s->mx);
        t->best = better(t->best, x, s->mx);
        if (k < 0)
            continue;
        int rc = lrs_rungs_report(s->r, (uint64_t)i, k, e, x, t->best);
        assert_int_equal(rc, s->reported[i][k] ? 0 : 1);
        s->reported[i][k] = 1;
        lrs_prune_verdict_t v;
        if (lrs_rungs_decision(s->r, (uint64_t)i, k, &v)) {   /* a re-run passes a decided rung */
            assert_false(v.prune);
            s->reused++;
            continue;
        }
        t->state = WAITING;
        t->k = k;
        return;
    }
}

static lrs_rungs_t *run_shuffled(sim_t *s, uint64_t seed)
{
    int width = 1 + (int)(seed % 8), kills_left = 12;
    s->r = lrs_rungs_new(s->p, s->mx);
    assert_non_null(s->r);
    s->rng = seed * 0x2545f4914f6cdd1dull + 17;
    memset(s->t, 0, sizeof s->t);
    memset(s->reported, 0, sizeof s->reported);
    s->running = s->done = 0;
    for (long events = 0; s->done < NT; events++) {
        assert_true(events < 1000000);
        int lowest = -1, go[NT], n_go = 0, live[NT], n_live = 0;
        for (int i = NT - 1; i >= 0; i--) {
            if (s->t[i].state == PENDING)
                lowest = i;
            if (s->t[i].state == RUNNING)
                go[n_go++] = i;
            if (s->t[i].state == RUNNING || s->t[i].state == WAITING)
                live[n_live++] = i;
        }
        int can_start = lowest >= 0 && s->running < width;
        assert_true(can_start || n_go > 0);   /* else: deadlock */
        if (kills_left > 0 && n_live > 0 && rng_int(&s->rng, 100) < 3) {
            trial_t *t = &s->t[live[rng_int(&s->rng, n_live)]];   /* its worker dies */
            t->state = PENDING;
            s->running--, kills_left--, s->kills++;
        } else if (can_start && (n_go == 0 || rng_int(&s->rng, 3) == 0)) {
            trial_t *t = &s->t[lowest];   /* dispatched in index order, a new attempt */
            t->state = RUNNING;
            t->epoch = 0;
            t->best = s->mx ? -INFINITY : INFINITY;
            s->running++;
        } else {
            step(s, go[rng_int(&s->rng, n_go)]);
        }
        settle(s);
    }
    return s->r;
}

static void assert_books_equal(const lrs_rungs_t *a, const lrs_rungs_t *b)
{
    for (int i = 0; i < NT; i++) {
        int ka = -1, ea = -1, kb = -1, eb = -1;
        assert_int_equal(lrs_rungs_pruned_at(a, (uint64_t)i, &ka, &ea),
                         lrs_rungs_pruned_at(b, (uint64_t)i, &kb, &eb));
        assert_int_equal(ka, kb);
        assert_int_equal(ea, eb);
        for (int k = 0; k <= NE; k++) {
            lrs_prune_verdict_t va, vb;
            int da = lrs_rungs_decision(a, (uint64_t)i, k, &va);
            assert_int_equal(da, lrs_rungs_decision(b, (uint64_t)i, k, &vb));
            if (da)
                assert_verdict_equal(va, vb);
            double xa, xb, ba, bb;
            int pa, pb;
            int ha = lrs_rungs_value(a, (uint64_t)i, k, &xa, &ba, &pa);
            assert_int_equal(ha, lrs_rungs_value(b, (uint64_t)i, k, &xb, &bb, &pb));
            if (ha) {
                assert_true(xa == xb && ba == bb);
                assert_int_equal(pa, pb);
            }
        }
    }
}

static void test_order_independent(void **state)
{
    (void)state;
    static curves_t c;
    make_curves(&c, 20240601);
    for (int which = 0; which < R_COUNT; which++) {
        int mx, n_pruned;
        lrs_prune_spec_t p = make_rule(which, &mx);
        lrs_rungs_t *ref = run_reference(&p, mx, &c, &n_pruned);
        assert_true(n_pruned > 0 && n_pruned < NT);   /* the rule bites, not everywhere */
        static sim_t s;
        memset(&s, 0, sizeof s);
        s.p = &p, s.mx = mx, s.c = &c;
        for (uint64_t seed = 1; seed <= NSEEDS; seed++) {
            lrs_rungs_t *r = run_shuffled(&s, seed);
            assert_books_equal(ref, r);
            lrs_rungs_destroy(&r);
        }
        assert_true(s.kills > 0 && s.reused > 0);
        if (lrs_prune_compares(&p))
            assert_true(s.blocked > 0);
        else
            assert_int_equal(s.blocked, 0);   /* threshold: never waits */
        lrs_rungs_destroy(&ref);
    }
}

static lrs_rungs_t *median_book(int deterministic)
{
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_MEDIAN);
    p.n_startup_trials = 3;
    p.deterministic = deterministic;
    lrs_rungs_t *r = lrs_rungs_new(&p, 0);
    assert_non_null(r);
    return r;
}

static void test_blocker_end_prune(void **state)
{
    (void)state;
    lrs_rungs_t *r = median_book(1);
    lrs_prune_verdict_t v;
    uint64_t bl = 99;
    assert_int_equal(lrs_rungs_try_decide(r, 5, 1, &v, &bl), -1);   /* no value yet */
    assert_int_equal(lrs_rungs_report(r, 5, 1, 1, 0.9, 0.9), 1);
    assert_int_equal(lrs_rungs_try_decide(r, 5, 1, &v, &bl), 0);
    assert_int_equal(bl, 0);
    /* the exempt startup trials are ready at once, though they block others */
    for (uint64_t j = 0; j < 3; j++) {
        assert_int_equal(lrs_rungs_report(r, j, 1, 1, 0.1 * (double)(j + 1), 0.1), 1);
        assert_int_equal(lrs_rungs_try_decide(r, j, 1, &v, NULL), 1);
        assert_true(!v.prune && isnan(v.threshold));
        assert_int_equal(lrs_rungs_set_decision(r, j, 1, v), 0);
    }
    assert_int_equal(lrs_rungs_try_decide(r, 5, 1, &v, &bl), 0);
    assert_int_equal(bl, 3);
    assert_int_equal(lrs_rungs_end(r, 3), 0);   /* trial 3 failed: resolved everywhere */
    assert_int_equal(lrs_rungs_try_decide(r, 5, 1, &v, &bl), 0);
    assert_int_equal(bl, 4);
    assert_int_equal(lrs_rungs_end(r, 4), 0);
    assert_int_equal(lrs_rungs_try_decide(r, 5, 1, &v, &bl), 1);
    assert_true(v.prune && fabs(v.threshold - 0.2) < 1e-15);   /* 0.9 > median(0.1, 0.2, 0.3) */
    int k = -1, e = -1;
    assert_int_equal(lrs_rungs_pruned_at(r, 5, &k, &e), 0);   /* not until recorded */
    assert_int_equal(lrs_rungs_set_decision(r, 5, 1, v), 0);
    assert_int_equal(lrs_rungs_pruned_at(r, 5, &k, &e), 1);
    assert_true(k == 1 && e == 1);
    assert_true(lrs_rungs_decision(r, 5, 1, &v) == 1 && v.prune);
    assert_int_equal(lrs_rungs_pruned_at(r, 0, &k, &e), 0);
    /* the pruned trial ended: it does not block trial 6 at a later rung */
    for (uint64_t j = 0; j < 3; j++)
        assert_int_equal(lrs_rungs_report(r, j, 2, 2, 0.5, 0.1), 1);
    assert_int_equal(lrs_rungs_report(r, 6, 2, 2, 0.4, 0.05), 1);
    assert_int_equal(lrs_rungs_try_decide(r, 6, 2, &v, &bl), 1);
    assert_true(!v.prune && v.threshold == 0.5);   /* best 0.05 ≤ median 0.5 */
    /* …but a live trial does: trial 0 has no value at rung 3 */
    assert_int_equal(lrs_rungs_report(r, 7, 3, 3, 0.4, 0.4), 1);
    assert_int_equal(lrs_rungs_try_decide(r, 7, 3, &v, &bl), 0);
    assert_int_equal(bl, 0);
    lrs_rungs_destroy(&r);
    assert_null(r);
    lrs_rungs_destroy(&r);   /* takes NULL */
}

static void test_not_deterministic(void **state)
{
    (void)state;
    lrs_rungs_t *r = median_book(0);
    lrs_prune_verdict_t v;
    uint64_t bl = 99;
    assert_int_equal(lrs_rungs_report(r, 9, 1, 1, 0.5, 0.5), 1);
    assert_int_equal(lrs_rungs_try_decide(r, 9, 1, &v, &bl), 1);   /* trials 0..8 unresolved */
    assert_true(!v.prune && isnan(v.threshold) && bl == 99);   /* nothing to compare with yet */
    /* compared with every value known, higher indices too */
    assert_int_equal(lrs_rungs_report(r, 20, 1, 1, 0.1, 0.1), 1);
    assert_int_equal(lrs_rungs_report(r, 2, 1, 1, 0.3, 0.3), 1);
    assert_int_equal(lrs_rungs_try_decide(r, 9, 1, &v, &bl), 1);
    assert_true(v.prune && fabs(v.threshold - 0.2) < 1e-15);   /* 0.5 > median(0.1, 0.3) */
    lrs_rungs_destroy(&r);
}

static void test_threshold_and_repeats(void **state)
{
    (void)state;
    lrs_prune_spec_t p;
    lrs_prune_defaults(&p, LRS_PRUNE_THRESHOLD);
    p.upper = 1.0;
    lrs_rungs_t *r = lrs_rungs_new(&p, 0);
    assert_non_null(r);
    assert_int_equal(lrs_rungs_spec(r)->rule, LRS_PRUNE_THRESHOLD);
    lrs_prune_verdict_t v;
    uint64_t bl = 99;
    assert_int_equal(lrs_rungs_report(r, 40, 2, 2, 1.5, 0.7), 1);
    assert_int_equal(lrs_rungs_try_decide(r, 40, 2, &v, &bl), 1);   /* no lower trial waited for */
    assert_true(v.prune && v.threshold == 1.0);
    /* the first reported value stays */
    assert_int_equal(lrs_rungs_report(r, 40, 2, 3, 0.2, 0.2), 0);
    double x, best;
    int e;
    assert_int_equal(lrs_rungs_value(r, 40, 2, &x, &best, &e), 1);
    assert_true(x == 1.5 && best == 0.7 && e == 2);
    assert_true(lrs_rungs_try_decide(r, 40, 2, &v, &bl) == 1 && v.prune);
    assert_int_equal(lrs_rungs_value(r, 40, 3, &x, &best, &e), 0);
    assert_int_equal(lrs_rungs_value(r, 39, 2, &x, &best, &e), 0);
    assert_int_equal(lrs_rungs_decision(r, 40, 2, &v), 0);
    lrs_rungs_destroy(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_order_independent),
        cmocka_unit_test(test_blocker_end_prune),
        cmocka_unit_test(test_not_deterministic),
        cmocka_unit_test(test_threshold_and_repeats),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
