/* spec_exec.c — command, shell, timeout, folds, workdir and env of an exec
 * spec (see spec_exec.h).  Every check adds its error and goes on, so one
 * `lrsweep validate` lists them all. */
#include "common/spec_exec.h"

#include <stdlib.h>
#include <string.h>

#include "common/arena.h"
#include "common/bytesize.h"
#include "common/err.h"

static int env_name_ok(const char *name)
{
    if (!((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') || name[0] == '_'))
        return 0;
    for (const char *p = name; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
              *p == '_'))
            return 0;
    return 1;
}

static int env_entry_cmp(const void *a, const void *b)
{
    const char *x = *(const char *const *)a, *y = *(const char *const *)b;
    size_t nx = strcspn(x, "="), ny = strcspn(y, "=");
    int r = strncmp(x, y, nx < ny ? nx : ny);
    return r ? r : (nx > ny) - (nx < ny);
}

/* `env: {NAME: value, ...}` as "NAME=value" entries sorted by name, so the
 * order keys are written in changes neither the runs nor the hash. */
static void parse_env(lrs_yctx_t *c, lrs_exec_spec_t *ex, const lrs_ynode_t *env)
{
    char tmp[96];
    if (env->kind != LRS_Y_MAP) {
        LRS_YERR(c, env, "env: expected a mapping of NAME: value, got %s",
                 lrs_y_describe(env, tmp, sizeof tmp));
        return;
    }
    const char **entries = lrs_arena_alloc(c->arena, (size_t)(env->n ? env->n : 1) * sizeof *entries);
    if (!entries)
        return;
    int n = 0;
    for (int i = 0; i < env->n; i++) {
        const lrs_ynode_t *key = lrs_y_key(env, i), *val = lrs_y_value(env, i);
        if (!env_name_ok(key->text)) {
            LRS_YERR(c, key, "env: '%s' is not a variable name: letters, digits and _, not starting "
                             "with a digit", key->text);
            continue;
        }
        if (strncmp(key->text, "LRSWEEP_", 8) == 0) {
            LRS_YERR(c, key, "env: %s is set by lrsweep itself (LRSWEEP_* names are reserved)",
                     key->text);
            continue;
        }
        if (val->kind != LRS_Y_SCALAR) {
            LRS_YERR(c, val, "env.%s: expected a string value, got %s (write \"\" for an empty one)",
                     key->text, lrs_y_describe(val, tmp, sizeof tmp));
            continue;
        }
        size_t kl = strlen(key->text), vl = strlen(val->text);
        char *e = lrs_arena_alloc(c->arena, kl + vl + 2);
        if (!e)
            return;
        memcpy(e, key->text, kl);
        e[kl] = '=';
        memcpy(e + kl + 1, val->text, vl + 1);
        entries[n++] = e;
    }
    qsort(entries, (size_t)n, sizeof *entries, env_entry_cmp);
    ex->env = entries;
    ex->n_env = n;
}

/* args: {dashes: BOOL} — how {args} writes names. */
static void parse_args(lrs_yctx_t *c, lrs_exec_spec_t *ex, const lrs_ynode_t *n)
{
    static const char *const keys[] = {"dashes", NULL};
    const lrs_ynode_t *dashes;
    if (lrs_y_check_mapping(c, n, "args", keys) == 0 && (dashes = lrs_y_get(n, "dashes")))
        lrs_y_bool(c, dashes, "args.dashes", &ex->args_dashes);
}

/* memory_limit: 4GiB — the RSS a run's process group may hold. */
static void parse_memory_limit(lrs_yctx_t *c, lrs_exec_spec_t *ex, const lrs_ynode_t *n)
{
    char tmp[96];
    lrs_err_t e;
    lrs_err_clear(&e);
    uint64_t v = 0;
    if (n->kind != LRS_Y_SCALAR || lrs_bytesize_parse(n->text, &v, &e) != 0) {
        LRS_YERR(c, n, "memory_limit: expected a size such as 4GiB or 512M, got %s",
                 lrs_y_describe(n, tmp, sizeof tmp));
        return;
    }
    if (v < LRS_EXEC_MIN_MEMORY) {
        LRS_YERR(c, n, "memory_limit: %s is below 1 MiB (leave it out for no limit)", n->text);
        return;
    }
    ex->memory_limit = v;
}

/* A dotted Python module name: torch, torch.nn, my_pkg.models. */
static int module_name_ok(const char *s)
{
    int start = 1;
    for (; *s; s++) {
        int letter = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || *s == '_';
        int digit = *s >= '0' && *s <= '9';
        if (*s == '.' && !start)
            start = 1;
        else if (letter || (digit && !start))
            start = 0;
        else
            return 0;
    }
    return !start;
}

/* preload: [torch, numpy] — modules the per-slot helper imports once. */
static void parse_preload(lrs_yctx_t *c, lrs_exec_spec_t *ex, const lrs_ynode_t *n)
{
    char tmp[96];
    if (n->kind != LRS_Y_SEQ) {
        LRS_YERR(c, n, "preload: expected a list of Python module names such as [torch, numpy], got %s",
                 lrs_y_describe(n, tmp, sizeof tmp));
        return;
    }
    if (n->n > LRS_EXEC_MAX_PRELOAD) {
        LRS_YERR(c, n, "preload: %d modules; at most %d", n->n, LRS_EXEC_MAX_PRELOAD);
        return;
    }
    const char **names = lrs_arena_alloc(c->arena, (size_t)(n->n ? n->n : 1) * sizeof *names);
    if (!names)
        return;
    for (int i = 0; i < n->n; i++) {
        const lrs_ynode_t *m = n->items[i];
        if (m->kind != LRS_Y_SCALAR || !module_name_ok(m->text) || strlen(m->text) > 200) {
            LRS_YERR(c, m, "preload[%d]: expected a Python module name (torch, torch.nn), got %s", i,
                     lrs_y_describe(m, tmp, sizeof tmp));
            return;
        }
        if (!(names[i] = lrs_arena_strndup(c->arena, m->text, strlen(m->text))))
            return;
    }
    ex->preload = names;
    ex->n_preload = n->n;
    ex->preload_set = 1;
}

static void resolve_workdir(lrs_yctx_t *c, const lrs_ynode_t *n, const char *base_dir, lrs_exec_spec_t *ex,
                            const char **workdir_as_written)
{
    const char *dir;
    if (lrs_y_string(c, n, "workdir", &dir) < 0)
        return;
    *workdir_as_written = dir;
    ex->workdir = dir;
    /* Relative to the spec's folder, as data.path; without a base folder (a
     * worker's copy) as written, relative to the worker's directory. */
    if (base_dir && dir[0] != '/' && base_dir[0]) {
        const char *joined = strcmp(dir, ".") == 0 ? lrs_arena_strndup(c->arena, base_dir, strlen(base_dir))
                                                   : lrs_arena_printf(c->arena, "%s/%s", base_dir, dir);
        if (joined)
            ex->workdir = joined;
    }
}

void lrs_spec_exec_read(lrs_yctx_t *c, const lrs_ynode_t *root, const char *base_dir,
                        lrs_exec_spec_t *ex, const char **workdir_as_written)
{
    const lrs_ynode_t *cmd = lrs_y_get(root, "command"), *n;
    if ((n = lrs_y_get(root, "shell")))
        lrs_y_bool(c, n, "shell", &ex->shell);
    if ((n = lrs_y_get(root, "timeout")) && lrs_y_double(c, n, "timeout", &ex->timeout_s) == 0 &&
        !(ex->timeout_s > 0 && ex->timeout_s <= 1e9))
        LRS_YERR(c, n, "timeout: expected seconds > 0 (leave it out for no timeout), got %s", n->text);
    if ((n = lrs_y_get(root, "folds")))
        lrs_y_int(c, n, "folds", 0, LRS_EXEC_MAX_FOLDS, &ex->folds);
    if ((n = lrs_y_get(root, "workdir")))
        resolve_workdir(c, n, base_dir, ex, workdir_as_written);
    if ((n = lrs_y_get(root, "env")))
        parse_env(c, ex, n);
    if ((n = lrs_y_get(root, "args")))
        parse_args(c, ex, n);
    if ((n = lrs_y_get(root, "preload")))
        parse_preload(c, ex, n);
    if ((n = lrs_y_get(root, "retries")))
        lrs_y_int(c, n, "retries", 0, LRS_EXEC_MAX_RETRIES, &ex->retries);
    if ((n = lrs_y_get(root, "memory_limit")))
        parse_memory_limit(c, ex, n);
    char tmp[96];
    if (cmd->kind != LRS_Y_SCALAR) {
        LRS_YERR(c, cmd, "command: expected the command line as one string, got %s",
                 lrs_y_describe(cmd, tmp, sizeof tmp));
        return;
    }
    ex->command = lrs_arena_strndup(c->arena, cmd->text, strlen(cmd->text));
}

void lrs_spec_exec_check_command(lrs_yctx_t *c, const lrs_ynode_t *root, const lrs_exec_spec_t *ex,
                                 const char *const *user_names, int n_user)
{
    const lrs_ynode_t *cmd = lrs_y_get(root, "command");
    lrs_err_t e;
    lrs_err_clear(&e);
    /* Columns in the message are the template's own (1 = its first character). */
    if (cmd && ex->command &&
        lrs_exec_check_template_users(ex->command, ex->shell, user_names, n_user, &e) < 0)
        LRS_YERR(c, cmd, "%s", e.msg);
}
