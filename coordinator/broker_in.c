/* broker_in.c — see broker_in.h.  The message side of the broker (coordinator/broker.h):
 * what arrives from workers and what goes back — HELLO and WELCOME,
 * leases and dispatch, results, rejects.  The loop, its timers and the
 * commits are coordinator/broker.c; their shared state broker_in.h. */
#include "coordinator/broker_in.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/clock.h"
#include "common/proto_decode.h"
#include "common/protocol.h"


/* ---- sending ----------------------------------------------------------- */

/* ---- log ----------------------------------------------------------------- */

void lrs_broker_log(lrs_broker_t *b, const char *fmt, ...)
{
    if (b->progress_drawn) {   /* keep the live line from swallowing the message */
        fputs("\r\033[K", b->opts.log);
        b->progress_drawn = 0;
    }
    /* Names, errors and peer ids in it come from workers: the log escapes them. */
    va_list ap;
    va_start(ap, fmt);
    lrs_log_vprintf(&b->log, fmt, ap);
    va_end(ap);
}

/* Sends the frame in b->out to a peer; a vanished peer (ROUTER_MANDATORY
 * reports it) or a full queue drops the message: the peer recovers by its
 * own timers. */
static int send_raw(lrs_broker_t *b, const uint8_t *id, size_t id_len, const void *data, size_t len)
{
    if (zmq_send(b->router, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    if (zmq_send(b->router, data, len, ZMQ_DONTWAIT) < 0)
        return -1;
    return 0;
}

int lrs_broker_send_out(lrs_broker_t *b, const uint8_t *id, size_t id_len)
{
    return send_raw(b, id, id_len, b->out.sb.data, b->out.sb.size);
}

/* Sends a frame encoded once (WELCOME, SPEC): each send shares its buffer,
 * so a flood of requests queues references, not copies. */
static void send_shared(lrs_broker_t *b, const uint8_t *id, size_t id_len, zmq_msg_t *frame)
{
    zmq_msg_t copy;
    zmq_msg_init(&copy);
    zmq_msg_copy(&copy, frame);
    if (zmq_send(b->router, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
        zmq_msg_send(&copy, b->router, ZMQ_DONTWAIT) < 0)
        zmq_msg_close(&copy);
}


/* ---- rejects ----------------------------------------------------------- */

/* Counts a rejected message; logs it the first time for each peer; with a
 * code (LRS_REJECT_*) answers REJECT. */
static void reject(lrs_broker_t *b, const uint8_t *id, size_t id_len, const char *why, int code)
{
    char who[96];
    lrs_peerlog_say_t say = lrs_peerlog_note(&b->peers, id, id_len, who, sizeof who);
    if (say == LRS_PEERLOG_FIRST)
        lrs_broker_log(b, "rejected a message from peer '%s': %s (further ones from it are "
                          "counted, not logged)", who, why);
    else if (say == LRS_PEERLOG_OVERFLOW)
        lrs_broker_log(b, "rejected a message from peer '%s': %s (too many bad peers: rejects "
                          "are now only counted)", who, why);
    if (code) {
        lrs_proto_reject(&b->out, code, why);
        lrs_broker_send_out(b, id, id_len);
    }
}

/* ---- workers ----------------------------------------------------------- */

/* Puts a trial whose attempt ended without a result back in the queue, or
 * fails it after max_attempts. */
static int requeue(lrs_broker_t *b, uint64_t trial, const char *worker, const char *why,
                   lrs_err_t *err)
{
    if (lrs_trials_release(b->trials, trial) != 0)
        return 0;
    if (lrs_trials_get(b->trials, trial).attempts >= (uint32_t)b->opts.max_attempts) {
        if (lrs_sweep_record_failed(b->state, trial, worker, why, err) != 0 ||
            lrs_broker_prune_ended(&b->prune, trial, err) != 0)
            return -1;
        b->unflushed++;
        lrs_broker_log(b, "trial %" PRIu64 " failed: %s", trial, why);
        return 0;
    }
    if (lrs_store_del_lease(b->store, b->sweep->id, (int64_t)trial, err) != 0)
        return -1;
    if (lrs_trials_retry(b->trials, trial) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    return 0;
}

int lrs_broker_save_worker(lrs_broker_t *b, lrs_worker_t *w, const char *left, lrs_err_t *err)
{
    lrs_store_worker_t row = {
        .name = w->name, .host = w->host, .pid = w->pid, .jobs = w->jobs,
        .gpus = w->gpus[0] ? w->gpus : NULL,
        .trials_added = w->done - w->done_saved,
        .idle_reason = b->info->exec && !w->runs_commands ? "started without --allow-commands"
                                                          : NULL,
        .left_reason = left, .lost = left && strcmp(left, LRS_WORKER_LOST) == 0};
    if (lrs_store_put_worker(b->store, b->sweep->id, &row, err) != 0)
        return -1;
    w->done_saved = w->done;
    w->dirty = 0;
    return 0;
}

int lrs_broker_retire(lrs_broker_t *b, lrs_worker_t *w, const char *why, lrs_err_t *err)
{
    if (lrs_broker_save_worker(b, w, why, err) != 0)
        return -1;
    b->unflushed++;
    char reason[256];
    for (int i = 0; i < w->n_leases; i++) {
        uint64_t t = w->leases[i];
        snprintf(reason, sizeof reason, "worker %s %s (attempt %" PRIu32 " of %d)", w->name, why,
                 lrs_trials_get(b->trials, t).attempts, b->opts.max_attempts);
        if (requeue(b, t, w->name, reason, err) != 0)
            return -1;
    }
    lrs_workers_leave(&b->workers, w);
    return 0;
}

/* A worker's session is (key, name): a HELLO from the same routing id (a
 * restarted session, or a peer that took the id over: it holds another
 * key) or from the same key and name (a reconnect) ends the old session,
 * whose leases go back. */
static int on_hello(lrs_broker_t *b, const uint8_t *id, size_t id_len, const char *key,
                    lrs_msg_t *m, int64_t now, lrs_err_t *err)
{
    lrs_worker_t *w = lrs_workers_find(&b->workers, id, id_len);
    if (w && lrs_broker_retire(b, w, "reconnected", err) != 0)
        return -1;
    w = lrs_workers_find_session(&b->workers, key, m->worker_name);
    if (w && lrs_broker_retire(b, w, "started a new session", err) != 0)
        return -1;
    if (b->workers.live >= b->opts.max_workers || id_len > LRS_WORKER_ID_MAX) {
        reject(b, id, id_len, "too many workers", LRS_REJECT_REFUSED);
        return 0;
    }
    w = lrs_workers_join(&b->workers, id, id_len, key, m->worker_name, m->host, m->jobs, now);
    if (!w)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    w->pid = m->pid;
    w->runs_commands = (m->hello_flags & LRS_HELLO_RUNS_COMMANDS) != 0;
    snprintf(w->gpus, sizeof w->gpus, "%s", m->gpus ? m->gpus : "");
    if (b->info->exec && !w->runs_commands)
        lrs_broker_log(b, "worker %s was started without --allow-commands: it gets no trials of "
                          "this sweep, which runs a command", w->name);
    b->unflushed++;   /* its workers row goes out with the next commit */
    if (b->opts.progress == 1)
        lrs_broker_log(b, "worker %s joined (%d jobs)", w->name, w->jobs);
    send_shared(b, w->id, w->id_len, &b->served.welcome);
    return 0;
}

/* ---- results ----------------------------------------------------------- */

/* An ACK waits for the next commit (even for a duplicate: the first copy
 * may not be committed yet), and arms the flush timer. */
static int queue_ack(lrs_broker_t *b, lrs_worker_t *w, uint64_t trial)
{
    if (lrs_worker_queue_ack(w, trial) != 0)
        return -1;
    b->unflushed++;
    return 0;
}

/* A running command's curve so far: stored until its result replaces it.
 * Only from the worker holding the lease, for the attempt it holds. */
static int on_progress(lrs_broker_t *b, lrs_worker_t *w, const lrs_msg_t *m, lrs_err_t *err)
{
    if (!lrs_trials_held_by(b->trials, m->trial, (int32_t)(w - b->workers.slots), m->attempt))
        return 0;
    return lrs_store_put_points(b->store, b->sweep->id, (int64_t)m->trial, &m->curve, err);
}

static int on_result(lrs_broker_t *b, lrs_worker_t *w, lrs_wire_result_t *r, lrs_err_t *err)
{
    uint64_t t = r->trial;
    if (!lrs_trials_in(b->trials, t)) {
        reject(b, w->id, w->id_len, "result for a trial outside the sweep", 0);
        return queue_ack(b, w, t);   /* acknowledged so the worker forgets it */
    }
    lrs_trial_slot_t slot = lrs_trials_get(b->trials, t);
    if (slot.state == LRS_TRIAL_DONE)   /* late duplicate: recorded once, never twice */
        return queue_ack(b, w, t);
    const char *bad = lrs_sweep_check_result(b->state, (int32_t)(w - b->workers.slots), w->name, r);
    if (!bad && r->result.status == LRS_STATUS_PRUNED)
        bad = lrs_broker_prune_check(&b->prune, r);
    if (bad) {   /* dropped, counted, and acknowledged so an honest worker forgets it */
        reject(b, w->id, w->id_len, bad, 0);
        b->results_dropped++;
        return queue_ack(b, w, t);
    }
    const lrs_trial_result_t *o = &r->result;
    if (o->status == LRS_STATUS_FAILED && !o->command) {   /* an attempt that may be retried */
        lrs_worker_drop_lease(w, t);
        char why[512];
        snprintf(why, sizeof why, "%s", o->error ? o->error : "failed");
        if (requeue(b, t, w->name, why, err) != 0)
            return -1;
        return queue_ack(b, w, t);
    }
    if (slot.state == LRS_TRIAL_LEASED && slot.owner >= 0 && slot.owner < b->workers.n)
        lrs_worker_drop_lease(&b->workers.slots[slot.owner], t);
    if (lrs_sweep_record(b->state, w->name, r, err) != 0 ||
        lrs_broker_prune_ended(&b->prune, t, err) != 0)
        return -1;
    b->unflushed++;
    w->done++;
    w->dirty = 1;
    if (o->status == LRS_STATUS_FAILED)   /* the command ran and failed: final */
        lrs_broker_log(b, "trial %" PRIu64 " failed: %s", t, o->error ? o->error : "failed");
    return queue_ack(b, w, t);
}

/* ---- dispatch ---------------------------------------------------------- */

int lrs_broker_dispatch(lrs_broker_t *b, lrs_worker_t *w, lrs_err_t *err)
{
    if (b->info->exec && !w->runs_commands) {   /* it may not run them: it gets none */
        w->credit = 0;
        return 0;
    }
    while (w->credit > 0) {
        int n = 0, max = w->credit < LRS_PROTO_MAX_BATCH ? w->credit : LRS_PROTO_MAX_BATCH;
        uint64_t batch[256], startable = lrs_sweep_startable(b->state);
        if (max > 256)
            max = 256;
        if ((uint64_t)max > startable)   /* the trial budget: no more than it allows */
            max = (int)startable;
        uint64_t t;
        while (n < max && lrs_trials_next(b->trials, &t))
            batch[n++] = t;
        if (n == 0)
            return 0;
        if (lrs_worker_reserve_leases(w, n) != 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        lrs_proto_trials_begin(&b->out, b->sweep->token, n);
        for (int i = 0; i < n; i++) {
            lrs_trial_cfg_t cfg;
            lrs_wire_trial_t wt = {.trial = batch[i]};
            if (lrs_spec_sample(b->spec, batch[i], &cfg, &wt.seed, err) != 0)
                return -1;
            int64_t attempt = lrs_trials_lease(b->trials, batch[i], (int32_t)(w - b->workers.slots));
            if (attempt < 0)
                return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            wt.attempt = (uint32_t)attempt;
            lrs_proto_trials_add(&b->out, &wt);
            w->leases[w->n_leases++] = batch[i];
            if (lrs_store_put_lease(b->store, b->sweep->id, (int64_t)batch[i], (int)wt.attempt,
                                    w->name, err) != 0)
                return -1;
        }
        w->credit -= n;
        if (lrs_broker_send_out(b, w->id, w->id_len) != 0) {
            /* Not delivered (peer gone or its queue full): a live worker would
             * never run them and its leases would never expire, so undo. */
            for (int i = 0; i < n; i++) {
                uint64_t u = batch[i];
                lrs_worker_drop_lease(w, u);
                if (lrs_store_del_lease(b->store, b->sweep->id, (int64_t)u, err) != 0)
                    return -1;
                if (lrs_trials_unlease(b->trials, u) != 0)
                    return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            }
            w->credit += n;
            return 0;
        }
    }
    return 0;
}

/* ---- one inbound message ----------------------------------------------- */


/* key: the sender's CURVE public key (the message's User-Id), "" without
 * CURVE.  A key taken off the allow list (reload) is ignored: its workers
 * fall silent here and their leases expire as usual. */
static int handle(lrs_broker_t *b, const uint8_t *id, size_t id_len, const char *key,
                  const void *body, size_t len, int64_t now, lrs_err_t *err)
{
    if (!lrs_listen_allows(b->net, key)) {
        b->peers.rejected++;
        return 0;
    }
    lrs_msg_t m;
    lrs_err_t why;
    if (lrs_proto_decode(body, len, &m, &why) != 0) {
        char skew[512];
        if (lrs_proto_skew_text(body, len, "coordinator", "worker", skew, sizeof skew))
            reject(b, id, id_len, skew, LRS_REJECT_VERSION);
        else
            reject(b, id, id_len, why.msg, 0);
        return 0;
    }
    int rc = 0;
    if (m.type == LRS_MSG_HELLO && m.sweep && m.sweep != b->sweep->token) {
        char pinned[512];   /* pinned to another sweep: it takes nothing of this one */
        snprintf(pinned, sizeof pinned, "this coordinator runs sweep '%s', not the sweep the "
                 "worker is pinned to", b->sweep->name);
        reject(b, id, id_len, pinned, LRS_REJECT_REFUSED);
        goto done;
    }
    if (b->ended) {   /* complete (the linger, --linger): whoever asks hears so, and exits */
        lrs_proto_shutdown(&b->out, b->sweep->token, 1, b->end_reason);
        lrs_broker_send_out(b, id, id_len);
        goto done;
    }
    lrs_worker_t *w = lrs_workers_find(&b->workers, id, id_len);
    if (m.type == LRS_MSG_HELLO) {
        rc = on_hello(b, id, id_len, key, &m, now, err);
        goto done;
    }
    if (w && strcmp(w->key, key) != 0)   /* the routing id, but not the key, of a worker */
        w = NULL;
    if (!w) {   /* e.g. this coordinator restarted: the worker says HELLO again (not logged:
                   its HELLO is) */
        b->peers.rejected++;
        lrs_proto_reject(&b->out, LRS_REJECT_HELLO, "not in a session here: say HELLO");
        lrs_broker_send_out(b, id, id_len);
        goto done;
    }
    w->last_seen_ms = now;
    switch (m.type) {
    case LRS_MSG_HEARTBEAT:
        break;
    case LRS_MSG_READY:
        if (m.sweep != b->sweep->token) {
            reject(b, id, id_len, "READY for another sweep", LRS_REJECT_MESSAGE);
            break;
        }
        /* credit adds up: the worker counts what it asked for and has not
         * received, so each READY asks for that many more */
        w->credit = w->credit + m.credit > LRS_PROTO_MAX_CREDIT ? LRS_PROTO_MAX_CREDIT
                                                                : w->credit + m.credit;
        break;
    case LRS_MSG_RESULTS:
        if (m.sweep != b->sweep->token) {
            reject(b, id, id_len, "results of another sweep", 0);
            for (int i = 0; i < m.n_results && rc == 0; i++)
                rc = queue_ack(b, w, m.results[i].trial);   /* forget them */
            break;
        }
        for (int i = 0; i < m.n_results && rc == 0; i++)
            rc = on_result(b, w, &m.results[i], err);
        if (rc != 0 && !err->code)
            rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        break;
    case LRS_MSG_PROGRESS:
        if (m.sweep == b->sweep->token)
            rc = on_progress(b, w, &m, err);
        break;
    case LRS_MSG_SPEC_REQ:
        if (strcmp(m.spec_hash, b->served.hash) == 0)
            send_shared(b, id, id_len, &b->served.spec);
        else
            reject(b, id, id_len, "no spec with that hash", LRS_REJECT_MESSAGE);
        break;
    case LRS_MSG_DATA_REQ:
        if (b->data.present && strcmp(m.data_hash, b->data.hash) == 0) {
            /* the chunks asked for, at most LRS_PROTO_MAX_DATA_CHUNKS MiB: a
             * bounded step of the loop, however large the data set */
            uint64_t at = m.data_offset;
            for (int k = 0; k < m.data_chunks; k++) {
                size_t n = lrs_served_data_chunk(&b->data, at, &b->out);
                if (n == 0)
                    break;
                lrs_broker_send_out(b, id, id_len);
                at += n;
            }
        } else {
            reject(b, id, id_len, "no data set with that hash", LRS_REJECT_MESSAGE);
        }
        break;
    case LRS_MSG_RUNG:
        rc = lrs_broker_on_rung(&b->prune, w, &m, err);
        break;
    default:
        reject(b, id, id_len, "message type not accepted by the coordinator", 0);
        break;
    }
done:
    lrs_msg_free(&m);
    return rc;
}

/* Reads every waiting message without blocking.  Frames are [identity, body];
 * anything else is drained and counted. */
int lrs_broker_drain(lrs_broker_t *b, lrs_err_t *err)
{
    int64_t now = lrs_mono_ms();
    for (int budget = 0; budget < 10000; budget++) {
        zmq_msg_t idm, body;
        zmq_msg_init(&idm);
        if (zmq_msg_recv(&idm, b->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&idm);
            return 0;
        }
        int more = zmq_msg_more(&idm), extra = 0, rc = 0;
        zmq_msg_init(&body);
        if (more && zmq_msg_recv(&body, b->router, 0) >= 0) {
            while (zmq_msg_more(&body)) {   /* multi-part: not ours */
                zmq_msg_t junk;
                zmq_msg_init(&junk);
                zmq_msg_recv(&junk, b->router, 0);
                extra = 1;
                int more2 = zmq_msg_more(&junk);
                zmq_msg_close(&junk);
                if (!more2)
                    break;
            }
            if (extra)
                reject(b, zmq_msg_data(&idm), zmq_msg_size(&idm), "multi-part message", 0);
            else {
                const char *key = zmq_msg_gets(&body, "User-Id");
                rc = handle(b, zmq_msg_data(&idm), zmq_msg_size(&idm), key ? key : "",
                            zmq_msg_data(&body), zmq_msg_size(&body), now, err);
            }
        }
        zmq_msg_close(&body);
        zmq_msg_close(&idm);
        if (rc != 0)
            return -1;
    }
    return 0;
}

