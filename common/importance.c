/* importance.c — Spearman's ρ and η² (see importance.h).
 *
 * Ranks: the order of the values (qsort of indices), each run of equal
 * values given the mean of the ranks it spans, 1-based as scipy's
 * rankdata(method='average').  ρ is then Pearson's r of the two rank
 * vectors, computed from centred sums in double (n up to millions: the
 * sums of squares stay exact to ~1e-16 relative). */
#include "common/importance.h"

#include <math.h>
#include <stdlib.h>

typedef struct ranked {
    double v;
    size_t i;
} ranked_t;

static int by_value(const void *a, const void *b)
{
    const ranked_t *x = a, *y = b;
    return x->v < y->v ? -1 : x->v > y->v ? 1 : (x->i > y->i) - (x->i < y->i);
}

/* rank[i]: the average 1-based rank of v[i] among the n values; -1 out of memory. */
static int average_ranks(size_t n, const double *v, double *rank)
{
    ranked_t *r = malloc(n * sizeof *r);
    if (!r)
        return -1;
    for (size_t i = 0; i < n; i++)
        r[i] = (ranked_t){v[i], i};
    qsort(r, n, sizeof *r, by_value);
    for (size_t lo = 0; lo < n;) {
        size_t hi = lo + 1;
        while (hi < n && r[hi].v == r[lo].v)
            hi++;
        double mean = (double)(lo + 1 + hi) / 2.0;   /* ranks lo+1 .. hi */
        for (size_t k = lo; k < hi; k++)
            rank[r[k].i] = mean;
        lo = hi;
    }
    free(r);
    return 0;
}

/* Pearson's r of a and b; NaN when either is constant. */
static double pearson(size_t n, const double *a, const double *b)
{
    double ma = 0, mb = 0;
    for (size_t i = 0; i < n; i++) {
        ma += a[i];
        mb += b[i];
    }
    ma /= (double)n;
    mb /= (double)n;
    double sab = 0, saa = 0, sbb = 0;
    for (size_t i = 0; i < n; i++) {
        double da = a[i] - ma, db = b[i] - mb;
        sab += da * db;
        saa += da * da;
        sbb += db * db;
    }
    if (saa == 0 || sbb == 0)
        return NAN;
    double r = sab / sqrt(saa * sbb);
    return r > 1 ? 1 : r < -1 ? -1 : r;
}

double lrs_spearman(size_t n, const double *x, const double *y)
{
    if (n < 3)
        return NAN;
    double *rx = malloc(2 * n * sizeof *rx);
    if (!rx)
        return NAN;
    double *ry = rx + n, rho = NAN;
    if (average_ranks(n, x, rx) == 0 && average_ranks(n, y, ry) == 0)
        rho = pearson(n, rx, ry);
    free(rx);
    return rho;
}

double lrs_eta_squared(size_t n, const int *group, int n_groups, const double *y)
{
    if (n < 2 || n_groups < 2)
        return NAN;
    double *sum = calloc((size_t)n_groups, sizeof *sum);
    size_t *count = calloc((size_t)n_groups, sizeof *count);
    double eta = NAN;
    if (!sum || !count)
        goto done;
    double mean = 0;
    for (size_t i = 0; i < n; i++) {
        sum[group[i]] += y[i];
        count[group[i]]++;
        mean += y[i];
    }
    mean /= (double)n;
    double total = 0, between = 0;
    for (size_t i = 0; i < n; i++)
        total += (y[i] - mean) * (y[i] - mean);
    int present = 0;
    for (int g = 0; g < n_groups; g++) {
        if (!count[g])
            continue;
        present++;
        double d = sum[g] / (double)count[g] - mean;
        between += (double)count[g] * d * d;
    }
    if (present >= 2 && total > 0)
        eta = fmin(1.0, between / total);
done:
    free(sum);
    free(count);
    return eta;
}
