/* broker_prune.c — see broker_prune.h. */
#include "coordinator/broker_prune.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto_encode.h"
#include "coordinator/rungs.h"

/* Adds trial at rung k, asked by worker slot owner at attempt (-1: nobody),
 * to a list; an entry already there takes the newer asker. */
static int push(lrs_prune_pending_t **list, int *n, int *cap, uint64_t trial, int k,
                int32_t owner, uint32_t attempt, int epoch)
{
    for (int i = 0; i < *n; i++)
        if ((*list)[i].trial == trial && (*list)[i].k == k) {
            if (owner >= 0) {
                (*list)[i].owner = owner;
                (*list)[i].attempt = attempt;
                (*list)[i].epoch = epoch;
            }
            return 0;
        }
    if (*n == *cap) {
        int c = *cap ? 2 * *cap : 64;
        lrs_prune_pending_t *more = realloc(*list, (size_t)c * sizeof *more);
        if (!more)
            return -1;
        *list = more;
        *cap = c;
    }
    (*list)[(*n)++] = (lrs_prune_pending_t){trial, k, owner, attempt, epoch};
    return 0;
}

static void on_recorded_rung(void *ctx, const lrs_store_rung_t *row)
{
    lrs_broker_prune_t *P = ctx;
    if (row->trial < 0 || row->rung < 0 || row->rung > LRS_PRUNE_MAX_EPOCH)
        return;
    lrs_rungs_t *r = P->rungs;
    lrs_prune_verdict_t v = {row->prune, row->threshold};
    if (lrs_rungs_report(r, (uint64_t)row->trial, row->rung, row->epoch, row->value, row->best) <
            0 ||
        lrs_rungs_set_decision(r, (uint64_t)row->trial, row->rung, v) < 0)
        P->rungs_oom = 1;
}

static void on_recorded_trial(void *ctx, int64_t trial, int status)
{
    (void)status;
    lrs_broker_prune_t *P = ctx;
    if (trial >= 0 && lrs_rungs_end(P->rungs, (uint64_t)trial) < 0)
        P->rungs_oom = 1;
}

int lrs_broker_prune_open(lrs_broker_prune_t *P, const lrs_broker_prune_env_t *env,
                          lrs_err_t *err)
{
    const lrs_spec_info_t *info = lrs_spec_info(env->spec);
    memset(P, 0, sizeof *P);
    if (info->pruning->rule == LRS_PRUNE_NONE)
        return 0;
    P->env = *env;
    const lrs_sweep_row_t *row = lrs_sweep_row(env->state);
    P->sweep_id = row->id;
    P->token = row->token;
    P->rungs = lrs_rungs_new(info->pruning, info->goal == LRS_GOAL_MAXIMIZE);
    if (!P->rungs)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    if (lrs_store_each_rung(env->store, P->sweep_id, on_recorded_rung, P, err) != 0 ||
        lrs_store_each_done(env->store, P->sweep_id, on_recorded_trial, P, err) != 0)
        return -1;
    if (P->rungs_oom)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory reading pruning decisions");
    return 0;
}

void lrs_broker_prune_close(lrs_broker_prune_t *P)
{
    lrs_rungs_destroy(&P->rungs);
    free(P->undecided);
    free(P->replies);
    memset(P, 0, sizeof *P);
}

/* Takes, records and queues for reply every decision that is ready; a prune
 * ends its trial, which may make others ready: repeated until none is. */
static int decide_ready(lrs_broker_prune_t *P, lrs_err_t *err)
{
    for (int changed = 1; changed;) {
        changed = 0;
        for (int i = 0; i < P->n_undecided;) {
            lrs_prune_pending_t u = P->undecided[i];
            lrs_prune_verdict_t v;
            int rc = lrs_rungs_try_decide(P->rungs, u.trial, u.k, &v, NULL);
            if (rc < 0)
                return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            if (rc == 0) {
                i++;
                continue;
            }
            double value, best;
            int epoch;
            lrs_rungs_value(P->rungs, u.trial, u.k, &value, &best, &epoch);
            lrs_store_rung_t row = {
                .sweep_id = P->sweep_id, .trial = (int64_t)u.trial, .rung = u.k, .epoch = epoch,
                .value = value, .best = best, .prune = v.prune, .threshold = v.threshold,
                .rule = lrs_prune_rule_name(lrs_rungs_spec(P->rungs)->rule)};
            if (lrs_store_put_rung(P->env.store, &row, err) != 0)
                return -1;
            (*P->env.unflushed)++;
            if (lrs_rungs_set_decision(P->rungs, u.trial, u.k, v) != 0 ||
                push(&P->replies, &P->n_replies, &P->cap_replies, u.trial, u.k, u.owner,
                     u.attempt, u.epoch) != 0)
                return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            P->undecided[i] = P->undecided[--P->n_undecided];
            changed |= v.prune;
        }
    }
    return 0;
}

static void refuse(lrs_broker_prune_t *P, lrs_worker_t *w, const char *why)
{
    lrs_proto_reject(P->env.out, LRS_REJECT_MESSAGE, why);
    P->env.send(P->env.send_ctx, w->id, w->id_len);
}

int lrs_broker_on_rung(lrs_broker_prune_t *P, lrs_worker_t *w, const lrs_msg_t *m,
                       lrs_err_t *err)
{
    if (!P->rungs) {
        refuse(P, w, "RUNG in a sweep without pruning");
        return 0;
    }
    int32_t owner = (int32_t)(w - P->env.workers->slots);
    if (m->sweep != P->token || m->trial >= lrs_trials_search_total(P->env.trials) ||
        !lrs_sweep_holds(P->env.state, owner, w->name, m->trial, m->attempt)) {
        refuse(P, w, "RUNG from a worker that does not hold the trial's lease (or for another "
                     "attempt or sweep)");
        return 0;
    }
    lrs_trial_cfg_t cfg;
    if (lrs_spec_sample(P->env.spec, m->trial, &cfg, NULL, err) != 0)
        return -1;
    const lrs_prune_spec_t *p = lrs_rungs_spec(P->rungs);
    /* The built-in engine reports every epoch, so a rung's value is at its
     * first epoch; a command's is at the first epoch it reported there. */
    int limit = lrs_spec_rung_limit(P->env.spec, &cfg);
    int k = lrs_prune_rung_at(p, m->trial, m->epoch, limit);
    if (k < 0 || (!lrs_spec_info(P->env.spec)->exec &&
                  !lrs_prune_rung_starts(p, m->trial, m->epoch, limit))) {
        char why[160];
        snprintf(why, sizeof why, "RUNG at epoch %d, which is not a rung of trial %" PRIu64,
                 m->epoch, m->trial);
        refuse(P, w, why);
        return 0;
    }
    lrs_prune_verdict_t v;
    if (lrs_rungs_decision(P->rungs, m->trial, k, &v)) {   /* decided: answered again */
        if (push(&P->replies, &P->n_replies, &P->cap_replies, m->trial, k, owner, m->attempt,
                 m->epoch))
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        (*P->env.unflushed)++;
        return 0;
    }
    if (lrs_rungs_report(P->rungs, m->trial, k, m->epoch, m->value, m->best) < 0 ||
        push(&P->undecided, &P->n_undecided, &P->cap_undecided, m->trial, k, owner,
             m->attempt, m->epoch) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    int before = P->n_undecided;
    if (decide_ready(P, err) != 0)
        return -1;
    if (P->n_undecided >= before)
        P->waits++;
    return 0;
}

int lrs_broker_prune_ended(lrs_broker_prune_t *P, uint64_t trial, lrs_err_t *err)
{
    if (!P->rungs)
        return 0;
    if (lrs_rungs_end(P->rungs, trial) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    return decide_ready(P, err);
}

const char *lrs_broker_prune_check(lrs_broker_prune_t *P, lrs_wire_result_t *r)
{
    int k, epoch;
    if (!P->rungs || !lrs_rungs_pruned_at(P->rungs, r->trial, &k, &epoch))
        return "pruned result for a trial the coordinator did not prune";
    r->result.pruned_epoch = epoch;
    return NULL;
}

void lrs_broker_prune_reply(lrs_broker_prune_t *P)
{
    for (int i = 0; i < P->n_replies; i++) {
        lrs_prune_pending_t u = P->replies[i];
        lrs_prune_verdict_t v;
        double value, best;
        int epoch;
        lrs_workers_t *ws = P->env.workers;
        if (u.owner < 0 || u.owner >= ws->n || !ws->slots[u.owner].live)
            continue;   /* nobody asks now: a later attempt asks again */
        lrs_worker_t *w = &ws->slots[u.owner];
        if (!lrs_sweep_holds(P->env.state, u.owner, w->name, u.trial, u.attempt) ||
            !lrs_rungs_decision(P->rungs, u.trial, u.k, &v) ||
            !lrs_rungs_value(P->rungs, u.trial, u.k, &value, &best, &epoch))
            continue;
        /* answered at the epoch asked (the recorded one when nobody asked) */
        lrs_proto_verdict(P->env.out, P->token, u.trial, u.attempt, u.epoch > 0 ? u.epoch : epoch,
                          v.prune, v.threshold);
        P->env.send(P->env.send_ctx, w->id, w->id_len);
    }
    P->n_replies = 0;
}
