/* space_build.h — the `search:` section of a spec, built into a search space.
 *
 * Each key of `search:` is a parameter of common/params.h; each value a
 * fixed value, a distribution (values, uniform, log_uniform, int_uniform,
 * int_log_uniform, with an optional grid: N) or, for a choice or bool
 * parameter, a mapping of choices whose values are blocks of their own
 * (branches, nested to any depth).  Every value and range end is checked
 * through lrs_trial_cfg_set[_number] as it is read.  Then every combination
 * of branches a trial can take is walked once, to check what only a whole
 * trial shows: a parameter that does not belong to the trial's optimizer or
 * scheduler, one given twice, a missing required one, nesterov without
 * momentum, warm-up against plateau or epochs.  A space built without an
 * error therefore never gives a trial that lrs_trial_cfg_finalize refuses.
 *
 * The result is the tree of common/space.h in canonical order, with what the
 * samplers (common/sampler.h) need filled in: the unit dimension of each
 * searched node (in pre-order) and the grid counts.  The spec loader
 * (common/spec.c) is the one caller; this file knows nothing of the rest of
 * a spec but which sampler will draw from the space.
 */
#ifndef LRS_SPACE_BUILD_H
#define LRS_SPACE_BUILD_H

#include "common/sampler.h"
#include "common/space.h"
#include "common/space_user.h"
#include "common/yaml_doc.h"

/* Builds the space written at search (the value of `search:`) into *block,
 * the top block, which the caller provides; every node, value list and
 * message path below it is allocated in c->arena.  Adds every error found
 * to c->d, at its line:column, named by its path
 * ("search.optimizer.sgd.momentum: …").  *dims gets the number of unit
 * dimensions handed out (the searched parameters, counted once per branch;
 * 0 when the tree itself has errors).  sampler adds its own checks: grid
 * needs grid: N on every continuous range and at most 2^53 points, sobol at
 * most LRS_SOBOL_MAX_DIMS dimensions.  Out of memory sets c->d->oom or
 * c->arena->failed.  Returns nothing: the caller reads c->d.  A parameter
 * written wrongly stays in the tree, marked invalid, so only a tree built
 * without errors may be sampled.  decimal_grid (lrs_rules_decimal_grid)
 * gives every log_uniform range with `grid: N ≥ 3` its points from evenly
 * spaced decimal exponents: 10^e, e = (e_lo·(N−1−k) + e_hi·k)/(N−1), an
 * end's exponent being the integer n when the end is the double nearest
 * 10^n, and an integer e giving that double exactly.  users says whether
 * names that are not lrsweep's are the script's own (common/space_user.h)
 * and gets the space's user names, sorted (their slots). */
void lrs_space_build(lrs_yctx_t *c, const lrs_ynode_t *search, lrs_sampler_kind_t sampler,
                     int decimal_grid, lrs_space_users_t *users, lrs_space_block_t *block, int *dims);

#endif
