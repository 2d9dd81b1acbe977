/* space.h — the search space of a sweep: a tree of parameter nodes.
 *
 * A block is the set of parameters that a trial takes together (the top of
 * `search:`, or one branch of a conditional choice).  Each node is one
 * parameter with its distribution; a node of a choice parameter (optimizer,
 * scheduler, or any bool/choice written as a mapping of choices) may carry one
 * block per value, its branches, whose parameters exist only in trials that
 * took that value — nested to any depth.
 *
 * The tree is built and validated by common/space_build.c for the spec
 * loader and is plain, read-only data afterwards; samplers
 * (common/sampler.c) walk it.  Nodes
 * of a block are in parameter-table order, branches in the order of the
 * parameter's choices — a canonical order that does not depend on how the
 * YAML was written, so reordering keys never changes a sweep.
 *
 * Two ways to pick a node's value, both pure functions:
 *   from a unit coordinate u in [0,1)   (random and sobol samplers), and
 *   from a grid digit k in [0, count)   (grid sampler, mixed-radix decoding).
 * Every value a node can produce was checked at load time through
 * lrs_trial_cfg_set_number / lrs_trial_cfg_set (values one by one, ranges by
 * both ends: the valid set of a parameter is an interval), so storing one
 * needs no further checks; lrs_space_store writes it into a config.
 */
#ifndef LRS_SPACE_H
#define LRS_SPACE_H

#include <stdint.h>

#include "common/params.h"

typedef enum {
    LRS_DIST_VALUES,           /* one of values[] — a fixed value is one value */
    LRS_DIST_UNIFORM,          /* float in [lo, hi] */
    LRS_DIST_LOG_UNIFORM,      /* float, uniform in log space */
    LRS_DIST_INT_UNIFORM,      /* integer lo..hi inclusive, each equally likely */
    LRS_DIST_INT_LOG_UNIFORM   /* integer lo..hi, P(k) ∝ log((k+1)/k) */
} lrs_dist_t;

typedef struct lrs_space_value {
    double number;       /* float, int, bool 0/1, or index into the parameter's choices */
    const int *list;     /* milestones: n_list strictly increasing epochs */
    int n_list;
    int line, column;    /* where the value (or the branch's key) is written */
} lrs_space_value_t;

typedef struct lrs_space_block lrs_space_block_t;

typedef struct lrs_space_node {
    const lrs_param_info_t *param;
    lrs_dist_t dist;
    double lo, hi;                      /* range distributions: bounds as written */
    double log_lo, log_span;            /* log kinds: log(lo), log(hi) - log(lo) (int: log(hi+1)) */
    int grid;                           /* `grid: N` points, 0 when not given */
    int n_values;                       /* LRS_DIST_VALUES */
    const lrs_space_value_t *values;
    const lrs_space_block_t *branches;  /* NULL, or n_values blocks (one per value) */
    int n_grid_ints;                    /* integer kinds with `grid:`: distinct points */
    const int *grid_ints;
    const double *grid_points;          /* decimal log grid (rules 1): the `grid: N` points, or NULL */
    int dim;                            /* unit-cube coordinate; -1 when the node has one value */
    uint64_t grid_count;                /* grid points of this node, its branches included */
    const uint64_t *branch_start;       /* with branches: first digit of branch k (n_values+1) */
    int line, column;                   /* where the parameter is written (1-based) */
    const char *path;                   /* "search.optimizer.sgd.momentum", for messages */
    int invalid;                        /* loading only: written wrongly (already reported) */
} lrs_space_node_t;

struct lrs_space_block {
    int n_nodes;
    const lrs_space_node_t *nodes;
    uint64_t grid_count;                /* product of the nodes' grid counts */
};

/* Value index (LRS_DIST_VALUES) or number (range kinds) for unit coordinate
 * u in [0,1): index floor(u·n); uniform lo + u(hi−lo); log-uniform
 * exp(log lo + u·span); int-uniform lo + floor(u(hi−lo+1)); int-log-uniform
 * floor(exp(log lo + u·span)) — each clamped into its range. */
int lrs_space_unit_index(const lrs_space_node_t *node, double u);
double lrs_space_unit_number(const lrs_space_node_t *node, double u);

/* Grid point k of a node without branches, k < grid_count: values[k]; N
 * evenly spaced points from lo to hi (log-spaced for log kinds; N = 1: the
 * midpoint); grid_points[k] when the builder made them; every integer
 * lo..hi; or the distinct rounded grid integers. */
double lrs_space_grid_number(const lrs_space_node_t *node, uint64_t k);

/* Stores value index k (LRS_DIST_VALUES) / a number (range kinds) of node into
 * cfg and marks the parameter as given. */
void lrs_space_store_value(lrs_trial_cfg_t *cfg, const lrs_space_node_t *node, int k);
void lrs_space_store_number(lrs_trial_cfg_t *cfg, const lrs_space_node_t *node, double number);

#endif
