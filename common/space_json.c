/* space_json.c — see space_json.h.  The tree is walked once, depth first,
 * with the chain of branch conditions kept as a JSON array that each entry
 * copies; jansson builds the document and jsonout writes it, so numbers
 * read back as the doubles the spec loaded. */
#include "common/space_json.h"

#include <stdlib.h>

#include "common/jsonout.h"
#include "common/params.h"

static const char *const dist_names[] = {
    [LRS_DIST_VALUES] = "values",           [LRS_DIST_UNIFORM] = "uniform",
    [LRS_DIST_LOG_UNIFORM] = "log_uniform", [LRS_DIST_INT_UNIFORM] = "int_uniform",
    [LRS_DIST_INT_LOG_UNIFORM] = "int_log_uniform",
};

static const char *type_name(const lrs_param_info_t *p)
{
    switch (p->type) {
    case LRS_PT_FLOAT:
        return "float";
    case LRS_PT_INT:
        return "int";
    case LRS_PT_BOOL:
        return "bool";
    case LRS_PT_CHOICE:
        return p->id == LRS_P_USER ? "string" : "choice";
    case LRS_PT_INT_LIST:
        break;
    }
    return "int_list";
}

/* A range's bound: an integer for an int parameter. */
static json_t *bound_json(const lrs_param_info_t *p, double x)
{
    return p->type == LRS_PT_INT ? json_integer((json_int_t)x) : lrs_json_number(x);
}

/* One value of node as JSON: typed as the parameter is. */
static json_t *value_json(const lrs_space_node_t *node, const lrs_space_value_t *v)
{
    const lrs_param_info_t *p = node->param;
    switch (p->type) {
    case LRS_PT_FLOAT:
        return lrs_json_number(v->number);
    case LRS_PT_INT:
        return json_integer((json_int_t)v->number);
    case LRS_PT_BOOL:
        return json_boolean(v->number != 0);
    case LRS_PT_CHOICE:
        return json_string(p->choices[(int)v->number]);
    case LRS_PT_INT_LIST:
        break;
    }
    json_t *list = json_array();
    for (int i = 0; list && i < v->n_list; i++)
        if (json_array_append_new(list, json_integer(v->list[i])) != 0) {
            json_decref(list);
            return NULL;
        }
    return list;
}

static json_t *choices_json(const lrs_param_info_t *p)
{
    json_t *a = json_array();
    for (int i = 0; a && p->choices[i]; i++)
        if (json_array_append_new(a, json_string(p->choices[i])) != 0) {
            json_decref(a);
            return NULL;
        }
    return a;
}

/* The entry of node under the branch chain `branch`. */
static json_t *node_json(const lrs_space_node_t *node, const json_t *branch)
{
    const lrs_param_info_t *p = node->param;
    int is_log = node->dist == LRS_DIST_LOG_UNIFORM || node->dist == LRS_DIST_INT_LOG_UNIFORM;
    json_t *e = json_object();
    if (!e)
        return NULL;
    int bad = json_object_set_new(e, "name", json_string(p->name)) ||
              json_object_set_new(e, "kind", json_string(p->id == LRS_P_USER ? "user" : "lrsweep")) ||
              json_object_set_new(e, "type", json_string(type_name(p))) ||
              json_object_set_new(e, "distribution", json_string(dist_names[node->dist])) ||
              json_object_set_new(e, "log", json_boolean(is_log));
    if (!bad && node->dist != LRS_DIST_VALUES)
        bad = json_object_set_new(e, "low", bound_json(p, node->lo)) ||
              json_object_set_new(e, "high", bound_json(p, node->hi));
    if (!bad && node->dist == LRS_DIST_VALUES) {
        json_t *values = json_array();
        bad = json_object_set_new(e, "values", values);
        for (int i = 0; !bad && i < node->n_values; i++)
            bad = json_array_append_new(values, value_json(node, &node->values[i]));
    }
    if (!bad && p->type == LRS_PT_CHOICE && p->id != LRS_P_USER)
        bad = json_object_set_new(e, "choices", choices_json(p));
    if (!bad && node->grid > 0)
        bad = json_object_set_new(e, "grid", json_integer(node->grid));
    if (!bad)
        bad = json_object_set_new(e, "branch", json_deep_copy(branch));
    if (bad) {
        json_decref(e);
        return NULL;
    }
    return e;
}

/* Appends the entries of block (and of its branches) to out; -1 when out
 * of memory.  branch is the chain above block, restored before returning. */
static int block_json(const lrs_space_block_t *block, json_t *branch, json_t *out)
{
    for (int i = 0; i < block->n_nodes; i++) {
        const lrs_space_node_t *node = &block->nodes[i];
        if (json_array_append_new(out, node_json(node, branch)) != 0)
            return -1;
        for (int k = 0; node->branches && k < node->n_values; k++) {
            json_t *cond = json_object();
            if (!cond || json_object_set_new(cond, "parameter", json_string(node->param->name)) ||
                json_object_set_new(cond, "value", value_json(node, &node->values[k])) ||
                json_array_append_new(branch, cond) != 0)
                return -1;
            int rc = block_json(&node->branches[k], branch, out);
            json_array_remove(branch, json_array_size(branch) - 1);
            if (rc != 0)
                return -1;
        }
    }
    return 0;
}

char *lrs_space_json_text(const lrs_space_block_t *root)
{
    json_t *doc = json_object(), *params = json_array(), *branch = json_array();
    char *text = NULL;
    if (!doc || !params || !branch)
        goto done;
    if (json_object_set_new(doc, "version", json_integer(1)) != 0 ||
        json_object_set(doc, "parameters", params) != 0)
        goto done;
    if (root && block_json(root, branch, params) != 0)
        goto done;
    text = lrs_json_text(doc);
done:
    json_decref(doc);
    json_decref(params);
    json_decref(branch);
    return text;
}
