/* summary.c — see summary.h.  The grouping is a pure function of the
 * recorded values (lrs_summary_group_values), so the reference test feeds
 * it numpy's cases without a database; lrs_summary_load only gathers those
 * values and the declared range from the stored spec. */
#include "coordinator/summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/numfmt.h"
#include "common/prune.h"
#include "common/spec.h"

int lrs_summary_is_numeric(const lrs_param_info_t *p)
{
    return p->type == LRS_PT_FLOAT || p->type == LRS_PT_INT;
}

static int is_log_dist(lrs_dist_t d)
{
    return d == LRS_DIST_LOG_UNIFORM || d == LRS_DIST_INT_LOG_UNIFORM;
}

/* Whether node is parameter id (a user parameter: the one named user). */
static int node_is(const lrs_space_node_t *node, lrs_param_id_t id, const char *user)
{
    return node->param->id == id && (id != LRS_P_USER || strcmp(node->param->name, user) == 0);
}

/* Widens r by the ranges of id in block and its branches, depth first. */
static void widen_by_block(const lrs_space_block_t *block, lrs_param_id_t id, const char *user,
                           lrs_summary_range_t *r, int *all_log)
{
    for (int i = 0; i < block->n_nodes; i++) {
        const lrs_space_node_t *node = &block->nodes[i];
        if (node_is(node, id, user) && node->dist != LRS_DIST_VALUES) {
            r->lo = r->known ? fmin(r->lo, node->lo) : node->lo;
            r->hi = r->known ? fmax(r->hi, node->hi) : node->hi;
            r->known = 1;
            *all_log &= is_log_dist(node->dist);
        }
        if (node->branches)
            for (int k = 0; k < node->n_values; k++)
                widen_by_block(&node->branches[k], id, user, r, all_log);
    }
}

lrs_summary_range_t lrs_summary_space_range(const lrs_space_block_t *space, lrs_param_id_t id)
{
    lrs_summary_range_t r = {0};
    int all_log = 1;
    if (space)
        widen_by_block(space, id, NULL, &r, &all_log);
    r.log = r.known && all_log;
    return r;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* A trial whose score the statistics take: complete, with a score. */
static int is_scored(const lrs_query_param_value_t *v)
{
    return v->status == LRS_STATUS_COMPLETE && !isnan(v->score);
}

/* Counts v into g (its complete score, if any, is gathered elsewhere). */
static void count_value(lrs_summary_group_t *g, const lrs_query_param_value_t *v)
{
    g->count++;
    if (v->status == LRS_STATUS_DIVERGED)
        g->diverged++;
    else if (v->status == LRS_STATUS_FAILED)
        g->failed++;
    else if (v->status == LRS_STATUS_PRUNED)
        g->pruned++;
    else if (is_scored(v))
        g->complete++;
}

/* Best, median, quartiles and IQR of g's complete scores (sorted here). */
static void finish_stats(lrs_summary_group_t *g, double *scores, int maximize)
{
    size_t n = (size_t)g->complete;
    g->best = g->median = g->q25 = g->q75 = g->iqr = NAN;
    if (n == 0)
        return;
    qsort(scores, n, sizeof *scores, cmp_double);
    g->best = maximize ? scores[n - 1] : scores[0];
    g->median = lrs_prune_percentile_sorted(scores, n, 50.0);
    g->q25 = lrs_prune_percentile_sorted(scores, n, 25.0);
    g->q75 = lrs_prune_percentile_sorted(scores, n, 75.0);
    g->iqr = g->q75 - g->q25;
}

/* The range the bins cover: declared, widened to every recorded number;
 * log only when both ends are positive.  0 when there is no number at all
 * and nothing declared. */
static int bin_range(const lrs_summary_range_t *declared, const lrs_query_param_value_t *v,
                     size_t n, lrs_summary_range_t *r)
{
    *r = declared ? *declared : (lrs_summary_range_t){0};
    for (size_t i = 0; i < n; i++) {
        if (isnan(v[i].number))
            continue;
        r->lo = r->known ? fmin(r->lo, v[i].number) : v[i].number;
        r->hi = r->known ? fmax(r->hi, v[i].number) : v[i].number;
        r->known = 1;
    }
    r->log = r->log && r->lo > 0;
    return r->known;
}

/* Edge k of bins over r, as numpy.linspace / numpy.geomspace place them:
 * start + k·step, for log ranges in decades (10^(log10 lo + k·step)), so
 * a decade such as 0.1 is an edge exactly; edges 0 and bins are the ends. */
static double edge(const lrs_summary_range_t *r, int bins, int k)
{
    if (k == 0)
        return r->lo;
    if (k == bins)
        return r->hi;
    if (r->log) {
        double start = log10(r->lo);
        return pow(10.0, start + k * ((log10(r->hi) - start) / bins));
    }
    return r->lo + k * ((r->hi - r->lo) / bins);
}

/* The fewest significant digits (at least LRS_FMT_SHORT_DIGITS) at which
 * every bin's two edges, when they differ, still print differently. */
static int label_digits(const lrs_summary_group_t *g, size_t n)
{
    for (int d = LRS_FMT_SHORT_DIGITS; d < 17; d++) {
        int clash = 0;
        for (size_t i = 0; i < n && !clash; i++) {
            char a[48], b[48];
            lrs_fmt_display(g[i].low, d, a, sizeof a);
            lrs_fmt_display(g[i].high, d, b, sizeof b);
            clash = g[i].low != g[i].high && strcmp(a, b) == 0;
        }
        if (!clash)
            return d;
    }
    return 17;
}

/* "[low, high)", the last bin "[low, high]". */
static void label_bins(lrs_summary_group_t *g, size_t n)
{
    int d = label_digits(g, n);
    for (size_t i = 0; i < n; i++) {
        char a[48], b[48];
        lrs_fmt_display(g[i].low, d, a, sizeof a);
        lrs_fmt_display(g[i].high, d, b, sizeof b);
        snprintf(g[i].label, sizeof g[i].label, "[%s, %s%c", a, b, i + 1 == n ? ']' : ')');
    }
}

/* The bin of x among bins g[0..n) (sorted by low, x within the range):
 * the last whose low is ≤ x, so the last bin holds its high end. */
static size_t bin_of(const lrs_summary_group_t *g, size_t n, double x)
{
    size_t lo = 0, hi = n;   /* g[lo].low ≤ x; the answer is in [lo, hi) */
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if (g[mid].low <= x)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

/* Makes the bins of a numeric parameter in s->groups (room for bins + 1);
 * a range of one point is one bin [x, x]. */
static void make_bins(lrs_summary_t *s, const lrs_summary_range_t *r, int bins)
{
    if (r->lo == r->hi)
        bins = 1;
    for (int k = 0; k < bins; k++) {
        lrs_summary_group_t *g = &s->groups[s->n++];
        g->binned = 1;
        g->low = edge(r, bins, k);
        g->high = edge(r, bins, k + 1);
    }
    label_bins(s->groups, s->n);
}

/* The group slot of a value grouped by text: its group, made when new. */
static size_t text_slot(lrs_summary_t *s, const char *text)
{
    for (size_t i = 0; i < s->n; i++)
        if (!s->groups[i].missing && strcmp(s->groups[i].label, text) == 0)
            return i;
    snprintf(s->groups[s->n].label, sizeof s->groups[s->n].label, "%s", text);
    return s->n++;
}

/* 1 when x is shown before y: best first for the goal, then the groups
 * without a complete trial, then "-"; ties by label. */
static int shown_before(const lrs_summary_group_t *x, const lrs_summary_group_t *y, int maximize)
{
    if (x->missing != y->missing)
        return y->missing;
    int x_none = x->complete == 0, y_none = y->complete == 0;
    if (x_none != y_none)
        return y_none;
    if (!x_none && x->best != y->best)
        return maximize ? x->best > y->best : x->best < y->best;
    return strcmp(x->label, y->label) < 0;
}

/* Insertion sort by shown_before: groups of values are few. */
static void rank_groups(lrs_summary_group_t *g, size_t n, int maximize)
{
    for (size_t i = 1; i < n; i++) {
        lrs_summary_group_t key = g[i];
        size_t j = i;
        for (; j > 0 && shown_before(&key, &g[j - 1], maximize); j--)
            g[j] = g[j - 1];
        g[j] = key;
    }
}

/* The slot of each value: its bin or text group, or the "-" group (made
 * on first use) for a trial without the parameter. */
static void assign_slots(lrs_summary_t *s, const lrs_query_param_value_t *v, size_t n,
                         size_t *slot)
{
    size_t n_bins = s->numeric ? s->n : 0;
    long missing = -1;
    for (size_t i = 0; i < n; i++) {
        int lacks = s->numeric ? isnan(v[i].number) : !v[i].text;
        if (lacks) {
            if (missing < 0) {
                missing = (long)s->n++;
                s->groups[missing].missing = 1;
                snprintf(s->groups[missing].label, sizeof s->groups[missing].label, "-");
            }
            slot[i] = (size_t)missing;
        } else {
            slot[i] = s->numeric ? bin_of(s->groups, n_bins, v[i].number)
                                 : text_slot(s, v[i].text);
        }
        count_value(&s->groups[slot[i]], &v[i]);
    }
}

/* Each group's complete scores, gathered slot by slot into one block. */
static void finish_groups(lrs_summary_t *s, const lrs_query_param_value_t *v, size_t n,
                          const size_t *slot, size_t *start, double *scores, int maximize)
{
    size_t at = 0;
    for (size_t k = 0; k < s->n; k++) {
        start[k] = at;
        at += (size_t)s->groups[k].complete;
    }
    for (size_t i = 0; i < n; i++)
        if (is_scored(&v[i]))
            scores[start[slot[i]]++] = v[i].score;
    for (size_t k = 0; k < s->n; k++) {
        size_t c = (size_t)s->groups[k].complete;
        finish_stats(&s->groups[k], scores + start[k] - c, maximize);
    }
}

int lrs_summary_group_values(int numeric, const lrs_summary_range_t *declared, int bins,
                             int maximize, const lrs_query_param_value_t *v, size_t n,
                             lrs_summary_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    out->numeric = numeric;
    lrs_summary_range_t r = {0};
    int have_range = numeric && bin_range(declared, v, n, &r);
    size_t cap = (have_range ? (size_t)bins : n) + 1;
    size_t *slot = malloc((n ? n : 1) * sizeof *slot);
    size_t *start = malloc(cap * sizeof *start);
    double *scores = malloc((n ? n : 1) * sizeof *scores);
    out->groups = calloc(cap, sizeof *out->groups);
    if (!slot || !start || !scores || !out->groups) {
        free(slot);
        free(start);
        free(scores);
        lrs_summary_clear(out);
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    }
    if (have_range)
        make_bins(out, &r, bins);
    assign_slots(out, v, n, slot);
    finish_groups(out, v, n, slot, start, scores, maximize);
    if (!numeric)
        rank_groups(out->groups, out->n, maximize);
    free(slot);
    free(start);
    free(scores);
    return 0;
}

/* Recorded values with their text copied (the query's is borrowed). */
typedef struct values {
    lrs_query_param_value_t *v;
    size_t n, cap;
} values_t;

static void values_clear(values_t *vs)
{
    for (size_t i = 0; i < vs->n; i++)
        free((char *)vs->v[i].text);
    free(vs->v);
}

static int keep_value(void *ctx, const lrs_query_param_value_t *v)
{
    values_t *vs = ctx;
    if (vs->n == vs->cap) {
        size_t cap = vs->cap ? vs->cap * 2 : 256;
        lrs_query_param_value_t *p = realloc(vs->v, cap * sizeof *p);
        if (!p)
            return 1;
        vs->v = p;
        vs->cap = cap;
    }
    lrs_query_param_value_t *slot = &vs->v[vs->n];
    *slot = *v;
    if (v->text && !(slot->text = strdup(v->text)))
        return 1;
    vs->n++;
    return 0;
}

/* The declared range of p in sw's stored spec; none when it no longer
 * parses (the recorded values still give one). */
static lrs_summary_range_t declared_range(lrs_query_t *q, const lrs_query_sweep_t *sw,
                                          const lrs_param_info_t *p)
{
    lrs_err_t ignored;
    lrs_spec_t *spec = lrs_query_spec(q, sw, &ignored);
    lrs_summary_range_t r = lrs_summary_space_range(spec ? lrs_spec_space(spec) : NULL, p->id);
    lrs_spec_destroy(&spec);
    return r;
}

/* The first node of user parameter key in block, or NULL. */
static const lrs_space_node_t *find_user(const lrs_space_block_t *block, const char *key)
{
    for (int i = 0; block && i < block->n_nodes; i++) {
        const lrs_space_node_t *node = &block->nodes[i], *found = NULL;
        if (node_is(node, LRS_P_USER, key))
            return node;
        for (int k = 0; node->branches && k < node->n_values && !found; k++)
            found = find_user(&node->branches[k], key);
        if (found)
            return found;
    }
    return NULL;
}

/* A command sweep's own parameter key (not lrsweep's): whether it is
 * numeric and its declared range, from sw's stored spec.  -1 when the
 * spec has no such user parameter. */
static int user_param(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key, int *numeric,
                      lrs_summary_range_t *r)
{
    lrs_err_t ignored;
    lrs_spec_t *spec = lrs_query_spec(q, sw, &ignored);
    const lrs_space_node_t *node = find_user(spec ? lrs_spec_space(spec) : NULL, key);
    int all_log = 1;
    *r = (lrs_summary_range_t){0};
    if (node) {
        *numeric = lrs_summary_is_numeric(node->param);
        widen_by_block(lrs_spec_space(spec), LRS_P_USER, key, r, &all_log);
        r->log = r->known && all_log;
    }
    lrs_spec_destroy(&spec);
    return node ? 0 : -1;
}

int lrs_summary_load(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key, int bins,
                     lrs_summary_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    const lrs_param_info_t *p = lrs_param_find(key);
    int numeric = 0;
    lrs_summary_range_t user_range;
    if (!p && user_param(q, sw, key, &numeric, &user_range) < 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--by: '%s' is not a parameter name "
                           "(`lrsweep params` lists them; a command sweep's own parameters "
                           "are the names its search: gives)", key);
    if (p)
        numeric = lrs_summary_is_numeric(p);
    if (bins && !numeric)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--bins: %s is not numeric: its trials are "
                           "grouped by value, without bins", key);
    if (bins < 0 || bins > LRS_SUMMARY_BINS_MAX)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--bins: expected 1..%d, got %d",
                           LRS_SUMMARY_BINS_MAX, bins);
    values_t vs = {0};
    int rc = lrs_query_param_values(q, sw, key, keep_value, &vs, err);
    if (rc > 0)
        rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    if (rc == 0) {
        lrs_summary_range_t r = !numeric ? (lrs_summary_range_t){0}
                                : p ? declared_range(q, sw, p) : user_range;
        rc = lrs_summary_group_values(numeric, &r, bins ? bins : LRS_SUMMARY_BINS_DEFAULT,
                                      sw->maximize, vs.v, vs.n, out, err);
    }
    values_clear(&vs);
    return rc;
}

void lrs_summary_clear(lrs_summary_t *s)
{
    free(s->groups);
    memset(s, 0, sizeof *s);
}
