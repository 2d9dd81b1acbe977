/* sweep_ctx.c — see sweep_ctx.h.  A trial kind is a function that runs a trial
 * under the context into a wire result; the two here are the built-in path
 * (lrs_trial_run) and the user's command (lrs_exec_run), whose result is cut
 * to the protocol's bounds (tails, names, points) on the way. */
#include "worker/sweep_ctx.h"

#include <inttypes.h>
#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/spec.h"
#include "common/validate.h"
#include "worker/trial.h"

_Static_assert(LRS_SPEC_MAX_REPEATS == LRS_PROTO_MAX_REPEATS,
               "every repeat a spec allows travels in a result");

/* A trial kind: runs a trial under s into a wire result (status, score,
 * curves); returns -1 with err to report the attempt as failed, 1 when the
 * command was cancelled (no result: the lease is gone). */
typedef int (*trial_run_fn)(const lrs_sweep_ctx_t *s, uint64_t trial, const lrs_exec_hooks_t *hooks,
                            const lrs_trial_cfg_t *cfg, uint64_t seed, lrs_wire_result_t *out,
                            lrs_err_t *err);

struct lrs_sweep_ctx {
    atomic_int refs;
    uint64_t token;
    lrs_spec_t *spec;
    const lrs_spec_info_t *info;
    trial_run_fn run;
    lrs_dataset_t data;
    int have_data;
    lrs_exec_spec_t exec;        /* a user's command: the spec's, workdir resolved here */
    int commands_allowed;        /* the worker runs `command:` trials (--allow-commands) */
    char *workdir;               /* owned, when resolved against workdir_base */
};

/* ---- trial kinds ------------------------------------------------------- */

/* The built-in engine or the synthetic objective: the one trial path. */
static int run_builtin(const lrs_sweep_ctx_t *ctx, uint64_t trial, const lrs_exec_hooks_t *hooks,
                       const lrs_trial_cfg_t *cfg, uint64_t seed, lrs_wire_result_t *out,
                       lrs_err_t *err)
{
    /* a confirmation run trains confirm.repeats times and meets no rungs */
    lrs_spec_info_t run = *ctx->info;
    run.repeats = lrs_spec_trial_repeats(ctx->spec, trial);
    const lrs_spec_info_t *info = &run;
    lrs_rung_hook_t rungs = {
        .spec = info->pruning, .trial = trial, .maximize = info->goal == LRS_GOAL_MAXIMIZE,
        .accuracy = strcmp(info->metric, "accuracy") == 0,
        .at_rung = hooks ? hooks->at_rung : NULL, .ctx = hooks ? hooks->ctx : NULL};
    int prunes = info->pruning->rule != LRS_PRUNE_NONE && rungs.at_rung &&
                 !lrs_confirm_of(trial, NULL);
    int rc = lrs_trial_run(info, &ctx->data, cfg, seed, NULL, prunes ? &rungs : NULL,
                           &out->result, err);
    if (rc != 0 && prunes && hooks->cancel && atomic_load(hooks->cancel))
        return 1;   /* stopped waiting at a rung: the lease is gone, no result */
    if (rc == 0 && out->result.n_epochs > LRS_PROTO_MAX_EPOCHS)   /* what the wire carries */
        out->result.n_epochs = LRS_PROTO_MAX_EPOCHS;
    return rc;
}

/* The user's command: lrs_exec_run with the caller's cancel flag and
 * progress hook. */
static int run_exec(const lrs_sweep_ctx_t *ctx, uint64_t trial, const lrs_exec_hooks_t *hooks,
                    const lrs_trial_cfg_t *cfg, uint64_t seed, lrs_wire_result_t *out,
                    lrs_err_t *err)
{
    lrs_exec_result_t res;
    lrs_exec_spec_t exec = ctx->exec;
    exec.rung_limit = lrs_spec_rung_limit(ctx->spec, cfg);
    int rc = lrs_exec_run(&exec, cfg, trial, seed, hooks, &res, err);
    if (rc == 0 && res.status == LRS_STATUS_CANCELLED)
        rc = 1;
    else if (rc == 0 && lrs_exec_outcome(&ctx->exec, &res, &out->result) != 0)
        rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the trial's result");
    lrs_exec_result_free(&res);
    return rc;
}

/* ---- sweep contexts ---------------------------------------------------- */

/* The command's settings, with a relative workdir taken against base. */
static int ctx_exec(lrs_sweep_ctx_t *c, const char *base, lrs_err_t *err)
{
    c->exec = *c->info->exec;
    c->exec.pruning = c->info->pruning;   /* rungs go to the coordinator through the hooks */
    c->run = run_exec;
    const char *wd = c->exec.workdir;
    if (!wd || wd[0] == '/' || !base || !base[0])
        return 0;
    size_t n = strlen(base) + strlen(wd) + 2;
    if (!(c->workdir = malloc(n)))
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    snprintf(c->workdir, n, "%s/%s", base, wd);
    c->exec.workdir = c->workdir;
    return 0;
}

int lrs_sweep_ctx_may_run(const lrs_sweep_ctx_t *s)
{
    return !s->info->exec || s->commands_allowed;
}

lrs_sweep_ctx_t *lrs_sweep_ctx_new(const lrs_msg_t *w, void *data, size_t data_len,
                                   const char *workdir_base, int allow_commands, lrs_err_t *err)
{
    lrs_sweep_ctx_t *c = calloc(1, sizeof *c);
    if (!c) {
        free(data);
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->token = w->sweep;
    c->commands_allowed = allow_commands;
    /* Under the coordinator's rules: a sweep created by an older release
     * runs its own behaviour here too. */
    if (lrs_spec_parse_rules(w->sweep_name, w->spec_text, w->spec_len, NULL, w->rules, &c->spec,
                             NULL, err) != 0)
        goto fail;
    if (lrs_spec_space_hash(c->spec) != w->space_hash) {
        lrs_err_set(err, LRS_EXIT_RUNTIME,
                    "sweep '%s': the spec hashes differently here than on the coordinator "
                    "(different lrsweep versions?)",
                    w->sweep_name);
        goto fail;
    }
    c->info = lrs_spec_info(c->spec);
    if (c->info->exec) {
        if (ctx_exec(c, workdir_base, err) != 0)
            goto fail;
        free(data);   /* a command reads its own data */
        return c;
    }
    c->run = run_builtin;
    const char *name = c->info->data_path ? c->info->data_path : "data";
    if (c->info->model_kind != LRS_MODEL_SYNTHETIC && c->info->data_path && !data) {
        lrs_err_set(err, LRS_EXIT_USAGE, "sweep '%s': the coordinator sent no data", w->sweep_name);
        goto fail;
    }
    if (lrs_validate_load_data(c->info, name, data, data_len, &c->data, err) != 0) {
        data = NULL;   /* freed by it */
        goto fail;
    }
    c->have_data = 1;
    return c;
fail:
    free(data);
    if (c->spec)
        lrs_spec_destroy(&c->spec);
    free(c->workdir);
    free(c);
    return NULL;
}

lrs_sweep_ctx_t *lrs_sweep_ctx_ref(lrs_sweep_ctx_t *s)
{
    atomic_fetch_add(&s->refs, 1);
    return s;
}

void lrs_sweep_ctx_unref(lrs_sweep_ctx_t *c)
{
    if (!c)
        return;
    if (atomic_fetch_sub(&c->refs, 1) != 1)
        return;
    if (c->have_data)
        lrs_dataset_free(&c->data);
    lrs_spec_destroy(&c->spec);
    free(c->workdir);
    free(c);
}

uint64_t lrs_sweep_ctx_token(const lrs_sweep_ctx_t *s) { return s->token; }

/* ---- one trial --------------------------------------------------------- */

int lrs_sweep_ctx_run_trial(const lrs_sweep_ctx_t *s, const lrs_wire_trial_t *t,
                        const lrs_exec_hooks_t *hooks, lrs_wire_result_t *out)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_trial_cfg_t cfg;
    uint64_t seed = 0;
    out->trial = t->trial;
    out->attempt = t->attempt;
    lrs_trial_result_init(&out->result);
    out->result.seconds = NAN;
    int rc = lrs_spec_sample(s->spec, t->trial, &cfg, &seed, &err);
    if (rc == 0 && !lrs_sweep_ctx_may_run(s))   /* a worker never runs a command it may not */
        rc = lrs_err_set(&err, LRS_EXIT_USAGE, "this worker may not run commands (start it with "
                                               "--allow-commands)");
    if (rc == 0 && seed != t->seed)
        rc = lrs_err_set(&err, LRS_EXIT_RUNTIME, "trial %" PRIu64 ": training seed differs from "
                         "the coordinator's", t->trial);
    if (rc == 0)
        rc = s->run(s, t->trial, hooks, &cfg, seed, out, &err);
    if (rc == 1) {
        lrs_wire_result_clear(out);
        return 1;
    }
    if (rc != 0) {
        lrs_wire_result_clear(out);   /* an attempt that failed: nothing of it is final */
        out->trial = t->trial;
        out->attempt = t->attempt;
        out->result.seconds = NAN;   /* failed, no score (lrs_trial_result_init) */
        out->result.error = strdup(err.msg[0] ? err.msg : "trial failed");
    }
    return 0;
}
