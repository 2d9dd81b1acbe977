/* sampler.h — turning a trial index into parameter values.
 *
 * Three samplers over one search space (common/space.h), each a pure
 * function of (space, seed, index) with no shared state, so trial 10^6 costs
 * what trial 0 does and any process can regenerate any trial:
 *   random  node with unit dimension d takes coordinate d of the
 *           counter-based stream lrs_rng_key(seed, index, LRS_RNG_SAMPLE):
 *           draws never shift when another branch is taken;
 *   sobol   coordinate d of Owen-scrambled Sobol point `index` (seeded by
 *           the sweep seed); one dimension per searched node in pre-order,
 *           conditional ones included;
 *   grid    mixed-radix decoding of index: in a block the last node varies
 *           fastest; a conditional node's digits run through its branches in
 *           order, each branch's own sub-grid in turn.
 * lrs_sampler_draw neither allocates nor formats.
 */
#ifndef LRS_SAMPLER_H
#define LRS_SAMPLER_H

#include <stdint.h>

#include "common/err.h"
#include "common/params.h"
#include "common/space.h"

typedef enum { LRS_SAMPLER_RANDOM, LRS_SAMPLER_GRID, LRS_SAMPLER_SOBOL } lrs_sampler_kind_t;

typedef struct lrs_sampler lrs_sampler_t;

/* The names a spec writes for the kinds, in enum order, NULL-terminated. */
extern const char *const lrs_sampler_names[];

/* The name of kind ("random", "grid", "sobol"); "?" for a value outside
 * the enum. */
const char *lrs_sampler_kind_name(lrs_sampler_kind_t kind);

/* A sampler of kind over the tree at root, whose searched nodes use unit
 * dimensions 0..dims-1.  The tree must outlive the sampler. */
lrs_sampler_t *lrs_sampler_new(lrs_sampler_kind_t kind, const lrs_space_block_t *root, int dims,
                               uint64_t seed, lrs_err_t *err);
void lrs_sampler_destroy(lrs_sampler_t **s);

/* Stores trial index's values into cfg (which the caller initialised) and
 * marks them given.  Fails only for an index outside the sampler's range
 * (grid: ≥ the grid size; sobol: ≥ 2^32). */
int lrs_sampler_draw(const lrs_sampler_t *s, uint64_t index, lrs_trial_cfg_t *cfg, lrs_err_t *err);

/* Unit coordinate of dimension dim for trial index (random and sobol) —
 * exposed for the evenness tests. */
double lrs_sampler_unit(const lrs_sampler_t *s, uint64_t index, int dim);

#endif
