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
    char *workdir;               /* owned, when resolved against workdir_base */
};

/* ---- trial kinds ------------------------------------------------------- */

static void take_train_result(lrs_train_result_t *res, lrs_wire_result_t *out)
{
    out->status = res->status == LRS_STATUS_DIVERGED ? LRS_STATUS_DIVERGED : LRS_STATUS_COMPLETE;
    out->score = res->score;
    out->score_std = res->score_std;
    out->seconds = res->seconds;
    out->diverged_epoch = res->diverged_epoch;
    out->n_folds = res->n_folds;
    out->folds = res->folds;
    out->n_epochs = res->n_epochs > LRS_PROTO_MAX_EPOCHS ? LRS_PROTO_MAX_EPOCHS : res->n_epochs;
    out->epochs = res->epochs;
    res->folds = NULL;
    res->epochs = NULL;
}

/* The built-in engine or the synthetic objective: the one trial path. */
static int run_builtin(const lrs_sweep_ctx_t *ctx, uint64_t trial, const lrs_exec_hooks_t *hooks,
                       const lrs_trial_cfg_t *cfg, uint64_t seed, lrs_wire_result_t *out,
                       lrs_err_t *err)
{
    (void)trial;
    (void)hooks;
    lrs_train_result_t res;
    int rc = lrs_trial_run(ctx->info, &ctx->data, cfg, seed, NULL, &res, err);
    if (rc == 0)
        take_train_result(&res, out);
    lrs_train_result_free(&res);
    return rc;
}

static char *copy_tail(const char *p, size_t len, size_t *out_len)
{
    if (len > LRS_PROTO_MAX_TAIL) {   /* keep the end */
        p += len - LRS_PROTO_MAX_TAIL;
        len = LRS_PROTO_MAX_TAIL;
    }
    char *c = malloc(len + 1);
    if (c) {
        if (len)
            memcpy(c, p, len);
        c[len] = '\0';
        *out_len = len;
    }
    return c;
}

/* The runner's result as a wire result with its exec part. */
static int take_exec_result(const lrs_exec_result_t *res, lrs_wire_result_t *out)
{
    out->status = res->status == LRS_STATUS_COMPLETE   ? LRS_STATUS_COMPLETE
                  : res->status == LRS_STATUS_DIVERGED ? LRS_STATUS_DIVERGED
                                                     : LRS_STATUS_FAILED;
    out->score = res->status == LRS_STATUS_COMPLETE ? res->objective : NAN;
    out->score_std = res->status == LRS_STATUS_COMPLETE ? res->objective_std : NAN;
    out->seconds = res->elapsed_s;
    if (res->error[0] && !(out->error = strdup(res->error)))
        return -1;
    lrs_wire_exec_t *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    out->exec = e;
    e->exit_status = res->exit_status < -1 || res->exit_status > 255 ? -1 : res->exit_status;
    e->term_signal = res->term_signal < 0 || res->term_signal > 128 ? 0 : res->term_signal;
    e->curve_truncated = res->curve_truncated;
    e->stderr_tail = copy_tail(res->stderr_tail, res->stderr_tail ? res->stderr_tail_len : 0,
                               &e->stderr_len);
    e->log_tail = copy_tail(res->log, res->log ? res->log_len : 0, &e->log_len);
    int n = res->n_names < LRS_PROTO_MAX_NAMES ? res->n_names : LRS_PROTO_MAX_NAMES;
    e->finals = calloc((size_t)(n ? n : 1), sizeof *e->finals);
    e->curve.names = calloc((size_t)(n ? n : 1), sizeof *e->curve.names);
    size_t np = res->n_curve < LRS_PROTO_MAX_POINTS ? res->n_curve : LRS_PROTO_MAX_POINTS;
    e->curve.points = calloc(np ? np : 1, sizeof *e->curve.points);
    if (!e->stderr_tail || !e->log_tail || !e->finals || !e->curve.names || !e->curve.points)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!(e->curve.names[i] = strdup(res->names[i])))
            return -1;
        e->curve.n_names = i + 1;
        e->finals[i] = res->finals[i];
    }
    for (size_t i = 0; i < np; i++) {
        const lrs_exec_point_t *p = &res->curve[i];
        if (p->name < 0 || p->name >= n)
            continue;
        e->curve.points[e->curve.n_points++] =
            (lrs_wire_point_t){p->fold, p->epoch, p->name, p->value};
    }
    return 0;
}

/* The user's command: lrs_exec_run with the caller's cancel flag and
 * progress hook. */
static int run_exec(const lrs_sweep_ctx_t *ctx, uint64_t trial, const lrs_exec_hooks_t *hooks,
                    const lrs_trial_cfg_t *cfg, uint64_t seed, lrs_wire_result_t *out,
                    lrs_err_t *err)
{
    lrs_exec_result_t res;
    int rc = lrs_exec_run(&ctx->exec, cfg, trial, seed, hooks, &res, err);
    if (rc == 0 && res.status == LRS_STATUS_CANCELLED)
        rc = 1;
    else if (rc == 0 && take_exec_result(&res, out) != 0)
        rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the trial's result");
    if (rc == 0 && out->status == LRS_STATUS_DIVERGED)
        for (size_t i = 0; i < res.n_curve; i++)
            if (strcmp(res.names[res.curve[i].name], ctx->exec.metric) == 0 &&
                !isfinite(res.curve[i].value)) {
                out->diverged_epoch = res.curve[i].epoch > 0 ? res.curve[i].epoch : 0;
                break;
            }
    lrs_exec_result_free(&res);
    return rc;
}

/* ---- sweep contexts ---------------------------------------------------- */

/* The command's settings, with a relative workdir taken against base. */
static int ctx_exec(lrs_sweep_ctx_t *c, const char *base, lrs_err_t *err)
{
    c->exec = *c->info->exec;
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

lrs_sweep_ctx_t *lrs_sweep_ctx_new(const lrs_msg_t *w, const char *data, size_t data_len,
                           const char *workdir_base, lrs_err_t *err)
{
    lrs_sweep_ctx_t *c = calloc(1, sizeof *c);
    if (!c) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    atomic_init(&c->refs, 1);
    c->token = w->sweep;
    if (lrs_spec_parse(w->sweep_name, w->spec_text, w->spec_len, NULL, &c->spec, err) != 0)
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
        return c;
    }
    c->run = run_builtin;
    const char *name = c->info->data_path ? c->info->data_path : "data";
    if (c->info->model_kind != LRS_MODEL_SYNTHETIC && c->info->data_path && !data) {
        lrs_err_set(err, LRS_EXIT_USAGE, "sweep '%s': the coordinator sent no data", w->sweep_name);
        goto fail;
    }
    if (lrs_validate_load_data(c->info, name, data, data_len, &c->data, err) != 0)
        goto fail;
    c->have_data = 1;
    return c;
fail:
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
    memset(out, 0, sizeof *out);
    out->trial = t->trial;
    out->attempt = t->attempt;
    out->score = out->score_std = out->seconds = NAN;
    int rc = lrs_spec_sample(s->spec, t->trial, &cfg, &seed, &err);
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
        out->score = out->score_std = out->seconds = NAN;
        out->status = LRS_STATUS_FAILED;
        out->error = strdup(err.msg[0] ? err.msg : "trial failed");
    }
    return 0;
}
