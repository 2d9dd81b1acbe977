/* space_user.c — see space_user.h.
 *
 * The typo rule is one edit (Damerau's four kinds) against every name of
 * lrsweep's parameter table: short names (lr, eps) are left out, as a
 * script's own two- and three-letter names sit one edit from them too
 * often.  Aliases are a small table of the spellings other tools use.
 */
#include "common/space_user.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/diag.h"

static const char *const alias_table[][2] = {
    {"learning_rate", "lr"},       {"base_lr", "lr"},           {"lr_gamma", "gamma"},
    {"lr_decay", "gamma"},         {"lr_step_size", "step_size"}, {"lr_milestones", "milestones"},
    {"lr_min", "eta_min"},         {"min_learning_rate", "eta_min"}, {"num_epochs", "epochs"},
    {"n_epochs", "epochs"},        {"max_epochs", "epochs"},    {"batchsize", "batch_size"},
    {"train_batch_size", "batch_size"}, {"wd", "weight_decay"}, {"warmup", "warmup_epochs"},
};

const char *lrs_user_alias_of(const char *name)
{
    for (size_t i = 0; i < sizeof alias_table / sizeof alias_table[0]; i++)
        if (strcmp(alias_table[i][0], name) == 0)
            return alias_table[i][1];
    return NULL;
}

/* Whether a and b differ by exactly one insertion, deletion, substitution
 * or swap of neighbours. */
static int one_edit(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    if (la < lb)
        return one_edit(b, a);
    if (la - lb > 1)
        return 0;
    size_t i = 0;
    while (i < lb && a[i] == b[i])
        i++;
    if (i == la)
        return 0;   /* equal */
    if (la == lb)
        return strcmp(a + i + 1, b + i + 1) == 0 ||
               (i + 1 < la && a[i] == b[i + 1] && a[i + 1] == b[i] && strcmp(a + i + 2, b + i + 2) == 0);
    return strcmp(a + i + 1, b + i) == 0;
}

const char *lrs_user_typo_of(const char *name)
{
    const lrs_param_info_t *table = lrs_param_table();
    for (int i = 0; i < LRS_P_COUNT; i++)
        if (strlen(table[i].name) >= 4 && one_edit(name, table[i].name))
            return table[i].name;
    return NULL;
}

static int valid_name(const char *s)
{
    if (!((s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

int lrs_space_user_declared(const lrs_space_users_t *u, const char *name)
{
    const lrs_ynode_t *d = u ? u->declared : NULL;
    for (int i = 0; d && d->kind == LRS_Y_SEQ && i < d->n; i++)
        if (d->items[i]->kind == LRS_Y_SCALAR && strcmp(d->items[i]->text, name) == 0)
            return 1;
    return 0;
}

void lrs_space_users_check_declared(lrs_yctx_t *c, const lrs_space_users_t *u)
{
    const lrs_ynode_t *d = u->declared;
    char tmp[96];
    if (!d)
        return;
    if (!u->allowed) {
        LRS_YERR(c, d, "user: declares a script's own parameters, which need command:");
        return;
    }
    if (d->kind != LRS_Y_SEQ) {
        LRS_YERR(c, d, "user: expected a list of parameter names, got %s", lrs_y_describe(d, tmp, sizeof tmp));
        return;
    }
    for (int i = 0; i < d->n; i++) {
        const lrs_ynode_t *n = d->items[i];
        if (n->kind != LRS_Y_SCALAR || !valid_name(n->text)) {
            LRS_YERR(c, n, "user[%d]: expected a name of [a-z_][a-z0-9_]*, got %s", i,
                     lrs_y_describe(n, tmp, sizeof tmp));
            continue;
        }
        for (int j = 0; j < i; j++)
            if (d->items[j]->kind == LRS_Y_SCALAR && strcmp(d->items[j]->text, n->text) == 0)
                LRS_YERR(c, n, "user[%d]: '%s' is declared twice", i, n->text);
    }
}

/* ---- types ------------------------------------------------------------ */

enum { KIND_BOOL, KIND_INT, KIND_FLOAT, KIND_STRING };

static int scalar_kind(const lrs_ynode_t *n)
{
    if (n->kind != LRS_Y_SCALAR || n->quoted || !n->text[0])
        return KIND_STRING;
    if (lrs_y_bool_text(n->text) >= 0)
        return KIND_BOOL;
    char *end;
    errno = 0;
    long long iv = strtoll(n->text, &end, 10);
    if (*end == '\0' && errno == 0 && iv >= -2147483647LL && iv <= 2147483647LL)
        return KIND_INT;
    double d = strtod(n->text, &end);
    return *end == '\0' && isfinite(d) ? KIND_FLOAT : KIND_STRING;
}

/* The widest kind of the scalars of values (bool and numbers mixed: string). */
static int values_kind(const lrs_ynode_t *seq)
{
    int kind = -1;
    for (int i = 0; seq->kind == LRS_Y_SEQ && i < seq->n; i++) {
        int k = scalar_kind(seq->items[i]);
        if (kind < 0 || k == kind)
            kind = k;
        else if (k == KIND_STRING || kind == KIND_STRING || k == KIND_BOOL || kind == KIND_BOOL)
            kind = KIND_STRING;
        else
            kind = KIND_FLOAT;   /* int and float */
    }
    return kind < 0 ? KIND_FLOAT : kind;
}

/* The choices of a string parameter: its values' texts (scalars only; the
 * value parser reports the rest). */
static const char *const *string_choices(lrs_yctx_t *c, const lrs_ynode_t *seq, int n_single,
                                         const lrs_ynode_t *single)
{
    int n = single ? n_single : seq->n;
    const char **choices = lrs_arena_alloc(c->arena, (size_t)(n + 1) * sizeof *choices);
    if (!choices)
        return NULL;
    for (int i = 0; i < n; i++) {
        const lrs_ynode_t *v = single ? single : seq->items[i];
        choices[i] = v->kind == LRS_Y_SCALAR ? lrs_arena_strndup(c->arena, v->text, strlen(v->text)) : "";
        if (!choices[i])
            return NULL;
    }
    return choices;
}

const lrs_param_info_t *lrs_space_user_param(lrs_yctx_t *c, lrs_space_users_t *u,
                                             const lrs_ynode_t *key, const lrs_ynode_t *val,
                                             const char *parent)
{
    const char *name = key->text;
    const char *alias = lrs_user_alias_of(name), *typo = lrs_user_typo_of(name);
    int declared = lrs_space_user_declared(u, name);
    if (!u || !u->allowed) {
        LRS_YERR(c, key, "%s: unknown parameter '%s' (see 'lrsweep params'; a script's own "
                         "parameters need command:)", parent, name);
        return NULL;
    }
    if (!valid_name(name)) {
        LRS_YERR(c, key, "%s: '%s' is not a parameter name: a script's own parameter is named "
                         "[a-z_][a-z0-9_]*", parent, name);
        return NULL;
    }
    if (!declared && !alias && typo) {
        LRS_YERR(c, key, "%s: unknown parameter '%s': did you mean '%s'? (list the script's own "
                         "parameters under user: to keep the name)", parent, name, typo);
        return NULL;
    }
    lrs_param_info_t *p = lrs_arena_alloc(c->arena, sizeof *p);
    const char *copy = lrs_arena_strndup(c->arena, name, strlen(name));   /* the YAML tree goes */
    if (!p || !copy)
        return NULL;
    *p = (lrs_param_info_t){.name = copy, .id = LRS_P_USER, .type = LRS_PT_FLOAT,
                            .branch = LRS_BR_GLOBAL, .lo = -INFINITY, .hi = INFINITY,
                            .offset = LRS_MAX_USER_PARAMS};
    int kind = KIND_FLOAT;
    const lrs_ynode_t *values = NULL;
    if (val->kind == LRS_Y_SCALAR) {
        kind = scalar_kind(val);
    } else if (val->kind == LRS_Y_MAP) {
        for (int i = 0; i < val->n; i++) {
            const char *k = lrs_y_key(val, i)->text;
            if (strcmp(k, "values") == 0) {
                values = lrs_y_value(val, i);
                kind = values_kind(values);
            } else if (strncmp(k, "int_", 4) == 0) {
                kind = KIND_INT;
            }
        }
    }
    if (!declared && alias && !u->alias) {
        u->alias = copy;
        u->alias_of = alias;
        u->alias_line = key->line;
    }
    static const lrs_param_type_t types[] = {LRS_PT_BOOL, LRS_PT_INT, LRS_PT_FLOAT, LRS_PT_CHOICE};
    p->type = types[kind];
    if (kind == KIND_STRING) {
        p->choices = val->kind == LRS_Y_SCALAR ? string_choices(c, NULL, 1, val)
                     : values && values->kind == LRS_Y_SEQ ? string_choices(c, values, 0, NULL)
                                                           : NULL;
        if (!p->choices)
            return NULL;
    }
    return p;
}

/* ---- slots ------------------------------------------------------------ */

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Adds the user names of block to names (n of them so far, room for max). */
static void collect_names(const lrs_space_block_t *b, const char **names, int *n, int max)
{
    for (int i = 0; i < b->n_nodes; i++) {
        const lrs_space_node_t *node = &b->nodes[i];
        if (node->param && node->param->id == LRS_P_USER) {
            int seen = 0;
            for (int k = 0; k < *n && !seen; k++)
                seen = strcmp(names[k], node->param->name) == 0;
            if (!seen && *n < max)
                names[*n] = node->param->name;
            *n += !seen;
        }
        for (int k = 0; node->branches && k < node->n_values; k++)
            collect_names(&node->branches[k], names, n, max);
    }
}

static void give_slots(const lrs_space_block_t *b, const lrs_space_users_t *u)
{
    for (int i = 0; i < b->n_nodes; i++) {
        const lrs_space_node_t *node = &b->nodes[i];
        if (node->param && node->param->id == LRS_P_USER) {
            const char *const *at = bsearch(&node->param->name, u->names, (size_t)u->n, sizeof *u->names,
                                            name_cmp);
            ((lrs_param_info_t *)node->param)->offset = (size_t)(at - u->names);   /* ours, in the arena */
        }
        for (int k = 0; node->branches && k < node->n_values; k++)
            give_slots(&node->branches[k], u);
    }
}

void lrs_space_user_slots(lrs_yctx_t *c, const lrs_ynode_t *search, const lrs_space_block_t *root,
                          lrs_space_users_t *u)
{
    int n = 0;
    collect_names(root, u->names, &n, LRS_MAX_USER_PARAMS);
    /* A declared name no branch searches is still the script's: {gamma}
     * stays empty in every trial rather than becoming lrsweep's gamma. */
    const lrs_ynode_t *d = u->allowed ? u->declared : NULL;
    for (int i = 0; d && d->kind == LRS_Y_SEQ && i < d->n; i++) {
        const char *name = d->items[i]->kind == LRS_Y_SCALAR ? d->items[i]->text : NULL;
        int seen = !name || !valid_name(name);
        for (int k = 0; k < n && k < LRS_MAX_USER_PARAMS && !seen; k++)
            seen = strcmp(u->names[k], name) == 0;
        if (seen)
            continue;
        if (n < LRS_MAX_USER_PARAMS && !(u->names[n] = lrs_arena_strndup(c->arena, name, strlen(name))))
            return;
        n++;
    }
    if (n > LRS_MAX_USER_PARAMS) {
        LRS_YERR(c, search, "search: %d user parameters; a sweep may have at most %d", n,
                 LRS_MAX_USER_PARAMS);
        u->n = 0;
        return;
    }
    u->n = n;
    qsort(u->names, (size_t)n, sizeof *u->names, name_cmp);
    give_slots(root, u);
}

void lrs_space_users_attach(const lrs_space_users_t *u, lrs_trial_cfg_t *cfg)
{
    if (u->n > 0) {
        cfg->user_names = u->names;
        cfg->n_user_names = u->n;
    }
}
