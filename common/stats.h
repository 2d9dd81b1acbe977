/* stats.h — the small statistics lrsweep reports with a score: Student's t
 * distribution and the confidence interval of a mean.
 *
 * A config's confirmed score is the mean of n independent runs (each a full
 * k-fold cross-validation with a fresh seed).  Its 95% interval is the
 * Student t interval mean ± t(0.975, n − 1) · s / √n with s the sample
 * standard deviation (n − 1 in the denominator): exact for normal run
 * scores, and the usual choice for a handful of runs.  Fold scores within
 * one run share most of their training rows, so they are not the n here.
 */
#ifndef LRS_STATS_H
#define LRS_STATS_H

#include <stddef.h>

/* P(T ≤ t) for Student's t with df > 0 degrees of freedom (df may be
 * fractional).  NaN for NaN input or df ≤ 0. */
double lrs_t_cdf(double t, double df);

/* The t with P(T ≤ t) = p, for 0 < p < 1 and df > 0; NaN otherwise.
 * Agrees with scipy.stats.t.ppf to about 1e-12 relative
 * (tests/reference/test_stats.c). */
double lrs_t_quantile(double p, double df);

/* The two-sided confidence interval at level (e.g. 0.95) of the mean of n
 * values given their mean and population standard deviation pop_std (as
 * trials.score_std stores it): returns the half-width; NaN when n < 2 or
 * an input is NaN.  The interval is mean ± half-width. */
double lrs_mean_ci_half(double pop_std, int n, double level);

/* The mean of n ≥ 1 doubles and their population standard deviation (n in
 * the denominator), the way every score of folds, repeats or a command's
 * fold runs is summarised: the sum in order over n, then the squared
 * deviations in order, sqrt of their sum over n.  The values are first,
 * first + stride bytes, … (a field of an array of structs: stride its
 * element size; plain doubles: sizeof(double)). */
void lrs_mean_pop_std(const double *first, size_t n, size_t stride, double *mean, double *pop_std);

#endif
