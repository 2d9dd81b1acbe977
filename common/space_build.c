/* space_build.c — `search:` → the search-space tree, checked (see
 * space_build.h).
 *
 * Three passes over the space: parse_block reads the YAML into nodes
 * (sorted into parameter-table order, branches into choice order), then,
 * on a tree without errors, unit dimensions and grid counts are assigned
 * bottom up, and finally walk_paths visits every combination of branches
 * (at most MAX_BRANCH_PATHS leaves, MAX_PATH_LEN parameters deep) and
 * checks each as one trial.  The walk runs even on a tree with errors:
 * a parameter written wrongly stays in it, marked invalid, so the mistakes
 * around it are still reported.
 */
#include "common/space_build.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/params.h"
#include "common/sobol.h"
#include "common/space_user.h"

#define MAX_BRANCH_PATHS 100000
#define MAX_PATH_LEN 1024
#define MAX_GRID_POINTS 100000
#define MAX_VALUES 100000

static const char *const dist_keys[] = {"values", "uniform", "log_uniform", "int_uniform",
                                        "int_log_uniform", "grid", NULL};

/* ---------------------------------------------------------- search tree */

static const char *param_kind_word(const lrs_param_info_t *p)
{
    return p->id == LRS_P_OPTIMIZER ? "optimizer" : p->id == LRS_P_SCHEDULER ? "scheduler" : p->name;
}

/* One value of parameter p written at n, checked through params.c. */
static int parse_value(lrs_yctx_t *c, const lrs_param_info_t *p, const lrs_ynode_t *n, const char *where,
                       lrs_space_value_t *out)
{
    lrs_trial_cfg_t scratch;
    lrs_trial_cfg_init(&scratch);
    lrs_err_t e;
    lrs_err_clear(&e);
    char tmp[96], list[256];
    out->line = n->line;
    out->column = n->column;
    switch (p->type) {
    case LRS_PT_FLOAT:
        if (lrs_y_double(c, n, where, &out->number) < 0)
            return -1;
        break;
    case LRS_PT_INT: {
        long long v;
        if (lrs_y_integer(c, n, where, -2147483647LL, 2147483647LL, &v) < 0)
            return -1;
        out->number = (double)v;
        break;
    }
    case LRS_PT_BOOL: {
        int b;
        if (lrs_y_bool(c, n, where, &b) < 0)
            return -1;
        out->number = b;
        return 0;
    }
    case LRS_PT_CHOICE: {
        int k = n->kind == LRS_Y_SCALAR ? lrs_y_names_index(p->choices, n->text) : -1;
        if (k < 0) {
            lrs_y_names_join(p->choices, list, sizeof list);
            if (n->kind == LRS_Y_SCALAR)
                LRS_YERR(c, n, "%s: unknown %s '%s': expected one of %s", where, param_kind_word(p), n->text,
                         list);
            else
                LRS_YERR(c, n, "%s: expected one of %s, got %s", where, list,
                         lrs_y_describe(n, tmp, sizeof tmp));
            return -1;
        }
        out->number = k;
        return 0;
    }
    case LRS_PT_INT_LIST: {
        char text[LRS_MAX_MILESTONES * 12 + 16] = "";
        size_t used = 0;
        if (n->kind == LRS_Y_SCALAR) {
            snprintf(text, sizeof text, "%s", n->text);
        } else if (n->kind == LRS_Y_SEQ && n->n <= LRS_MAX_MILESTONES) {
            for (int i = 0; i < n->n; i++) {
                long long v;
                if (lrs_y_integer(c, n->items[i], where, 1, LRS_MAX_EPOCHS, &v) < 0)
                    return -1;
                used += (size_t)snprintf(text + used, sizeof text - used, "%s%lld", i ? "," : "", v);
            }
        } else {
            LRS_YERR(c, n, "%s: expected a list of up to %d increasing epochs, got %s", where,
                     LRS_MAX_MILESTONES, lrs_y_describe(n, tmp, sizeof tmp));
            return -1;
        }
        if (lrs_trial_cfg_set(&scratch, p->name, text, &e) < 0) {
            LRS_YERR(c, n, "%s: %s", where, e.msg);
            return -1;
        }
        int *copy = lrs_arena_alloc(c->arena, (size_t)scratch.sched.n_milestones * sizeof *copy + 1);
        if (!copy)
            return -1;
        memcpy(copy, scratch.sched.milestones, (size_t)scratch.sched.n_milestones * sizeof *copy);
        out->list = copy;
        out->n_list = scratch.sched.n_milestones;
        return 0;
    }
    }
    if (p->id == LRS_P_USER)   /* the script's own: any number of its type */
        return 0;
    /* The text as written, so messages quote it ("lr=-0.1 is out of range"). */
    if (lrs_trial_cfg_set(&scratch, p->name, n->text, &e) < 0) {
        LRS_YERR(c, n, "%s: %s", where, e.msg);
        return -1;
    }
    return 0;
}

static int parse_block(lrs_yctx_t *c, lrs_space_users_t *u, const lrs_ynode_t *map, const char *where,
                       lrs_space_block_t *out);

/* `values: [...]` */
static int parse_values(lrs_yctx_t *c, lrs_space_node_t *node, const lrs_ynode_t *seq, const char *where)
{
    char tmp[96];
    if (seq->kind != LRS_Y_SEQ || seq->n == 0 || seq->n > MAX_VALUES) {
        LRS_YERR(c, seq, "%s: expected a non-empty list of values, got %s", where,
                 lrs_y_describe(seq, tmp, sizeof tmp));
        return -1;
    }
    lrs_space_value_t *values = lrs_arena_alloc(c->arena, (size_t)seq->n * sizeof *values);
    if (!values)
        return -1;
    int rc = 0;
    for (int i = 0; i < seq->n; i++)
        if (parse_value(c, node->param, seq->items[i], where, &values[i]) < 0)
            rc = -1;
    node->dist = LRS_DIST_VALUES;
    node->values = values;
    node->n_values = seq->n;
    return rc;
}

/* The distinct integers of an integer range's `grid: N` (rounded points). */
static int build_int_grid(lrs_yctx_t *c, lrs_space_node_t *node)
{
    int *ints = lrs_arena_alloc(c->arena, (size_t)node->grid * sizeof *ints);
    if (!ints)
        return -1;
    int n = 0;
    for (int k = 0; k < node->grid; k++) {
        double t = node->grid == 1 ? 0.5 : (double)k / (node->grid - 1);
        double v = node->dist == LRS_DIST_INT_UNIFORM
                       ? node->lo + t * (node->hi - node->lo)
                       : exp(log(node->lo) + t * (log(node->hi) - log(node->lo)));
        int iv = (int)lround(v);
        iv = iv < (int)node->lo ? (int)node->lo : iv > (int)node->hi ? (int)node->hi : iv;
        if (n == 0 || ints[n - 1] != iv)
            ints[n++] = iv;
    }
    node->grid_ints = ints;
    node->n_grid_ints = n;
    return 0;
}

/* `uniform: [a, b]` and friends, with an optional `grid: N`. */
static int parse_range(lrs_yctx_t *c, lrs_space_node_t *node, const char *kind, const lrs_ynode_t *seq,
                       const char *where)
{
    const lrs_param_info_t *p = node->param;
    char tmp[96], w[320];
    snprintf(w, sizeof w, "%s.%s", where, kind);
    int want_int = strncmp(kind, "int_", 4) == 0, logscale = strstr(kind, "log") != NULL;
    node->dist = want_int ? (logscale ? LRS_DIST_INT_LOG_UNIFORM : LRS_DIST_INT_UNIFORM)
                          : (logscale ? LRS_DIST_LOG_UNIFORM : LRS_DIST_UNIFORM);
    if (p->type != LRS_PT_FLOAT && p->type != LRS_PT_INT) {
        LRS_YERR(c, seq, "%s: %s takes one of a list of values: use values: [...]", w, p->name);
        return -1;
    }
    if (want_int && p->type != LRS_PT_INT) {
        LRS_YERR(c, seq, "%s: %s is a float parameter: use %s", w, p->name,
                 logscale ? "log_uniform" : "uniform");
        return -1;
    }
    if (!want_int && p->type != LRS_PT_FLOAT) {
        LRS_YERR(c, seq, "%s: %s is an integer parameter: use %s", w, p->name,
                 logscale ? "int_log_uniform" : "int_uniform");
        return -1;
    }
    if (seq->kind != LRS_Y_SEQ || seq->n != 2) {
        LRS_YERR(c, seq, "%s: expected [low, high], got %s", w, lrs_y_describe(seq, tmp, sizeof tmp));
        return -1;
    }
    /* Shape first (numbers, order, log domain), then each end through the
     * parameter's own range check. */
    const lrs_ynode_t *lo_n = seq->items[0], *hi_n = seq->items[1];
    if (want_int) {
        long long a, b;
        int bad = lrs_y_integer(c, lo_n, w, -2147483647LL, 2147483647LL, &a) < 0;
        bad |= lrs_y_integer(c, hi_n, w, -2147483647LL, 2147483647LL, &b) < 0;
        if (bad)
            return -1;
        node->lo = (double)a;
        node->hi = (double)b;
    } else {
        int bad = lrs_y_double(c, lo_n, w, &node->lo) < 0;
        bad |= lrs_y_double(c, hi_n, w, &node->hi) < 0;
        if (bad)
            return -1;
    }
    if (!(node->lo < node->hi)) {
        LRS_YERR(c, seq, "%s: low %s must be less than high %s", w, lo_n->text, hi_n->text);
        return -1;
    }
    if (logscale && node->lo <= 0) {
        LRS_YERR(c, lo_n, "%s: low must be > 0 on a log scale, got %s", w, lo_n->text);
        return -1;
    }
    lrs_space_value_t end;
    int bad = parse_value(c, p, lo_n, w, &end) < 0;
    bad |= parse_value(c, p, hi_n, w, &end) < 0;
    if (bad)
        return -1;
    if (logscale) {
        node->log_lo = log(node->lo);
        node->log_span = log(want_int ? node->hi + 1.0 : node->hi) - node->log_lo;
    }
    return 0;
}

static int parse_distribution(lrs_yctx_t *c, lrs_space_node_t *node, const lrs_ynode_t *map,
                              const char *where)
{
    lrs_y_check_mapping(c, map, where, dist_keys);
    const lrs_ynode_t *kind_key = NULL, *kind_val = NULL, *grid = NULL, *grid_key = NULL;
    for (int i = 0; i < map->n; i++) {
        const lrs_ynode_t *k = lrs_y_key(map, i);
        if (strcmp(k->text, "grid") == 0) {
            grid = lrs_y_value(map, i);
            grid_key = k;
        } else if (lrs_y_names_index(dist_keys, k->text) >= 0) {
            if (kind_key) {
                LRS_YERR(c, k, "%s: both %s and %s given: a parameter has one distribution", where,
                         kind_key->text, k->text);
                return -1;
            }
            kind_key = k;
            kind_val = lrs_y_value(map, i);
        }
    }
    if (!kind_key) {
        LRS_YERR(c, map, "%s: grid needs a distribution: uniform, log_uniform, int_uniform or "
                         "int_log_uniform", where);
        return -1;
    }
    if (strcmp(kind_key->text, "values") == 0) {
        char w[320];
        snprintf(w, sizeof w, "%s.values", where);
        int rc = parse_values(c, node, kind_val, w);
        if (grid) {
            LRS_YERR(c, grid_key, "%s.grid: applies to uniform, log_uniform, int_uniform and "
                                  "int_log_uniform; values are used as they are", where);
            return -1;
        }
        return rc;
    }
    if (parse_range(c, node, kind_key->text, kind_val, where) < 0)
        return -1;
    if (grid) {
        char w[320];
        snprintf(w, sizeof w, "%s.grid", where);
        if (lrs_y_int(c, grid, w, 1, MAX_GRID_POINTS, &node->grid) < 0)
            return -1;
        if (node->dist == LRS_DIST_INT_UNIFORM || node->dist == LRS_DIST_INT_LOG_UNIFORM)
            return build_int_grid(c, node);
    }
    return 0;
}

/* A mapping of choices: {sgd: {...}, adam: {...}} — one branch per choice. */
static int parse_branches(lrs_yctx_t *c, lrs_space_users_t *u, lrs_space_node_t *node, const lrs_ynode_t *map,
                          const char *where)
{
    const lrs_param_info_t *p = node->param;
    char list[256], w[320];
    if (map->n == 0) {
        LRS_YERR(c, map, "%s: no choices given", where);
        return -1;
    }
    lrs_space_value_t *values = lrs_arena_alloc(c->arena, (size_t)map->n * sizeof *values);
    lrs_space_block_t *blocks = lrs_arena_alloc(c->arena, (size_t)map->n * sizeof *blocks);
    int *pair = malloc((size_t)map->n * sizeof *pair);
    int n = 0, rc = 0;
    if (!values || !blocks || !pair) {
        free(pair);
        return -1;
    }
    for (int i = 0; i < map->n; i++) {
        const lrs_ynode_t *key = lrs_y_key(map, i);
        int k = p->type == LRS_PT_BOOL ? lrs_y_bool_text(key->text)
                                       : lrs_y_names_index(p->choices, key->text);
        if (k < 0) {
            if (p->type == LRS_PT_BOOL)
                snprintf(list, sizeof list, "true, false");
            else
                lrs_y_names_join(p->choices, list, sizeof list);
            LRS_YERR(c, key, "%s: unknown %s '%s': expected one of %s", where, param_kind_word(p), key->text,
                     list);
            rc = -1;
            continue;
        }
        /* Insertion by choice order: branches are enumerated canonically. */
        int at = n;
        while (at > 0 && values[at - 1].number > k) {
            values[at] = values[at - 1];
            pair[at] = pair[at - 1];
            at--;
        }
        if (at > 0 && values[at - 1].number == k) {
            LRS_YERR(c, key, "%s: choice '%s' is given twice", where, key->text);
            for (; at < n; at++) {
                values[at] = values[at + 1];
                pair[at] = pair[at + 1];
            }
            rc = -1;
            continue;
        }
        values[at] = (lrs_space_value_t){.number = k, .line = key->line, .column = key->column};
        pair[at] = i;
        n++;
    }
    for (int i = 0; i < n; i++) {
        const char *choice = p->type == LRS_PT_BOOL ? (values[i].number ? "true" : "false")
                                                    : p->choices[(int)values[i].number];
        snprintf(w, sizeof w, "%s.%s", where, choice);
        if (parse_block(c, u, lrs_y_value(map, pair[i]), w, &blocks[i]) < 0)
            rc = -1;
    }
    free(pair);
    node->dist = LRS_DIST_VALUES;
    node->values = values;
    node->n_values = n;
    node->branches = blocks;
    return n > 0 ? rc : -1;
}

static int parse_param(lrs_yctx_t *c, lrs_space_users_t *u, const lrs_ynode_t *key, const lrs_ynode_t *val,
                       const char *parent, lrs_space_node_t *node)
{
    char w[320], tmp[96];
    snprintf(w, sizeof w, "%s.%s", parent, key->text);
    const lrs_param_info_t *p = lrs_space_user_declared(u, key->text) ? NULL : lrs_param_find(key->text);
    *node = (lrs_space_node_t){.dim = -1};
    if (!p) {
        if (lrs_optimizer_from_name(key->text) >= 0 || lrs_scheduler_from_name(key->text) >= 0) {
            LRS_YERR(c, key, "%s: unknown parameter '%s': optimizers go under optimizer: and "
                             "schedulers under scheduler:", parent, key->text);
            return -1;
        }
        if (!(p = lrs_space_user_param(c, u, key, val, parent)))
            return -1;
    }
    *node = (lrs_space_node_t){.param = p, .dim = -1, .line = key->line, .column = key->column};
    node->path = lrs_arena_strndup(c->arena, w, strlen(w));
    switch (val->kind) {
    case LRS_Y_MAP: {
        int dist_form = 0;
        for (int i = 0; i < val->n; i++)
            dist_form |= lrs_y_names_index(dist_keys, lrs_y_key(val, i)->text) >= 0;
        if (dist_form)
            return parse_distribution(c, node, val, w);
        if (p->id == LRS_P_USER) {
            LRS_YERR(c, val, "%s: a script's own parameter takes a value or a distribution (values, "
                             "uniform, …), not branches", w);
            return -1;
        }
        if (p->type == LRS_PT_CHOICE || p->type == LRS_PT_BOOL)
            return parse_branches(c, u, node, val, w);
        if (val->n == 0) {
            LRS_YERR(c, val, "%s: expected a value or a distribution, got an empty mapping", w);
            return -1;
        }
        const lrs_ynode_t *k0 = lrs_y_key(val, 0);
        LRS_YERR(c, k0, "%s: unknown key '%s': expected a value or one of values, uniform, log_uniform, "
                        "int_uniform, int_log_uniform (with grid)", w, k0->text);
        return -1;
    }
    case LRS_Y_SEQ:
        if (p->type != LRS_PT_INT_LIST) {
            LRS_YERR(c, val, "%s: expected one value or a distribution; for a list of choices write "
                             "{values: [...]}", w);
            return -1;
        }
        /* a milestones list is one value */
        __attribute__((fallthrough));
    case LRS_Y_SCALAR: {
        lrs_space_value_t *v = lrs_arena_alloc(c->arena, sizeof *v);
        if (!v || parse_value(c, p, val, w, v) < 0)
            return -1;
        node->dist = LRS_DIST_VALUES;
        node->values = v;
        node->n_values = 1;
        return 0;
    }
    case LRS_Y_NULL:
        break;
    }
    LRS_YERR(c, val, "%s: expected a value or a distribution, got %s", w,
             lrs_y_describe(val, tmp, sizeof tmp));
    return -1;
}

static int node_cmp(const void *a, const void *b)
{
    const lrs_space_node_t *x = a, *y = b;
    if (x->param->id == LRS_P_USER && y->param->id == LRS_P_USER)   /* after lrsweep's, by name */
        return strcmp(x->param->name, y->param->name);
    return (int)x->param->id - (int)y->param->id;
}

static int parse_block(lrs_yctx_t *c, lrs_space_users_t *u, const lrs_ynode_t *map, const char *where,
                       lrs_space_block_t *out)
{
    char tmp[96];
    *out = (lrs_space_block_t){0};
    if (map->kind == LRS_Y_NULL)
        return 0;
    if (map->kind != LRS_Y_MAP) {
        LRS_YERR(c, map, "%s: expected a mapping of parameters, got %s", where,
                 lrs_y_describe(map, tmp, sizeof tmp));
        return -1;
    }
    lrs_space_node_t *nodes = lrs_arena_alloc(c->arena, (size_t)(map->n ? map->n : 1) * sizeof *nodes);
    if (!nodes)
        return -1;
    int n = 0, rc = 0;
    for (int i = 0; i < map->n; i++) {
        /* A known parameter written wrongly stays in the tree, marked, so the
         * branch walk can still report the other mistakes around it. */
        if (parse_param(c, u, lrs_y_key(map, i), lrs_y_value(map, i), where, &nodes[n]) < 0) {
            rc = -1;
            if (!nodes[n].param)
                continue;
            if (!nodes[n].branches) {
                nodes[n].invalid = 1;
                nodes[n].dist = LRS_DIST_VALUES;
                nodes[n].n_values = 0;
            }
        }
        n++;
    }
    qsort(nodes, (size_t)n, sizeof *nodes, node_cmp);
    out->nodes = nodes;
    out->n_nodes = n;
    return rc;
}

/* ------------------------------------------- dimensions and grid sizes */

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
    if (a && b > UINT64_MAX / a)
        return UINT64_MAX;
    return a * b;
}

/* Unit dimensions in pre-order, counted on from *dims. */
static void assign_dims(const lrs_space_block_t *block, int *dims)
{
    for (int i = 0; i < block->n_nodes; i++) {
        lrs_space_node_t *node = (lrs_space_node_t *)&block->nodes[i];
        if (node->dist != LRS_DIST_VALUES || node->n_values > 1)
            node->dim = (*dims)++;
        for (int k = 0; node->branches && k < node->n_values; k++)
            assign_dims(&node->branches[k], dims);
    }
}

/* Grid counts, bottom up.  0 marks an unbounded (continuous, no grid) node. */
static void count_grid(lrs_yctx_t *c, lrs_space_block_t *block)
{
    uint64_t total = 1;
    for (int i = 0; i < block->n_nodes; i++) {
        lrs_space_node_t *node = (lrs_space_node_t *)&block->nodes[i];
        if (node->branches) {
            uint64_t *start = lrs_arena_alloc(c->arena, (size_t)(node->n_values + 1) * sizeof *start);
            if (!start)
                return;
            uint64_t sum = 0;
            int unbounded = 0;
            for (int k = 0; k < node->n_values; k++) {
                lrs_space_block_t *b = (lrs_space_block_t *)&node->branches[k];
                count_grid(c, b);
                start[k] = sum;
                unbounded |= b->grid_count == 0;
                sum = sum + b->grid_count < sum ? UINT64_MAX : sum + b->grid_count;
            }
            start[node->n_values] = sum;
            node->branch_start = start;
            node->grid_count = unbounded ? 0 : sum;
        } else if (node->dist == LRS_DIST_VALUES) {
            node->grid_count = (uint64_t)node->n_values;
        } else if (node->dist == LRS_DIST_INT_UNIFORM || node->dist == LRS_DIST_INT_LOG_UNIFORM) {
            node->grid_count = node->grid ? (uint64_t)node->n_grid_ints : (uint64_t)(node->hi - node->lo) + 1;
        } else {
            node->grid_count = (uint64_t)node->grid;
        }
        total = mul_sat(total, node->grid_count);
    }
    block->grid_count = total;
}

static void check_grid_bounded(lrs_yctx_t *c, const lrs_space_block_t *block)
{
    for (int i = 0; i < block->n_nodes; i++) {
        const lrs_space_node_t *node = &block->nodes[i];
        if ((node->dist == LRS_DIST_UNIFORM || node->dist == LRS_DIST_LOG_UNIFORM) && !node->grid)
            LRS_YERR(c, node, "%s: the grid sampler needs a finite set of points: add grid: N to this %s",
                     node->path, node->dist == LRS_DIST_UNIFORM ? "uniform" : "log_uniform");
        for (int k = 0; node->branches && k < node->n_values; k++)
            check_grid_bounded(c, &node->branches[k]);
    }
}

/* ------------------------------------------------------ branch paths */

typedef struct path_frame {
    const lrs_space_block_t *block;
    int next;
    const struct path_frame *up;
} path_frame_t;

typedef struct path_walk {
    lrs_yctx_t *c;
    const lrs_space_node_t *node[MAX_PATH_LEN];
    int choice[MAX_PATH_LEN];   /* value index taken, or -1: any */
    int len;
    long leaves;
    int overflow;
} path_walk_t;

static double node_min(const lrs_space_node_t *n)
{
    if (n->dist != LRS_DIST_VALUES)
        return n->lo;
    double m = n->values[0].number;
    for (int i = 1; i < n->n_values; i++)
        m = n->values[i].number < m ? n->values[i].number : m;
    return m;
}

static double node_max(const lrs_space_node_t *n)
{
    if (n->dist != LRS_DIST_VALUES)
        return n->hi;
    double m = n->values[0].number;
    for (int i = 1; i < n->n_values; i++)
        m = n->values[i].number > m ? n->values[i].number : m;
    return m;
}

static void applies_list(const lrs_param_info_t *p, char *buf, size_t size)
{
    size_t used = 0;
    int count = p->branch == LRS_BR_OPTIMIZER ? LRS_OPT_COUNT : LRS_SCHED_COUNT;
    buf[0] = '\0';
    for (int k = 0; k < count && used < size; k++)
        if ((p->applies >> k) & 1u) {
            int n = snprintf(buf + used, size - used, "%s%s", used ? ", " : "",
                             p->branch == LRS_BR_OPTIMIZER ? lrs_optimizer_name((lrs_optimizer_t)k)
                                                           : lrs_scheduler_name((lrs_scheduler_t)k));
            used += n > 0 ? (size_t)n : 0;
        }
}

/* One complete trial shape: check what needs the whole trial. */
static void check_leaf(path_walk_t *w)
{
    lrs_yctx_t *c = w->c;
    const lrs_space_node_t *seen[LRS_P_COUNT] = {0};
    int opt = LRS_OPT_SGD, sched = LRS_SCHED_CONSTANT;
    const lrs_space_value_t *sched_value = NULL;
    const char *sched_path = "search.scheduler";
    char list[256];
    for (int i = 0; i < w->len; i++) {
        const lrs_space_node_t *n = w->node[i];
        if (n->param->id == LRS_P_OPTIMIZER)
            opt = (int)n->values[w->choice[i]].number;
        if (n->param->id == LRS_P_SCHEDULER) {
            sched_value = &n->values[w->choice[i]];
            sched_path = n->path;
            sched = (int)sched_value->number;
        }
    }
    const lrs_space_node_t *seen_user[LRS_MAX_USER_PARAMS] = {0};
    for (int i = 0; i < w->len; i++) {
        const lrs_space_node_t *n = w->node[i];
        const lrs_param_info_t *p = n->param;
        if (p->id == LRS_P_USER) {   /* slots are given before the walk; none past an overflow */
            const lrs_space_node_t **at = p->offset < LRS_MAX_USER_PARAMS ? &seen_user[p->offset] : NULL;
            if (at && *at)
                LRS_YERR(c, n, "%s: %s is already given for the same trials at line %d (%s)", n->path,
                         p->name, (*at)->line, (*at)->path);
            else if (at)
                *at = n;
            continue;
        }
        if (seen[p->id]) {
            LRS_YERR(c, n, "%s: %s is already given for the same trials at line %d (%s)", n->path, p->name,
                     seen[p->id]->line, seen[p->id]->path);
            continue;
        }
        seen[p->id] = n;
        int kind = p->branch == LRS_BR_OPTIMIZER ? opt : sched;
        if (p->branch != LRS_BR_GLOBAL && !((p->applies >> kind) & 1u)) {
            applies_list(p, list, sizeof list);
            LRS_YERR(c, n, "%s: %s does not belong to %s %s (it applies to %s)", n->path, p->name,
                     p->branch == LRS_BR_OPTIMIZER ? "optimizer" : "scheduler",
                   p->branch == LRS_BR_OPTIMIZER ? lrs_optimizer_name((lrs_optimizer_t)opt)
                                                 : lrs_scheduler_name((lrs_scheduler_t)sched),
                   list);
        }
    }
    const lrs_param_info_t *table = lrs_param_table();
    for (int id = 0; id < LRS_P_COUNT; id++)
        if (((table[id].required >> sched) & 1u) && !seen[id]) {
            int line = sched_value ? sched_value->line : 0, col = sched_value ? sched_value->column : 0;
            lrs_diag_add(c->d, line, col, "%s.%s: scheduler %s requires %s (add it to this branch)",
                         sched_path, lrs_scheduler_name((lrs_scheduler_t)sched),
                     lrs_scheduler_name((lrs_scheduler_t)sched), table[id].name);
        }
    /* Value checks only on nodes whose values are known. */
    const lrs_space_node_t *nest = seen[LRS_P_NESTEROV];
    if (nest && !nest->invalid && node_max(nest) > 0 && !seen[LRS_P_MOMENTUM])
        LRS_YERR(c, nest, "%s: nesterov: true needs momentum > 0: give momentum for the same trials",
                 nest->path);
    const lrs_space_node_t *warm = seen[LRS_P_WARMUP_EPOCHS], *ep = seen[LRS_P_EPOCHS];
    if (!warm || warm->invalid || node_max(warm) <= 0)
        return;
    if (sched == LRS_SCHED_PLATEAU)
        LRS_YERR(c, warm, "%s: warmup_epochs does not combine with scheduler plateau (SequentialLR "
                          "cannot chain ReduceLROnPlateau)", warm->path);
    if (ep && ep->invalid)
        return;
    double min_epochs = ep ? node_min(ep) : 100;
    if (node_max(warm) >= min_epochs)
        LRS_YERR(c, warm, "%s: warmup_epochs can be %g while epochs can be %g: the warm-up must be "
                          "shorter than training", warm->path, node_max(warm), min_epochs);
}

static int is_context_node(const lrs_space_node_t *n)
{
    return n->branches || n->param->id == LRS_P_OPTIMIZER || n->param->id == LRS_P_SCHEDULER;
}

static void walk_paths(path_walk_t *w, const path_frame_t *f)
{
    while (f && f->next >= f->block->n_nodes)
        f = f->up;
    if (!f) {
        if (++w->leaves > MAX_BRANCH_PATHS)
            w->overflow = 1;
        else
            check_leaf(w);
        return;
    }
    if (w->len == MAX_PATH_LEN) {
        w->overflow = 1;
        return;
    }
    const lrs_space_node_t *node = &f->block->nodes[f->next];
    path_frame_t rest = {f->block, f->next + 1, f->up};
    w->node[w->len] = node;
    if (!is_context_node(node)) {
        w->choice[w->len++] = -1;
        walk_paths(w, &rest);
        w->len--;
        return;
    }
    for (int k = 0; k < node->n_values && !w->overflow; k++) {
        w->choice[w->len++] = k;
        if (node->branches) {
            path_frame_t sub = {&node->branches[k], 0, &rest};
            walk_paths(w, &sub);
        } else {
            walk_paths(w, &rest);
        }
        w->len--;
    }
}

/* ------------------------------------------------ decimal log grid */

/* 10^n as the double nearest it (strtod rounds correctly; pow need not). */
static double power_of_ten(int n)
{
    char text[16];
    snprintf(text, sizeof text, "1e%d", n);
    return strtod(text, NULL);
}

/* The decimal exponent of a log range's end: the integer n when v is the
 * double nearest 10^n (log10 of it need not be exactly n), else log10(v). */
static double decimal_exponent(double v)
{
    double e = log10(v), n = nearbyint(e);
    return fabs(n) < 400 && power_of_ten((int)n) == v ? n : e;
}

static void decimal_grid_points(lrs_yctx_t *c, lrs_space_node_t *node)
{
    double *points = lrs_arena_alloc(c->arena, (size_t)node->grid * sizeof *points);
    if (!points)
        return;
    int last = node->grid - 1;
    double e_lo = decimal_exponent(node->lo), e_hi = decimal_exponent(node->hi);
    for (int k = 0; k <= last; k++) {
        /* Exact when both exponents are integers and the point's is one. */
        double e = (e_lo * (last - k) + e_hi * k) / last;
        double v = e == nearbyint(e) && fabs(e) < 400 ? power_of_ten((int)e) : pow(10.0, e);
        points[k] = k == 0 ? node->lo : k == last ? node->hi
                  : v < node->lo ? node->lo : v > node->hi ? node->hi : v;
    }
    node->grid_points = points;
}

static void decimal_grids(lrs_yctx_t *c, const lrs_space_block_t *block)
{
    for (int i = 0; i < block->n_nodes; i++) {
        lrs_space_node_t *node = (lrs_space_node_t *)&block->nodes[i];   /* ours, in the arena */
        if (node->dist == LRS_DIST_LOG_UNIFORM && node->grid >= 3)
            decimal_grid_points(c, node);
        for (int k = 0; node->branches && k < node->n_values; k++)
            decimal_grids(c, &node->branches[k]);
    }
}

/* -------------------------------------------------------------- build */

void lrs_space_build(lrs_yctx_t *c, const lrs_ynode_t *search, lrs_sampler_kind_t sampler,
                     int decimal_grid, lrs_space_users_t *users, lrs_space_block_t *block, int *dims)
{
    *dims = 0;
    int errors_before = c->d->n;
    lrs_space_users_check_declared(c, users);
    int tree_ok = parse_block(c, users, search, "search", block) == 0;
    lrs_space_user_slots(c, search, block, users);
    tree_ok = tree_ok && c->d->n == errors_before;
    if (tree_ok) {
        assign_dims(block, dims);
        count_grid(c, block);
        if (decimal_grid)
            decimal_grids(c, block);
    }
    path_walk_t *w = calloc(1, sizeof *w);
    if (!w) {
        c->d->oom = 1;
        return;
    }
    w->c = c;
    path_frame_t top = {block, 0, NULL};
    walk_paths(w, &top);
    if (w->overflow)
        LRS_YERR(c, search, "search: more than %d combinations of branches (or nesting deeper than %d "
                            "parameters): simplify the space", MAX_BRANCH_PATHS, MAX_PATH_LEN);
    free(w);
    if (sampler == LRS_SAMPLER_GRID) {
        int before = c->d->n;
        check_grid_bounded(c, block);
        if (tree_ok && c->d->n == before && block->grid_count > (1ULL << 53))
            LRS_YERR(c, search, "search: the grid has more than 2^53 points");
    }
    if (sampler == LRS_SAMPLER_SOBOL && *dims > LRS_SOBOL_MAX_DIMS)
        LRS_YERR(c, search, "search: %d searched parameters; the sobol sampler supports %d", *dims,
                 LRS_SOBOL_MAX_DIMS);
}
