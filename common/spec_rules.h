/* spec_rules.h — the behaviour rules a sweep runs under.
 *
 * When a default changes in a way that changes results, the old behaviour
 * stays available as a numbered set of rules: a sweep records the rules it
 * was created under (sweeps.rules, docs/schema.md), a resumed sweep keeps
 * them, and its workers parse the spec under them (the WELCOME carries
 * them), so a newer release never changes an older sweep's trials.  A spec
 * read without a database (validate, sample, train --spec) and every new
 * sweep use LRS_RULES_CURRENT.
 *
 *   rules 0  the behaviour before rules existed (sweeps.rules NULL): targets
 *            as they are; log grid points exp(log lo + t·(log hi − log lo)).
 *   rules 1  a regression target is standardized (per column) unless the
 *            spec says `standardize_target: false`; log-uniform grid points
 *            are 10^e for evenly spaced decimal exponents e, so decimal ends
 *            give exact powers of ten.
 *
 * Each rule that depends on the number is decided here, once.
 */
#ifndef LRS_SPEC_RULES_H
#define LRS_SPEC_RULES_H

#define LRS_RULES_LEGACY 0    /* a sweep stored without rules (NULL) */
#define LRS_RULES_CURRENT 1   /* new sweeps, and specs read without a database */

/* 1 when rules is a set this release knows (0..LRS_RULES_CURRENT). */
int lrs_rules_known(int rules);

/* Whether a built-in spec standardizes its regression target: written is
 * the spec's `data.standardize_target` (0 or 1), or -1 when not written;
 * classification is 1 when the spec says the task is classification (task,
 * or a logistic model).  Unwritten, rules 1 standardizes a regression
 * target. */
int lrs_rules_standardize_target(int rules, int written, int classification);

/* Whether log-uniform `grid: N` points come from decimal exponents. */
int lrs_rules_decimal_grid(int rules);

#endif
