/* stats.c — Student's t distribution from the regularized incomplete beta
 * function, and the t interval of a mean.
 *
 * P(T ≤ t) = 1 − ½ I_x(df/2, ½) for t ≥ 0, with x = df / (df + t²); the
 * other half by symmetry.  I_x(a, b) is evaluated by its continued fraction
 * (modified Lentz), on the side of x where it converges fast (x below
 * (a + 1) / (a + b + 2), else through I_x(a, b) = 1 − I_{1−x}(b, a)).  The
 * quantile is found by bisection on the upper tail: a few thousand halvings
 * at most reach the last bit, and speed does not matter here (one call per table
 * row).
 */
#include "common/stats.h"

#include <math.h>

/* One term of the modified Lentz recurrence: folds coefficient num into the
 * running c and d; returns the factor the fraction's value changes by. */
static double lentz_step(double num, double *c, double *d)
{
    const double tiny = 1e-300;
    *d = 1.0 + num * *d;
    *c = 1.0 + num / *c;
    if (fabs(*d) < tiny)
        *d = tiny;
    if (fabs(*c) < tiny)
        *c = tiny;
    *d = 1.0 / *d;
    return *d * *c;
}

/* The continued fraction of I_x(a, b) without its prefactor. */
static double beta_fraction(double a, double b, double x)
{
    double c = 1.0, d = 1.0 - (a + b) * x / (a + 1.0);
    if (fabs(d) < 1e-300)
        d = 1e-300;
    d = 1.0 / d;
    double h = d;
    for (int m = 1; m <= 1000; m++) {
        double m2 = 2.0 * m;
        h *= lentz_step(m * (b - m) * x / ((a + m2 - 1.0) * (a + m2)), &c, &d);   /* even */
        double delta = lentz_step(-(a + m) * (a + b + m) * x / ((a + m2) * (a + m2 + 1.0)), &c,
                                  &d);                                               /* odd */
        h *= delta;
        if (fabs(delta - 1.0) < 1e-16)
            break;
    }
    return h;
}

/* I_x(a, b), the regularized incomplete beta function, 0 ≤ x ≤ 1. */
static double incomplete_beta(double a, double b, double x)
{
    if (x <= 0.0)
        return 0.0;
    if (x >= 1.0)
        return 1.0;
    double front = exp(lgamma(a + b) - lgamma(a) - lgamma(b) + a * log(x) + b * log1p(-x));
    if (x < (a + 1.0) / (a + b + 2.0))
        return front * beta_fraction(a, b, x) / a;
    return 1.0 - front * beta_fraction(b, a, 1.0 - x) / b;
}

/* P(T > |t|), accurate to the last bits also far in the tail. */
static double upper_tail(double t, double df)
{
    if (isinf(t))
        return 0.0;
    return 0.5 * incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
}

double lrs_t_cdf(double t, double df)
{
    if (isnan(t) || isnan(df) || df <= 0.0)
        return NAN;
    double tail = upper_tail(t, df);
    return t >= 0 ? 1.0 - tail : tail;
}

double lrs_t_quantile(double p, double df)
{
    if (!(p > 0.0 && p < 1.0) || !(df > 0.0))
        return NAN;
    if (p == 0.5)
        return 0.0;
    if (p < 0.5)
        return -lrs_t_quantile(1.0 - p, df);
    /* Bisect on the upper tail, not on the CDF: 1 − tail would round the
     * tail's last digits away. */
    double q = 1.0 - p, lo = 0.0, hi = 1.0;
    while (upper_tail(hi, df) > q && hi < 1e300)
        hi *= 2.0;
    for (int i = 0; i < 2000 && lo < hi; i++) {
        double mid = 0.5 * (lo + hi);
        if (mid == lo || mid == hi)
            break;
        if (upper_tail(mid, df) > q)
            lo = mid;
        else
            hi = mid;
    }
    return 0.5 * (lo + hi);
}

double lrs_mean_ci_half(double pop_std, int n, double level)
{
    if (n < 2 || isnan(pop_std) || !(level > 0.0 && level < 1.0))
        return NAN;
    double sample_std = pop_std * sqrt((double)n / (n - 1));
    return lrs_t_quantile(0.5 + level / 2.0, n - 1) * sample_std / sqrt((double)n);
}

void lrs_mean_pop_std(const double *first, size_t n, size_t stride, double *mean, double *pop_std)
{
    const char *base = (const char *)first;
    double sum = 0.0, ss = 0.0;
    for (size_t i = 0; i < n; i++)
        sum += *(const double *)(const void *)(base + i * stride);
    double m = sum / (double)n;
    for (size_t i = 0; i < n; i++) {
        double d = *(const double *)(const void *)(base + i * stride) - m;
        ss += d * d;
    }
    *mean = m;
    *pop_std = sqrt(ss / (double)n);
}
