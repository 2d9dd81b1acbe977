/* space.c — value mapping and storing for search-space nodes (see space.h).
 * Everything here runs on the sampling hot path: no allocation, no parsing,
 * no formatting. */
#include "common/space.h"

#include <math.h>
#include <string.h>

static double clamp(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

int lrs_space_unit_index(const lrs_space_node_t *node, double u)
{
    int k = (int)(u * node->n_values);
    return k >= node->n_values ? node->n_values - 1 : k < 0 ? 0 : k;
}

double lrs_space_unit_number(const lrs_space_node_t *node, double u)
{
    switch (node->dist) {
    case LRS_DIST_UNIFORM:
        return clamp(node->lo + u * (node->hi - node->lo), node->lo, node->hi);
    case LRS_DIST_LOG_UNIFORM:
        return clamp(exp(node->log_lo + u * node->log_span), node->lo, node->hi);
    case LRS_DIST_INT_UNIFORM:
        return clamp(node->lo + floor(u * (node->hi - node->lo + 1.0)), node->lo, node->hi);
    case LRS_DIST_INT_LOG_UNIFORM:
        return clamp(floor(exp(node->log_lo + u * node->log_span)), node->lo, node->hi);
    case LRS_DIST_VALUES:
        break;
    }
    return node->values[lrs_space_unit_index(node, u)].number;
}

double lrs_space_grid_number(const lrs_space_node_t *node, uint64_t k)
{
    switch (node->dist) {
    case LRS_DIST_VALUES:
        return node->values[k].number;
    case LRS_DIST_INT_UNIFORM:
    case LRS_DIST_INT_LOG_UNIFORM:
        if (node->grid > 0)
            return node->grid_ints[k];
        return node->lo + (double)k;
    case LRS_DIST_UNIFORM:
    case LRS_DIST_LOG_UNIFORM:
        break;
    }
    if (node->grid_points)
        return node->grid_points[k];
    /* Both ends exactly, not exp(log(hi)): the ends are the checked values. */
    if (node->grid == 1) {
        return node->dist == LRS_DIST_UNIFORM ? 0.5 * (node->lo + node->hi)
                                              : sqrt(node->lo) * sqrt(node->hi);
    }
    if (k == 0)
        return node->lo;
    if (k + 1 >= (uint64_t)node->grid)
        return node->hi;
    double t = (double)k / (double)(node->grid - 1);
    if (node->dist == LRS_DIST_UNIFORM)
        return clamp(node->lo + t * (node->hi - node->lo), node->lo, node->hi);
    return clamp(exp(node->log_lo + t * node->log_span), node->lo, node->hi);
}

void lrs_space_store_number(lrs_trial_cfg_t *cfg, const lrs_space_node_t *node, double number)
{
    const lrs_param_info_t *p = node->param;
    if (p->id == LRS_P_USER) {   /* the builder gave it a slot below LRS_MAX_USER_PARAMS */
        cfg->user[p->offset] = (lrs_user_value_t){.param = p, .number = number};
        cfg->user_mask |= 1ull << p->offset;
        return;
    }
    char *field = (char *)cfg + p->offset;
    if (p->type == LRS_PT_FLOAT) {
        memcpy(field, &number, sizeof number);
    } else {
        int iv = (int)number;
        memcpy(field, &iv, sizeof iv);
    }
    cfg->set_mask |= 1ull << p->id;
}

void lrs_space_store_value(lrs_trial_cfg_t *cfg, const lrs_space_node_t *node, int k)
{
    const lrs_space_value_t *v = &node->values[k];
    if (node->param->type == LRS_PT_INT_LIST) {
        memcpy(cfg->sched.milestones, v->list, (size_t)v->n_list * sizeof *v->list);
        cfg->sched.n_milestones = v->n_list;
        cfg->set_mask |= 1ull << node->param->id;
        return;
    }
    lrs_space_store_number(cfg, node, v->number);
}
