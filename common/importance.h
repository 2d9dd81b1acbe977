/* importance.h — how much a parameter goes with the score, as the report
 * ranks parameters: two plain statistics, named for what they are.
 *
 * A numeric parameter gets Spearman's rank correlation ρ with the score
 * (scipy.stats.spearmanr: Pearson's r of the ranks, ties given their
 * average rank), so lr and log lr rank alike and any monotone effect
 * counts, not only a straight line.  A categorical one (optimizer,
 * scheduler, a choice, a bool) gets η², the share of the score's variance
 * that lies between its groups (SS_between / SS_total, as a one-way
 * ANOVA reads it).  Neither sees interactions; ρ² and η² are both a
 * share of variance explained (of the ranks, of the scores) and the
 * report sorts by them, saying which is which.  Pure functions; checked
 * against SciPy and NumPy (tests/reference/test_importance.c).
 */
#ifndef LRS_IMPORTANCE_H
#define LRS_IMPORTANCE_H

#include <stddef.h>

/* Spearman's ρ of the n pairs (x[i], y[i]), in -1..1.  NaN when n < 3,
 * when x or y is constant, or out of memory. */
double lrs_spearman(size_t n, const double *x, const double *y);

/* η² of y over groups: group[i] in 0..n_groups-1 is y[i]'s group.  In
 * 0..1; NaN when n < 2, fewer than two groups are present, y is constant,
 * or out of memory. */
double lrs_eta_squared(size_t n, const int *group, int n_groups, const double *y);

#endif
