/* spec.c — the sweep spec: YAML → validated settings and search space.
 *
 * Loading runs in four passes, collecting every error rather than stopping
 * at the first:
 *   1. common/yaml_doc reads the text into a small tree that remembers the
 *      line:column of every node (the document API of libfyaml 0.7 does not);
 *   2. the settings (name, seed, sampler, objective, data, model, train — or
 *      for an exec spec command, shell, metric, timeout, folds, workdir, env);
 *   3. common/space_build reads `search:` into the search space, checking
 *      every value and range end through lrs_trial_cfg_set[_number];
 *   4. and walks every combination of branches a trial can take once, so
 *      that lrs_trial_cfg_finalize cannot fail on a sampled trial.
 * Errors are collected in a common/diag list, sorted by position and
 * printed as "file:line:column: message".
 *
 * Then the spec's hash and its sampler are made once; sampling and
 * lrs_spec_config only read.  The space lives in an arena owned by the spec
 * and is immutable afterwards.
 */
#include "common/spec.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/numfmt.h"
#include "common/rng.h"
#include "common/sampler.h"
#include "common/space.h"
#include "common/space_build.h"
#include "common/spec_budget.h"
#include "common/spec_confirm.h"
#include "common/spec_exec.h"
#include "common/spec_hash.h"
#include "common/spec_prune.h"
#include "common/spec_rules.h"
#include "common/yaml_doc.h"

/* ---------------------------------------------------------- spec object */

struct lrs_spec {
    lrs_arena_t arena;
    char *text;
    lrs_spec_info_t info;
    lrs_exec_spec_t exec;                /* exec specs: info.exec points here */
    lrs_budget_t budget;                 /* info.budget points here */
    lrs_confirm_spec_t confirm;          /* info.confirm points here */
    lrs_prune_spec_t pruning;            /* info.pruning points here */
    int is_exec;
    const char *workdir_as_written;
    const char *data_path_as_written;
    lrs_space_block_t *root;
    lrs_space_users_t users;             /* the space's user parameters (command sweeps) */
    int dims;
    uint64_t trial_count;
    uint64_t hash;
    lrs_sampler_t *sampler;
    int rules;                           /* common/spec_rules.h: the rules it was parsed under */
    int target_written;                  /* data.standardize_target: 0/1, -1 not written */
    char *name, *base_dir;               /* as parsed (lrs_spec_with_rules parses again) */
};

static const char *const top_keys[] = {"name",    "seed",  "trials",  "sampler", "objective",
                                       "metric",  "data",  "model",   "train",   "command",
                                       "shell",   "timeout", "folds", "workdir", "env",
                                       "search",  "budget",  "pruning", "seeds", "repeats",
                                       "confirm", "user", "args", "preload", "retries", "memory_limit",
                                       NULL};
/* Keys of an exec spec only, and of a built-in spec only. */
static const char *const exec_keys[] = {"shell", "timeout", "folds", "workdir", "env", "args",
                                        "preload", "retries", "memory_limit", NULL};
static const char *const builtin_keys[] = {"data", "model", "train", NULL};
static const char *const metric_names[] = {"val_loss", "accuracy", NULL};
static const char *const seeds_names[] = {"per_trial", "shared", NULL};
static const char *const goal_names[] = {"minimize", "maximize", NULL};
static const char *const task_names[] = {"regression", "classification", NULL};
static const char *const model_names[] = {"linear", "logistic", "mlp", "synthetic", NULL};
static const char *const activation_names[] = {"relu", "tanh", NULL};

/* Index of key in map (which has it). */
static int key_index(const lrs_ynode_t *map, const char *key)
{
    for (int i = 0; i < map->n; i++)
        if (strcmp(lrs_y_key(map, i)->text, key) == 0)
            return i;
    return 0;
}

/* Required top-level key: reported at the top of the document when absent. */
static const lrs_ynode_t *require_key(lrs_yctx_t *c, const lrs_ynode_t *map, const char *key, const char *why)
{
    const lrs_ynode_t *v = lrs_y_get(map, key);
    if (!v)
        LRS_YERR(c, map, "missing required key '%s'%s", key, why);
    return v;
}

/* The metric's name: for the built-in engine one of metric_names, for a
 * command any name it can report (common/metrics.h). */
static void parse_metric_name(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, int is_exec,
                              lrs_spec_info_t *info)
{
    int k = 0;
    if (!is_exec) {
        if (lrs_y_enum(c, n, where, metric_names, &k) == 0)
            info->metric = metric_names[k];
        return;
    }
    const char *name;
    if (lrs_y_string(c, n, where, &name) < 0)
        return;
    if (!lrs_metrics_valid_name(name)) {
        LRS_YERR(c, n, "%s: '%s' is not a metric name: letters, digits and _ . : / -, starting with a "
                       "letter or _, at most %d bytes", where, n->text, LRS_METRIC_NAME_MAX - 1);
        return;
    }
    info->metric = name;
}

/* `objective: {metric: NAME, goal: G}` or `metric: {name: NAME, goal: G}`
 * (also `metric: NAME`); name_key is "metric" or "name". */
static void parse_objective(lrs_yctx_t *c, const lrs_ynode_t *obj, const char *where, const char *name_key,
                            int is_exec, lrs_spec_info_t *info)
{
    const char *const keys[] = {name_key, "goal", NULL};
    char w[64];
    int goal = -1;
    const lrs_ynode_t *n;
    if (obj->kind == LRS_Y_SCALAR && strcmp(where, "metric") == 0) {
        parse_metric_name(c, obj, where, is_exec, info);
    } else {
        if (lrs_y_check_mapping(c, obj, where, keys) < 0)
            return;
        snprintf(w, sizeof w, "%s.%s", where, name_key);
        if ((n = lrs_y_get(obj, name_key)))
            parse_metric_name(c, n, w, is_exec, info);
        else if (is_exec)
            LRS_YERR(c, obj, "%s: missing %s: the metric the command reports", where, name_key);
        snprintf(w, sizeof w, "%s.goal", where);
        if ((n = lrs_y_get(obj, "goal")))
            lrs_y_enum(c, n, w, goal_names, &goal);
    }
    /* Loss is minimised and accuracy maximised unless said otherwise. */
    info->goal = goal >= 0 ? (lrs_goal_t)goal
                           : strcmp(info->metric, "accuracy") == 0 ? LRS_GOAL_MAXIMIZE : LRS_GOAL_MINIMIZE;
}

static void resolve_data_path(lrs_yctx_t *c, lrs_spec_t *s, const lrs_ynode_t *n, const char *base_dir)
{
    const char *path;
    if (lrs_y_string(c, n, "data.path", &path) < 0)
        return;
    s->data_path_as_written = path;
    s->info.data_path = path;
    if (!base_dir)
        return;   /* spec text from elsewhere (a worker): the data comes separately */
    if (path[0] != '/' && base_dir[0])
        path = lrs_arena_printf(c->arena, "%s/%s", base_dir, path);
    if (!path)
        return;
    s->info.data_path = path;
    struct stat st;
    if (stat(path, &st) != 0)
        LRS_YERR(c, n, "data.path: data file '%s' does not exist (looked for %s)", n->text, path);
    else if (!S_ISREG(st.st_mode))
        LRS_YERR(c, n, "data.path: '%s' is not a regular file", path);
}

static void parse_targets(lrs_yctx_t *c, lrs_spec_t *s, const lrs_ynode_t *n)
{
    int count = n->kind == LRS_Y_SEQ ? n->n : 1;
    const char **targets = lrs_arena_alloc(c->arena, (size_t)(count + 1) * sizeof *targets);
    if (!targets)
        return;
    if (n->kind == LRS_Y_SEQ && n->n == 0) {
        LRS_YERR(c, n, "data.target: expected at least one column name");
        return;
    }
    for (int i = 0; i < count; i++)
        if (lrs_y_string(c, n->kind == LRS_Y_SEQ ? n->items[i] : n, "data.target", &targets[i]) < 0)
            return;
    s->info.targets = targets;
    s->info.n_targets = count;
}

static void parse_synthetic_data(lrs_yctx_t *c, lrs_spec_info_t *info, const lrs_ynode_t *syn)
{
    static const char *const keys[] = {"rows", "features", "outputs", "noise", NULL};
    if (lrs_y_check_mapping(c, syn, "data.synthetic", keys) < 0)
        return;
    const lrs_ynode_t *n;
    info->synthetic_rows = 100;
    info->synthetic_features = 4;
    info->synthetic_outputs = 1;
    info->synthetic_noise = 0.1;
    if ((n = lrs_y_get(syn, "rows")))
        lrs_y_int(c, n, "data.synthetic.rows", 2, 100000000, &info->synthetic_rows);
    if ((n = lrs_y_get(syn, "features")))
        lrs_y_int(c, n, "data.synthetic.features", 1, 100000, &info->synthetic_features);
    if ((n = lrs_y_get(syn, "outputs")))
        lrs_y_int(c, n, "data.synthetic.outputs", 1, 10000, &info->synthetic_outputs);
    if ((n = lrs_y_get(syn, "noise")) &&
        lrs_y_double(c, n, "data.synthetic.noise", &info->synthetic_noise) == 0 && info->synthetic_noise < 0)
        LRS_YERR(c, n, "data.synthetic.noise: expected a value >= 0, got %s", n->text);
}

static void parse_data(lrs_yctx_t *c, lrs_spec_t *s, const lrs_ynode_t *data, const char *base_dir)
{
    static const char *const keys[] = {"path", "target", "task", "synthetic",
                                       "standardize_target", NULL};
    if (lrs_y_check_mapping(c, data, "data", keys) < 0)
        return;
    const lrs_ynode_t *path = lrs_y_get(data, "path"), *syn = lrs_y_get(data, "synthetic");
    const lrs_ynode_t *target = lrs_y_get(data, "target"), *task = lrs_y_get(data, "task");
    const lrs_ynode_t *scale = lrs_y_get(data, "standardize_target");
    if (scale)
        lrs_y_bool(c, scale, "data.standardize_target", &s->target_written);
    if (path && syn)
        LRS_YERR(c, syn, "data: give either path or synthetic, not both");
    else if (!path && !syn)
        LRS_YERR(c, data, "data: expected path (a CSV file) or synthetic: {rows, features, outputs, noise}");
    if (path)
        resolve_data_path(c, s, path, base_dir);
    if (path && !target)
        LRS_YERR(c, data, "data: missing target: the name(s) of the target column(s)");
    if (target && !path)
        LRS_YERR(c, target, "data.target: applies only to a CSV file (data.path)");
    else if (target)
        parse_targets(c, s, target);
    if (task)
        lrs_y_enum(c, task, "data.task", task_names, &s->info.task_hint);
    if (syn) {
        parse_synthetic_data(c, &s->info, syn);
        if (task && s->info.task_hint == LRS_TASK_CLASSIFICATION)
            LRS_YERR(c, task, "data.task: synthetic data is a regression problem");
    }
}

static void parse_model(lrs_yctx_t *c, lrs_spec_info_t *info, const lrs_ynode_t *model)
{
    static const char *const keys[] = {"type", "hidden", "activation", "cost_ms", NULL};
    if (lrs_y_check_mapping(c, model, "model", keys) < 0)
        return;
    const lrs_ynode_t *type = lrs_y_get(model, "type"), *hidden = lrs_y_get(model, "hidden");
    const lrs_ynode_t *act = lrs_y_get(model, "activation"), *cost = lrs_y_get(model, "cost_ms");
    int kind = LRS_MODEL_LINEAR;
    if (type)
        lrs_y_enum(c, type, "model.type", model_names, &kind);
    info->model_kind = (lrs_model_kind_t)kind;
    if (kind == LRS_MODEL_MLP && !hidden)
        LRS_YERR(c, model, "model: type mlp needs hidden: [width, ...]");
    if (hidden && kind != LRS_MODEL_MLP) {
        LRS_YERR(c, hidden, "model.hidden: applies only to type mlp");
    } else if (hidden && (hidden->kind != LRS_Y_SEQ || hidden->n < 1 || hidden->n > LRS_MAX_HIDDEN)) {
        LRS_YERR(c, hidden, "model.hidden: expected a list of 1 to %d layer widths", LRS_MAX_HIDDEN);
    } else if (hidden) {
        info->model.n_hidden = hidden->n;
        for (int i = 0; i < hidden->n; i++)
            lrs_y_int(c, hidden->items[i], "model.hidden", 1, LRS_MAX_HIDDEN_WIDTH, &info->model.hidden[i]);
    }
    if (act && kind != LRS_MODEL_MLP)
        LRS_YERR(c, act, "model.activation: applies only to type mlp");
    else if (act) {
        int a = 0;
        if (lrs_y_enum(c, act, "model.activation", activation_names, &a) == 0)
            info->model.activation = (lrs_activation_t)a;
    }
    if (cost && kind != LRS_MODEL_SYNTHETIC)
        LRS_YERR(c, cost, "model.cost_ms: applies only to type synthetic");
    else if (cost && lrs_y_double(c, cost, "model.cost_ms", &info->synthetic_cost_ms) == 0 &&
             (info->synthetic_cost_ms < 0 || info->synthetic_cost_ms > 3600e3))
        LRS_YERR(c, cost, "model.cost_ms: expected 0..3600000 milliseconds, got %s", cost->text);
}

static void parse_train(lrs_yctx_t *c, lrs_spec_info_t *info, const lrs_ynode_t *train)
{
    static const char *const keys[] = {"folds", "shuffle", "standardize", "holdout", NULL};
    if (lrs_y_check_mapping(c, train, "train", keys) < 0)
        return;
    const lrs_ynode_t *n;
    if ((n = lrs_y_get(train, "folds")))
        lrs_y_int(c, n, "train.folds", 0, 1000, &info->folds);
    if ((n = lrs_y_get(train, "shuffle")))
        lrs_y_bool(c, n, "train.shuffle", &info->shuffle);
    if ((n = lrs_y_get(train, "standardize")))
        lrs_y_bool(c, n, "train.standardize", &info->standardize);
    if ((n = lrs_y_get(train, "holdout")) && lrs_y_double(c, n, "train.holdout", &info->holdout) == 0 &&
        !(info->holdout > 0 && info->holdout < 1))
        LRS_YERR(c, n, "train.holdout: expected a fraction in (0, 1), got %s", n->text);
}

/* Cross-setting rules: what the model and objective need from the data. */
static void check_settings(lrs_yctx_t *c, lrs_spec_t *s, const lrs_ynode_t *root)
{
    const lrs_spec_info_t *in = &s->info;
    if (s->is_exec)
        return;
    const lrs_ynode_t *data = lrs_y_get(root, "data"), *model = lrs_y_get(root, "model");
    const lrs_ynode_t *obj = lrs_y_get(root, "objective");
    int regression = in->synthetic_rows > 0 || in->task_hint == LRS_TASK_REGRESSION;
    if (!data && in->model_kind != LRS_MODEL_SYNTHETIC)
        LRS_YERR(c, root, "missing required key 'data' (only model type synthetic runs without data)");
    if (in->model_kind == LRS_MODEL_LOGISTIC && regression && model)
        LRS_YERR(c, model, "model: type logistic needs a classification task");
    if (strcmp(in->metric, "accuracy") == 0 && regression && obj)
        LRS_YERR(c, obj, "objective: metric accuracy needs a classification task");
    /* The effective standardize_target: as written, or the rules' default;
     * written true needs a regression task. */
    const lrs_ynode_t *scale = data ? lrs_y_get(data, "standardize_target") : NULL;
    int classification = in->task_hint == LRS_TASK_CLASSIFICATION || in->model_kind == LRS_MODEL_LOGISTIC;
    if (scale && s->target_written == 1 && classification)
        LRS_YERR(c, scale, "data.standardize_target: scales a regression target; this spec "
                           "has a classification task (set it to false)");
    if (in->model_kind != LRS_MODEL_SYNTHETIC)
        s->info.standardize_target =
            lrs_rules_standardize_target(s->rules, s->target_written, classification);
}

/* The largest `epochs` any trial of the space can have: the largest value
 * written for it anywhere (branches included), 100 (the default) when the
 * space gives none. */
static double block_max_epochs(const lrs_space_block_t *b)
{
    double m = 0;
    for (int i = 0; b && i < b->n_nodes; i++) {
        const lrs_space_node_t *n = &b->nodes[i];
        if (n->param && n->param->id == LRS_P_EPOCHS) {
            double v = n->dist != LRS_DIST_VALUES ? n->hi : 0;
            for (int k = 0; k < n->n_values; k++)
                v = n->values[k].number > v ? n->values[k].number : v;
            m = v > m ? v : m;
        }
        for (int k = 0; n->branches && k < n->n_values; k++) {
            double v = block_max_epochs(&n->branches[k]);
            m = v > m ? v : m;
        }
    }
    return m;
}

static int space_max_epochs(const lrs_space_block_t *root)
{
    double m = block_max_epochs(root);
    if (m <= 0)
        return 100;
    return m > LRS_PRUNE_MAX_EPOCH ? LRS_PRUNE_MAX_EPOCH : (int)m;
}

/* ------------------------------------------------------------- loading */

static void parse_top(lrs_yctx_t *c, lrs_spec_t *s, const lrs_ynode_t *root, const char *base_dir)
{
    lrs_spec_info_t *in = &s->info;
    const lrs_ynode_t *n;
    int sampler = LRS_SAMPLER_RANDOM;
    lrs_y_check_mapping(c, root, "spec", top_keys);
    if ((n = require_key(c, root, "name", "")))
        lrs_y_string(c, n, "name", &in->name);
    if ((n = lrs_y_get(root, "seed"))) {
        long long seed;
        if (lrs_y_integer(c, n, "seed", 0, INT64_MAX, &seed) == 0)
            in->seed = (uint64_t)seed;
    }
    if ((n = lrs_y_get(root, "sampler")))
        lrs_y_enum(c, n, "sampler", lrs_sampler_names, &sampler);
    if ((n = lrs_y_get(root, "seeds")))
        lrs_y_enum(c, n, "seeds", seeds_names, &in->shared_seeds);
    in->sampler = (lrs_sampler_kind_t)sampler;
    if ((n = lrs_y_get(root, "repeats")))
        lrs_y_int(c, n, "repeats", 1, LRS_SPEC_MAX_REPEATS, &in->repeats);
    if ((n = lrs_y_get(root, "trials"))) {
        long long trials;
        if (lrs_y_integer(c, n, "trials", 1, LRS_SPEC_MAX_TRIALS, &trials) == 0)
            in->trials = (uint64_t)trials;
    } else if (sampler != LRS_SAMPLER_GRID) {
        LRS_YERR(c, root, "missing required key 'trials' (the %s sampler needs a trial count)",
                 lrs_sampler_kind_name(sampler));
    }
    if ((n = lrs_y_get(root, "budget")))
        lrs_spec_budget_read(c, n, &s->budget);
    if ((n = lrs_y_get(root, "confirm")))
        lrs_spec_confirm_read(c, n, LRS_SPEC_MAX_REPEATS, &s->confirm);
    s->is_exec = lrs_y_get(root, "command") != NULL;
    in->metric = metric_names[0];
    in->goal = LRS_GOAL_MINIMIZE;
    const lrs_ynode_t *obj = lrs_y_get(root, "objective"), *metric = lrs_y_get(root, "metric");
    if (obj && metric) {   /* reported at the one written second */
        const char *second = key_index(root, "metric") > key_index(root, "objective") ? "metric"
                                                                                     : "objective";
        LRS_YERR(c, lrs_y_key(root, key_index(root, second)),
                 "%s: give either objective or metric, not both", second);
    }
    else if (obj)
        parse_objective(c, obj, "objective", "metric", s->is_exec, in);
    else if (metric)
        parse_objective(c, metric, "metric", "name", s->is_exec, in);
    else if (s->is_exec)
        LRS_YERR(c, root, "missing required key 'metric' (the name the command reports, e.g. "
                          "metric: {name: val_loss, goal: minimize})");
    /* Keys that belong to the other kind of spec. */
    const char *const *wrong = s->is_exec ? builtin_keys : exec_keys;
    for (int i = 0; wrong[i]; i++)
        if ((n = lrs_y_get(root, wrong[i])))
            LRS_YERR(c, lrs_y_key(root, key_index(root, wrong[i])),
                     s->is_exec ? "%s: an exec spec (command:) runs the user's command; data, model and "
                                "train apply only to the built-in engine"
                              : "%s: applies only to an exec spec (with command:)",
                   wrong[i]);
    if (s->is_exec) {
        if (in->repeats > 1)
            LRS_YERR(c, lrs_y_get(root, "repeats"),
                     "repeats: an exec spec (command:) runs its command once per fold with the "
                     "trial's {seed}; repeats above 1 apply to the built-in engine only");
        if ((n = lrs_y_get(root, "confirm")))
            LRS_YERR(c, n, "confirm: confirmation re-runs configs with several fresh seeds, "
                           "which applies to the built-in engine only");
        lrs_spec_exec_read(c, root, base_dir, &s->exec, &s->workdir_as_written);
        return;
    }
    if ((n = lrs_y_get(root, "data")))
        parse_data(c, s, n, base_dir);
    if ((n = lrs_y_get(root, "model")))
        parse_model(c, in, n);
    if ((n = lrs_y_get(root, "train")))
        parse_train(c, in, n);
    check_settings(c, s, root);
}

static void parse_search(lrs_yctx_t *c, lrs_spec_t *s, const lrs_ynode_t *root)
{
    const lrs_ynode_t *search = require_key(c, root, "search", " (the parameters to search)");
    lrs_space_block_t *block = lrs_arena_alloc(c->arena, sizeof *block);
    if (!search || !block)
        return;
    s->root = block;
    s->users = (lrs_space_users_t){.allowed = s->is_exec, .declared = lrs_y_get(root, "user")};
    lrs_space_build(c, search, s->info.sampler, lrs_rules_decimal_grid(s->rules), &s->users, block,
                    &s->dims);
    s->users.declared = NULL;   /* the YAML tree goes */
    if (s->is_exec)
        lrs_spec_exec_check_command(c, root, &s->exec, s->users.names, s->users.n);
}

static void info_defaults(lrs_spec_info_t *in)
{
    in->task_hint = -1;
    in->model_kind = LRS_MODEL_LINEAR;
    in->model.activation = LRS_ACT_RELU;
    in->folds = 5;
    in->shuffle = 1;
    in->standardize = 1;
    in->holdout = 0.2;
    in->repeats = 1;
}

int lrs_spec_parse_rules(const char *name, const char *text, size_t len, const char *base_dir,
                         int rules, lrs_spec_t **out, FILE *report, lrs_err_t *err)
{
    lrs_diags_t d = {.file = name ? name : "spec"};
    lrs_arena_t yarena = {0};
    lrs_spec_t *s = calloc(1, sizeof *s);
    int rc = -1;
    *out = NULL;
    if (!lrs_rules_known(rules)) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: behaviour rules %d are newer than this release "
                    "(it knows 0..%d): use a newer lrsweep", d.file, rules, LRS_RULES_CURRENT);
        goto done;
    }
    if (len > LRS_SPEC_MAX_TEXT + 1)
        len = LRS_SPEC_MAX_TEXT + 1;   /* refused by lrs_y_read, at the byte past the limit */
    if (s) {
        s->rules = rules;
        s->target_written = -1;
        s->name = name ? strdup(name) : NULL;
        s->base_dir = base_dir ? strdup(base_dir) : NULL;
    }
    if (!s || (name && !s->name) || (base_dir && !s->base_dir) || !(s->text = malloc(len + 1))) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", d.file);
        goto done;
    }
    memcpy(s->text, text, len);
    s->text[len] = '\0';
    if (memchr(text, '\0', len)) {
        lrs_diag_add(&d, 0, 0, "the spec contains a NUL byte: expected YAML text");
        goto report;
    }
    info_defaults(&s->info);
    lrs_yctx_t c = {.d = &d, .arena = &s->arena};
    const lrs_ynode_t *n_prune;
    const lrs_ynode_t *root = lrs_y_read(s->text, len, LRS_SPEC_MAX_TEXT, "spec", &yarena, &d);
    if (!root)
        goto report;
    if (root->kind != LRS_Y_MAP) {
        if (root->line == 0)   /* no document at all */
            lrs_diag_add(&d, 0, 0, "the spec is empty: expected a mapping with name, trials, data, "
                                   "search, …");
        else
            lrs_diag_add(&d, root->line, root->column,
                         "expected a mapping with name, trials, data, search, …");
        goto report;
    }
    parse_top(&c, s, root, base_dir);
    parse_search(&c, s, root);
    lrs_prune_defaults(&s->pruning, LRS_PRUNE_NONE);
    if ((n_prune = lrs_y_get(root, "pruning")))
        lrs_spec_prune_read(&c, n_prune, !s->is_exec || block_max_epochs(s->root) > 0
                                             ? space_max_epochs(s->root) : 0, &s->pruning);
    if (s->arena.failed || yarena.failed)
        d.oom = 1;
    if (d.n == 0 && !d.oom) {
        /* A logistic model reads numeric labels (0/1/2) as classes: the one
         * place this is decided, so every side parses the data alike. */
        if (s->info.model_kind == LRS_MODEL_LOGISTIC && s->info.task_hint < 0)
            s->info.task_hint = LRS_TASK_CLASSIFICATION;
        s->info.model.task = s->info.task_hint == LRS_TASK_CLASSIFICATION ? LRS_TASK_CLASSIFICATION
                                                                          : LRS_TASK_REGRESSION;
        s->trial_count = s->info.sampler == LRS_SAMPLER_GRID ? s->root->grid_count : s->info.trials;
        if (s->info.sampler == LRS_SAMPLER_GRID)
            s->info.trials = s->trial_count;
        if (s->is_exec) {
            s->exec.metric = s->info.metric;
            s->exec.maximize = s->info.goal == LRS_GOAL_MAXIMIZE;
            s->info.exec = &s->exec;
        }
        s->info.budget = &s->budget;
        s->info.pruning = &s->pruning;
        s->info.confirm = &s->confirm;
        s->hash = lrs_spec_hash_of(&s->info, s->data_path_as_written, s->workdir_as_written,
                                   s->root);
        s->sampler = lrs_sampler_new(s->info.sampler, s->root, s->dims, s->info.seed, err);
        if (!s->sampler)
            goto done;
        *out = s;
        s = NULL;
        rc = 0;
        goto done;
    }
report:
    if (d.n == 0 && !d.oom)
        lrs_diag_add(&d, 0, 0, "invalid spec");
    lrs_diag_finish(&d, report, err);
done:
    lrs_diag_free(&d);
    lrs_arena_free(&yarena);
    lrs_spec_destroy(&s);
    return rc;
}

int lrs_spec_parse_report(const char *name, const char *text, size_t len, const char *base_dir,
                          lrs_spec_t **out, FILE *report, lrs_err_t *err)
{
    return lrs_spec_parse_rules(name, text, len, base_dir, LRS_RULES_CURRENT, out, report, err);
}

int lrs_spec_with_rules(const lrs_spec_t *s, int rules, lrs_spec_t **out, lrs_err_t *err)
{
    return lrs_spec_parse_rules(s->name, s->text, strlen(s->text), s->base_dir, rules, out, NULL,
                                err);
}

int lrs_spec_rules(const lrs_spec_t *s)
{
    return s->rules;
}

int lrs_spec_parse(const char *name, const char *text, size_t len, const char *base_dir,
                   lrs_spec_t **out, lrs_err_t *err)
{
    return lrs_spec_parse_report(name, text, len, base_dir, out, NULL, err);
}

int lrs_spec_load_report(const char *path, lrs_spec_t **out, FILE *report, lrs_err_t *err)
{
    return lrs_spec_load_more(path, NULL, out, report, err);
}

int lrs_spec_load_more(const char *path, const char *more, lrs_spec_t **out, FILE *report,
                       lrs_err_t *err)
{
    char *text = NULL, *dir = NULL;
    int rc = -1;
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f) {
        lrs_err_set(err, errno == ENOENT || errno == EACCES ? LRS_EXIT_USAGE : LRS_EXIT_RUNTIME,
                    "%s: cannot open spec: %s", path, strerror(errno));
        goto done;
    }
    /* One byte past the limit is enough for the parser to refuse it. */
    text = malloc(LRS_SPEC_MAX_TEXT + 1);
    if (!text) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", path);
        goto done;
    }
    size_t len = fread(text, 1, LRS_SPEC_MAX_TEXT + 1, f);
    if (ferror(f)) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: read failed: %s", path, strerror(errno));
        goto done;
    }
    if (more && len <= LRS_SPEC_MAX_TEXT) {   /* after a line break; cut at the limit */
        size_t room = LRS_SPEC_MAX_TEXT + 1 - len;
        int n = snprintf(text + len, room, "%s%s", len && text[len - 1] != '\n' ? "\n" : "",
                         more);
        len += n < 0 ? 0 : (size_t)n < room ? (size_t)n : room - 1;
    }
    /* Relative data paths are relative to the spec's folder. */
    const char *slash = strrchr(path, '/');
    dir = slash ? strndup(path, (size_t)(slash - path) + (slash == path)) : strdup(".");
    if (!dir) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", path);
        goto done;
    }
    rc = lrs_spec_parse_report(path, text, len, dir, out, report, err);
done:
    if (f)
        fclose(f);
    free(text);
    free(dir);
    return rc;
}

int lrs_spec_load(const char *path, lrs_spec_t **out, lrs_err_t *err)
{
    return lrs_spec_load_report(path, out, NULL, err);
}

void lrs_spec_destroy(lrs_spec_t **s)
{
    if (!s || !*s)
        return;
    lrs_sampler_destroy(&(*s)->sampler);
    lrs_arena_free(&(*s)->arena);
    free((*s)->text);
    free((*s)->name);
    free((*s)->base_dir);
    free(*s);
    *s = NULL;
}

const lrs_spec_info_t *lrs_spec_info(const lrs_spec_t *s)
{
    return &s->info;
}

uint64_t lrs_spec_trial_count(const lrs_spec_t *s)
{
    return s->trial_count;
}

int lrs_spec_param_count(const lrs_spec_t *s)
{
    return s->dims;
}

uint64_t lrs_spec_space_hash(const lrs_spec_t *s)
{
    return s->hash;
}

const char *lrs_spec_text(const lrs_spec_t *s)
{
    return s->text;
}

const lrs_space_block_t *lrs_spec_space(const lrs_spec_t *s)
{
    return s->root;
}

const lrs_space_users_t *lrs_spec_users(const lrs_spec_t *s)
{
    return &s->users;
}

/* ------------------------------------------------------------ sampling */

int lrs_spec_sample(const lrs_spec_t *s, uint64_t index, lrs_trial_cfg_t *cfg, uint64_t *trial_seed,
                    lrs_err_t *err)
{
    lrs_trial_cfg_init(cfg);
    lrs_space_users_attach(&s->users, cfg);
    uint64_t drawn = index;
    lrs_confirm_of(index, &drawn);   /* a confirmation runs its search trial's config */
    if (lrs_sampler_draw(s->sampler, drawn, cfg, err) < 0)
        return -1;
    /* torch refuses nesterov without momentum (or with dampening): in such
     * a trial nesterov=true becomes false, the only value it can take. */
    lrs_optim_cfg_t *o = &cfg->optim;
    if (o->nesterov && (o->momentum <= 0.0 || o->dampening != 0.0))
        o->nesterov = 0;
    if (lrs_trial_cfg_finalize(cfg, err) < 0) {
        lrs_err_prefix(err, "trial %llu: ", (unsigned long long)index);
        return -1;
    }
    if (trial_seed)
        *trial_seed = lrs_spec_trial_seed(s, index);
    return 0;
}

uint64_t lrs_spec_trial_seed(const lrs_spec_t *s, uint64_t index)
{
    /* seeds: shared — every trial trains with trial 0's seed: the same
     * initial weights, folds and batch order, so configs differ only in
     * what the search sets (common random numbers).  53 bits: exact in
     * JSON readers that use doubles, and in SQLite. */
    uint64_t i = !s->info.shared_seeds ? index : lrs_confirm_of(index, NULL) ? LRS_CONFIRM_BASE : 0;
    return lrs_rng_key(s->info.seed, i, LRS_RNG_TRIAL_SEED) & ((1ULL << 53) - 1);
}

int lrs_spec_trial_repeats(const lrs_spec_t *s, uint64_t index)
{
    if (lrs_confirm_of(index, NULL))
        return s->confirm.repeats > 0 ? s->confirm.repeats : 1;
    return s->info.repeats > 1 ? s->info.repeats : 1;
}

uint64_t lrs_repeat_seed(uint64_t trial_seed, int repeat)
{
    /* Repeat 0 is the trial's own run, so `repeats: 1` trains as before the
     * key existed; the others draw from the trial seed, so shared seeds
     * give every trial the same repeat seeds too. */
    if (repeat == 0)
        return trial_seed;
    return lrs_rng_key(trial_seed, (uint64_t)repeat, LRS_RNG_REPEAT_SEED) & ((1ULL << 53) - 1);
}

int lrs_spec_rung_limit(const lrs_spec_t *s, const lrs_trial_cfg_t *cfg)
{
    return s->is_exec && !(cfg->set_mask & (1ULL << LRS_P_EPOCHS)) ? 0 : cfg->epochs;
}
