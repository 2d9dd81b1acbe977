/* sampler.c — random, sobol and grid samplers (see sampler.h). */
#include "common/sampler.h"

#include <assert.h>
#include <stdlib.h>

#include "common/rng.h"
#include "common/sobol.h"

struct lrs_sampler {
    lrs_sampler_kind_t kind;
    const lrs_space_block_t *root;
    int dims;
    uint64_t seed;
    lrs_sobol_t *sobol;   /* sobol only */
};

lrs_sampler_t *lrs_sampler_new(lrs_sampler_kind_t kind, const lrs_space_block_t *root, int dims,
                               uint64_t seed, lrs_err_t *err)
{
    lrs_sampler_t *s = calloc(1, sizeof *s);
    if (!s) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "sampler: out of memory");
        return NULL;
    }
    s->kind = kind;
    s->root = root;
    s->dims = dims;
    s->seed = seed;
    if (kind == LRS_SAMPLER_SOBOL && dims > 0) {
        s->sobol = lrs_sobol_new(dims, seed, err);
        if (!s->sobol)
            lrs_sampler_destroy(&s);
    }
    return s;
}

void lrs_sampler_destroy(lrs_sampler_t **s)
{
    if (!s || !*s)
        return;
    lrs_sobol_destroy(&(*s)->sobol);
    free(*s);
    *s = NULL;
}

/* Where unit coordinates come from for one trial. */
typedef struct unit_source {
    const lrs_sampler_t *sampler;
    uint64_t index;
    lrs_rng_t rng;   /* random: the trial's stream, read at counter = dim */
} unit_source_t;

static double source_unit(unit_source_t *src, int dim)
{
    if (src->sampler->kind == LRS_SAMPLER_SOBOL)
        return lrs_sobol_coord(src->sampler->sobol, dim, src->index);
    src->rng.counter = (uint64_t)dim;
    return lrs_rng_uniform(&src->rng);
}

static void walk_unit(const lrs_space_block_t *block, unit_source_t *src, lrs_trial_cfg_t *cfg)
{
    for (int i = 0; i < block->n_nodes; i++) {
        const lrs_space_node_t *node = &block->nodes[i];
        if (node->dist != LRS_DIST_VALUES) {
            lrs_space_store_number(cfg, node, lrs_space_unit_number(node, source_unit(src, node->dim)));
            continue;
        }
        int k = node->dim < 0 ? 0 : lrs_space_unit_index(node, source_unit(src, node->dim));
        lrs_space_store_value(cfg, node, k);
        if (node->branches)
            walk_unit(&node->branches[k], src, cfg);
    }
}

/* Digit k of a conditional node: the branch b with branch_start[b] <= k <
 * branch_start[b+1] (few branches: a linear scan). */
static int branch_of(const lrs_space_node_t *node, uint64_t k)
{
    int b = 0;
    while (b + 1 < node->n_values && node->branch_start[b + 1] <= k)
        b++;
    return b;
}

static void walk_grid(const lrs_space_block_t *block, uint64_t index, lrs_trial_cfg_t *cfg)
{
    /* Last node fastest: peel digits from the end, then assign in order so
     * the nodes are stored in canonical order. */
    uint64_t digits[LRS_P_COUNT + LRS_MAX_USER_PARAMS];
    int n = block->n_nodes;
    assert(n <= LRS_P_COUNT + LRS_MAX_USER_PARAMS);   /* validation: each parameter at most once per mapping */
    uint64_t rest = index;
    for (int i = n - 1; i >= 0; i--) {
        uint64_t radix = block->nodes[i].grid_count;
        digits[i] = rest % radix;
        rest /= radix;
    }
    for (int i = 0; i < n; i++) {
        const lrs_space_node_t *node = &block->nodes[i];
        uint64_t k = digits[i];
        if (node->branches) {
            int b = branch_of(node, k);
            lrs_space_store_value(cfg, node, b);
            walk_grid(&node->branches[b], k - node->branch_start[b], cfg);
        } else if (node->dist == LRS_DIST_VALUES) {
            lrs_space_store_value(cfg, node, (int)k);
        } else {
            lrs_space_store_number(cfg, node, lrs_space_grid_number(node, k));
        }
    }
}

double lrs_sampler_unit(const lrs_sampler_t *s, uint64_t index, int dim)
{
    unit_source_t src = {.sampler = s, .index = index};
    lrs_rng_init(&src.rng, lrs_rng_key(s->seed, index, LRS_RNG_SAMPLE));
    return source_unit(&src, dim);
}

int lrs_sampler_draw(const lrs_sampler_t *s, uint64_t index, lrs_trial_cfg_t *cfg, lrs_err_t *err)
{
    if (s->kind == LRS_SAMPLER_GRID) {
        if (index >= s->root->grid_count)
            return lrs_err_set(err, LRS_EXIT_USAGE, "trial %llu is outside the grid of %llu points",
                               (unsigned long long)index, (unsigned long long)s->root->grid_count);
        walk_grid(s->root, index, cfg);
        return 0;
    }
    if (s->kind == LRS_SAMPLER_SOBOL && index >> 32)
        return lrs_err_set(err, LRS_EXIT_USAGE, "trial %llu: the sobol sampler has 2^32 points",
                           (unsigned long long)index);
    unit_source_t src = {.sampler = s, .index = index};
    if (s->kind == LRS_SAMPLER_RANDOM)
        lrs_rng_init(&src.rng, lrs_rng_key(s->seed, index, LRS_RNG_SAMPLE));
    walk_unit(s->root, &src, cfg);
    return 0;
}

const char *const lrs_sampler_names[] = {[LRS_SAMPLER_RANDOM] = "random",
                                         [LRS_SAMPLER_GRID] = "grid",
                                         [LRS_SAMPLER_SOBOL] = "sobol", NULL};

const char *lrs_sampler_kind_name(lrs_sampler_kind_t kind)
{
    return (unsigned)kind <= LRS_SAMPLER_SOBOL ? lrs_sampler_names[kind] : "?";
}
