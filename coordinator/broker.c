/* broker.c — see broker.h.  The Paranoid Pirate pattern (ZeroMQ Guide)
 * plus durable state: a ROUTER, a monotonic clock, and timers checked after
 * every wake of zmq_poll.
 *
 * The sweep itself (its row, trial table, counters, how an outcome becomes
 * a row) is coordinator/sweep.c, the trial table coordinator/trials.c; this
 * file is the loop, the workers and what goes over the socket.  Memory is
 * O(workers · leases) plus the trial table's (what is in flight). */
#include "coordinator/broker.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include <zmq.h>

#include "common/clock.h"
#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/textesc.h"
#include "common/timer.h"
#include "coordinator/access.h"
#include "coordinator/listen.h"
#include "coordinator/peerlog.h"
#include "coordinator/served_data.h"
#include "coordinator/store.h"
#include "coordinator/sweep.h"
#include "coordinator/trials.h"
#include "coordinator/workers.h"

struct lrs_broker {
    lrs_broker_opts_t opts;
    const lrs_spec_t *spec;
    const lrs_spec_info_t *info;
    lrs_store_t *store;
    lrs_sweep_t *state;        /* the sweep's row, trial table, counters */
    const lrs_sweep_row_t *sweep;
    lrs_trials_t *trials;
    /* workers */
    lrs_workers_t workers;
    /* network */
    lrs_listen_t *net;         /* the ROUTER (and with CURVE the ZAP handler) */
    void *router;
    int reloads_seen;
    lrs_served_data_t data;    /* the data set and its DATA frame */
    lrs_served_spec_t served;  /* the sweep's WELCOME and SPEC */
    lrs_wbuf_t out;
    /* timers (monotonic ms) */
    int64_t started_ms;
    int unflushed;
    /* statistics */
    lrs_peerlog_t peers;       /* rejects: counted, logged once per peer */
    uint64_t results_dropped;  /* results refused by lrs_sweep_check_result */
    uint64_t trimmed_at;       /* rejects + departed sessions at the last heap trim */
    int progress_drawn;
};

static void blog(lrs_broker_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void blog(lrs_broker_t *b, const char *fmt, ...)
{
    if (b->progress_drawn) {   /* keep the live line from swallowing the message */
        fputs("\r\033[K", b->opts.log);
        b->progress_drawn = 0;
    }
    /* Names, errors and peer ids in it come from workers: shown escaped. */
    char msg[2048], shown[LRS_TEXTESC_SIZE(sizeof msg)];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    fprintf(b->opts.log, "lrsweep: %s\n", lrs_text_escape_str(msg, shown, sizeof shown));
    fflush(b->opts.log);
}

void lrs_broker_opts_init(lrs_broker_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->max_attempts = 3;
    o->heartbeat_ms = LRS_HEARTBEAT_MS;
    o->liveness = LRS_HEARTBEAT_LIVENESS;
    o->flush_ms = 50;
    o->flush_batch = 4096;
    o->max_workers = 1024;
    o->drain_s = 30;
    o->progress = 1;
}


static void say_line(void *ctx, const char *line) { blog(ctx, "%s", line); }

static int listen_all(lrs_broker_t *b, lrs_err_t *err)
{
    lrs_listen_opts_t lo = {
        .binds = b->opts.binds, .n_binds = b->opts.n_binds, .max_msg = LRS_PROTO_MAX_MSG,
        .hwm = 1000, .key = b->opts.key, .allow_path = b->opts.allow_path,
        .extra_key = b->opts.extra_key, .say = say_line, .say_ctx = b,
    };
    b->net = lrs_listen_new(&lo, err);
    if (!b->net)
        return -1;
    b->router = lrs_listen_router(b->net);
    return 0;
}

lrs_broker_t *lrs_broker_new(const lrs_broker_opts_t *opts, const lrs_spec_t *spec, lrs_err_t *err)
{
    lrs_broker_t *b = calloc(1, sizeof *b);
    if (!b) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    b->opts = *opts;
    if (!b->opts.log)
        b->opts.log = stderr;
    b->spec = spec;
    b->info = lrs_spec_info(spec);
    lrs_wbuf_init(&b->out);
    /* The data is checked before the database is opened: a sweep whose data
     * cannot train creates nothing. */
    if (lrs_served_data_load(b->info, &b->data, err) != 0)
        goto fail;
    b->store = lrs_store_open(opts->db_path, LRS_STORE_WRITE, err);
    if (!b->store)
        goto fail;
    lrs_sweep_origin_t origin = {
        .data_hash = b->data.present ? b->data.data_hash : NULL, .data_path = b->info->data_path,
        .transport = lrs_access_transport(opts->key != NULL, opts->binds, opts->n_binds)};
    b->state = lrs_sweep_open(b->store, spec, opts->db_path, &origin, err);
    if (!b->state)
        goto fail;
    b->sweep = lrs_sweep_row(b->state);
    b->trials = lrs_sweep_trials(b->state);
    if (lrs_sweep_extended_from(b->state))
        blog(b, "extending sweep '%s' from %" PRId64 " to %" PRId64 " trials", b->sweep->name,
             lrs_sweep_extended_from(b->state), b->sweep->trials);
    if (lrs_served_spec_make(spec, b->sweep->token, b->sweep->name, &b->data,
                             b->opts.heartbeat_ms, &b->served, err) != 0 ||
        listen_all(b, err) != 0)
        goto fail;
    return b;
fail:
    lrs_broker_destroy(&b);
    return NULL;
}

void lrs_broker_set_tick(lrs_broker_t *b, int (*tick)(void *ctx, lrs_err_t *err), void *ctx)
{
    b->opts.tick = tick;
    b->opts.tick_ctx = ctx;
}

uint64_t lrs_broker_remaining(const lrs_broker_t *b)
{
    return lrs_trials_total(b->trials) - lrs_trials_done(b->trials);
}

const char *lrs_broker_sweep_name(const lrs_broker_t *b) { return b->sweep->name; }

void lrs_broker_get_stats(const lrs_broker_t *b, lrs_broker_stats_t *out)
{
    out->rejected = b->peers.rejected;
    lrs_sweep_counts_t c;
    lrs_sweep_counts(b->state, &c);
    out->recorded = c.session_done;
    out->trial_table_bytes = lrs_trials_footprint(b->trials);
    out->results_dropped = b->results_dropped;
    out->live_workers = b->workers.live;
    out->worker_slots = b->workers.n;
}

void lrs_broker_destroy(lrs_broker_t **bp)
{
    if (!bp || !*bp)
        return;
    lrs_broker_t *b = *bp;
    lrs_workers_clear(&b->workers);
    lrs_served_data_clear(&b->data);
    lrs_served_spec_clear(&b->served);
    lrs_listen_destroy(&b->net);
    lrs_store_destroy(&b->store);
    lrs_wbuf_free(&b->out);
    lrs_sweep_destroy(&b->state);
    free(b);
    *bp = NULL;
}

/* ---- sending ----------------------------------------------------------- */

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

static int send_out(lrs_broker_t *b, const uint8_t *id, size_t id_len)
{
    return send_raw(b, id, id_len, b->out.sb.data, b->out.sb.size);
}

/* Sends a frame encoded once (WELCOME, DATA): each send shares its buffer,
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

/* Counts a rejected message; logs it the first time for each peer. */
static void reject(lrs_broker_t *b, const uint8_t *id, size_t id_len, const char *why, int reply)
{
    char who[96];
    lrs_peerlog_say_t say = lrs_peerlog_note(&b->peers, id, id_len, who, sizeof who);
    if (say == LRS_PEERLOG_FIRST)
        blog(b, "rejected a message from peer '%s': %s (further ones from it are counted, "
                "not logged)", who, why);
    else if (say == LRS_PEERLOG_OVERFLOW)
        blog(b, "rejected a message from peer '%s': %s (too many bad peers: rejects are now "
                "only counted)", who, why);
    if (reply) {
        lrs_proto_reject(&b->out, why);
        send_out(b, id, id_len);
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
        if (lrs_sweep_record_failed(b->state, trial, worker, why, err) != 0)
            return -1;
        b->unflushed++;
        blog(b, "trial %" PRIu64 " failed: %s", trial, why);
        return 0;
    }
    if (lrs_store_del_lease(b->store, b->sweep->id, (int64_t)trial, err) != 0)
        return -1;
    if (lrs_trials_retry(b->trials, trial) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    return 0;
}

static int retire_worker(lrs_broker_t *b, lrs_worker_t *w, const char *why, lrs_err_t *err)
{
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
    if (w && retire_worker(b, w, "reconnected", err) != 0)
        return -1;
    w = lrs_workers_find_session(&b->workers, key, m->worker_name);
    if (w && retire_worker(b, w, "started a new session", err) != 0)
        return -1;
    if (b->workers.live >= b->opts.max_workers || id_len > LRS_WORKER_ID_MAX) {
        reject(b, id, id_len, "too many workers", 1);
        return 0;
    }
    w = lrs_workers_join(&b->workers, id, id_len, key, m->worker_name, m->host, m->jobs, now);
    if (!w)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    w->runs_commands = (m->hello_flags & LRS_HELLO_RUNS_COMMANDS) != 0;
    if (b->info->exec && !w->runs_commands)
        blog(b, "worker %s was started without --allow-commands: it gets no trials of this "
                "sweep, which runs a command", w->name);
    b->unflushed++;   /* its workers row goes out with the next commit */
    if (b->opts.progress == 1)
        blog(b, "worker %s joined (%d jobs)", w->name, w->jobs);
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
    if (t >= lrs_trials_total(b->trials)) {
        reject(b, w->id, w->id_len, "result for a trial outside the sweep", 0);
        return queue_ack(b, w, t);   /* acknowledged so the worker forgets it */
    }
    lrs_trial_slot_t slot = lrs_trials_get(b->trials, t);
    if (slot.state == LRS_TRIAL_DONE)   /* late duplicate: recorded once, never twice */
        return queue_ack(b, w, t);
    const char *bad = lrs_sweep_check_result(b->state, (int32_t)(w - b->workers.slots), w->name, r);
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
    if (lrs_sweep_record(b->state, w->name, r, err) != 0)
        return -1;
    b->unflushed++;
    w->done++;
    w->dirty = 1;
    if (o->status == LRS_STATUS_FAILED)   /* the command ran and failed: final */
        blog(b, "trial %" PRIu64 " failed: %s", t, o->error ? o->error : "failed");
    return queue_ack(b, w, t);
}

/* ---- dispatch ---------------------------------------------------------- */

static int dispatch(lrs_broker_t *b, lrs_worker_t *w, lrs_err_t *err)
{
    if (b->info->exec && !w->runs_commands) {   /* it may not run them: it gets none */
        w->credit = 0;
        return 0;
    }
    while (w->credit > 0) {
        int n = 0, max = w->credit < LRS_PROTO_MAX_BATCH ? w->credit : LRS_PROTO_MAX_BATCH;
        uint64_t batch[256];
        if (max > 256)
            max = 256;
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
        if (send_out(b, w->id, w->id_len) != 0) {
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
        reject(b, id, id_len, why.msg, 0);
        return 0;
    }
    int rc = 0;
    lrs_worker_t *w = lrs_workers_find(&b->workers, id, id_len);
    if (m.type == LRS_MSG_HELLO) {
        rc = on_hello(b, id, id_len, key, &m, now, err);
        goto done;
    }
    if (w && strcmp(w->key, key) != 0)   /* the routing id, but not the key, of a worker */
        w = NULL;
    if (!w) {
        reject(b, id, id_len, "unknown worker: say HELLO first", 1);
        goto done;
    }
    w->last_seen_ms = now;
    switch (m.type) {
    case LRS_MSG_HEARTBEAT:
        break;
    case LRS_MSG_READY:
        if (m.sweep != b->sweep->token) {
            reject(b, id, id_len, "READY for another sweep", 1);
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
            reject(b, id, id_len, "no spec with that hash", 1);
        break;
    case LRS_MSG_DATA_REQ:
        if (b->data.present && strcmp(m.data_hash, b->data.hash) == 0) {
            send_shared(b, id, id_len, &b->data.frame);
        } else {
            reject(b, id, id_len, "no data set with that hash", 1);
        }
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
static int drain(lrs_broker_t *b, lrs_err_t *err)
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

/* ---- timers ------------------------------------------------------------ */

static int flush(lrs_broker_t *b, lrs_err_t *err)
{
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        if (w->live && w->dirty) {
            const char *idle = b->info->exec && !w->runs_commands
                                   ? "started without --allow-commands" : NULL;
            if (lrs_store_put_worker(b->store, b->sweep->id, w->name, w->host, w->jobs,
                                     w->done - w->done_saved, idle, err) != 0)
                return -1;
            w->done_saved = w->done;
            w->dirty = 0;
        }
    }
    if (lrs_store_flush(b->store, err) != 0)
        return -1;
    b->unflushed = 0;
    /* Durable now: tell the workers they may forget these results. */
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        for (int off = 0; w->live && off < w->n_acks; off += LRS_PROTO_MAX_BATCH) {
            int n = w->n_acks - off < LRS_PROTO_MAX_BATCH ? w->n_acks - off : LRS_PROTO_MAX_BATCH;
            lrs_proto_ack_begin(&b->out, b->sweep->token, n);
            for (int k = 0; k < n; k++)
                lrs_proto_ack_add(&b->out, w->acks[off + k]);
            send_out(b, w->id, w->id_len);
        }
        w->n_acks = 0;
    }
    return 0;
}

static int expire_workers(lrs_broker_t *b, int64_t now, lrs_err_t *err)
{
    int64_t limit = (int64_t)b->opts.heartbeat_ms * b->opts.liveness;
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        if (w->live && now - w->last_seen_ms > limit) {
            blog(b, "worker %s stopped heartbeating; %d trial(s) go back to the queue", w->name,
                 w->n_leases);
            if (retire_worker(b, w, "stopped heartbeating", err) != 0)
                return -1;
        }
    }
    return 0;
}

static void send_heartbeats(lrs_broker_t *b)
{
    lrs_proto_heartbeat(&b->out);
    for (int i = 0; i < b->workers.n; i++)
        if (b->workers.slots[i].live)
            send_out(b, b->workers.slots[i].id, b->workers.slots[i].id_len);
}

static void progress(lrs_broker_t *b, int64_t now, int final)
{
    char line[512];
    lrs_sweep_progress_text(b->state, (double)(now - b->started_ms) / 1000.0, b->workers.live,
                            line, sizeof line);
    if (b->opts.progress == 2 && !final) {
        char shown[LRS_TEXTESC_SIZE(sizeof line)];
        size_t fit = sizeof shown;
        struct winsize ws;   /* a wrapped line could not be redrawn in place */
        if (ioctl(fileno(b->opts.log), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 && ws.ws_col < fit)
            fit = ws.ws_col;
        fprintf(b->opts.log, "\r\033[K%s", lrs_text_escape_str(line, shown, fit));
        b->progress_drawn = 1;
        fflush(b->opts.log);
    } else if (b->opts.progress) {
        blog(b, "%s", line);
    }
}

static void shutdown_workers(lrs_broker_t *b, const char *reason)
{
    lrs_proto_shutdown(&b->out, reason);
    for (int i = 0; i < b->workers.n; i++)
        if (b->workers.slots[i].live)
            send_out(b, b->workers.slots[i].id, b->workers.slots[i].id_len);
}

/* ---- timers ------------------------------------------------------------ */

static int64_t on_flush_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now;
    return flush(ctx, err) != 0 ? LRS_TIMER_FAIL : LRS_TIMER_DISARM;
}

/* After a flood (many rejects, or sessions gone), the heap is handed back:
 * glibc keeps freed memory otherwise, and a coordinator that ballooned once
 * would stay big for the rest of a long sweep. */
static void trim_heap(lrs_broker_t *b)
{
    uint64_t churn = b->peers.rejected + (uint64_t)b->workers.n - (uint64_t)b->workers.live;
    if (churn == b->trimmed_at)
        return;
    b->trimmed_at = churn;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static int64_t on_expiry_due(void *ctx, int64_t now, lrs_err_t *err)
{
    lrs_broker_t *b = ctx;
    if (expire_workers(b, now, err) != 0)
        return LRS_TIMER_FAIL;
    trim_heap(b);
    return b->opts.heartbeat_ms / 4;
}

static int64_t on_heartbeat_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now, (void)err;
    lrs_broker_t *b = ctx;
    send_heartbeats(b);
    return b->opts.heartbeat_ms;
}

static int64_t on_tick_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now;
    lrs_broker_t *b = ctx;
    if (b->opts.tick(b->opts.tick_ctx, err) == 0)
        return 100;
    lrs_err_t ignored;
    flush(b, &ignored);
    shutdown_workers(b, "coordinator stopped");
    return LRS_TIMER_FAIL;
}

/* SIGHUP: the allow list is read again; a list that does not load keeps
 * the old one (and says why). */
static int64_t on_reload_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now, (void)err;
    lrs_broker_t *b = ctx;
    int seen = atomic_load(b->opts.reload);
    if (seen == b->reloads_seen)
        return 200;
    b->reloads_seen = seen;
    lrs_err_t why;
    if (lrs_listen_reload(b->net, &why) != 0)
        blog(b, "SIGHUP: the allow list was not reloaded: %s", why.msg);
    else
        blog(b, "SIGHUP: reloaded the allow list (%zu keys)", lrs_listen_allowed(b->net));
    return 200;
}

static int64_t on_progress_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    lrs_broker_t *b = ctx;
    progress(b, now, 0);
    return b->opts.progress == 2 ? 200 : 5000;
}

/* The loop's timers, all armed from now except the group commit's, which
 * the first unflushed result starts. */
static int timers_start(lrs_broker_t *b, lrs_timers_t *ts, int64_t now)
{
    lrs_timers_init(ts);
    int flush_id = lrs_timer_add(ts, "flush", on_flush_due, b);
    lrs_timer_arm(ts, lrs_timer_add(ts, "lease expiry", on_expiry_due, b),
                  now + b->opts.heartbeat_ms / 4);
    lrs_timer_arm(ts, lrs_timer_add(ts, "heartbeat", on_heartbeat_due, b),
                  now + b->opts.heartbeat_ms);
    if (b->opts.tick)
        lrs_timer_arm(ts, lrs_timer_add(ts, "tick", on_tick_due, b), now);
    if (b->opts.progress)
        lrs_timer_arm(ts, lrs_timer_add(ts, "progress", on_progress_due, b), now);
    if (b->opts.reload && b->opts.key) {
        b->reloads_seen = atomic_load(b->opts.reload);
        lrs_timer_arm(ts, lrs_timer_add(ts, "allow-list reload", on_reload_due, b), now);
    }
    return flush_id;
}

int lrs_broker_run(lrs_broker_t *b, lrs_err_t *err)
{
    int64_t now = lrs_mono_ms(), drain_deadline = 0;
    int draining = 0, status = 0;
    b->started_ms = now;
    lrs_timers_t timers;
    int flush_id = timers_start(b, &timers, now);
    if (b->opts.progress)
        blog(b, "sweep '%s': %" PRIu64 " trials, %" PRIu64 " already recorded", b->sweep->name,
             lrs_trials_total(b->trials), lrs_trials_done(b->trials));
    zmq_pollitem_t items[2] = {{.socket = b->router, .events = ZMQ_POLLIN},
                               {.socket = lrs_listen_zap(b->net), .events = ZMQ_POLLIN}};
    int n_items = items[1].socket ? 2 : 1;
    while (lrs_broker_remaining(b) > 0 || lrs_store_pending(b->store) > 0 || b->unflushed) {
        int interrupts = b->opts.interrupts ? atomic_load(b->opts.interrupts) : 0;
        if (interrupts >= 2) {
            blog(b, "interrupted again: stopping now");
            status = LRS_EXIT_INTERRUPTED;
            break;
        }
        if (interrupts == 1 && !draining) {
            draining = 1;
            drain_deadline = now + (int64_t)(b->opts.drain_s * 1000);
            blog(b, "interrupted: no new trials; waiting up to %.0f s for %" PRIu64
                    " running trial(s) (Ctrl-C again to stop at once)",
                 b->opts.drain_s, lrs_trials_running(b->trials));
        }
        if (draining && (lrs_trials_running(b->trials) == 0 || now >= drain_deadline)) {
            status = LRS_EXIT_INTERRUPTED;
            break;
        }
        if (b->unflushed || lrs_store_pending(b->store) > 0)
            lrs_timer_arm_once(&timers, flush_id, now + b->opts.flush_ms);
        long timeout = lrs_timers_timeout(&timers, now, LRS_HEARTBEAT_MS);
        if (draining && drain_deadline - now < timeout)
            timeout = drain_deadline > now ? (long)(drain_deadline - now) : 0;
        if (zmq_poll(items, n_items, timeout) < 0 && errno != EINTR)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq_poll: %s", zmq_strerror(errno));
        lrs_listen_serve_zap(b->net);
        if (drain(b, err) != 0)
            return -1;
        now = lrs_mono_ms();
        if (b->unflushed >= b->opts.flush_batch) {   /* a full batch commits at once */
            if (flush(b, err) != 0)
                return -1;
            lrs_timer_disarm(&timers, flush_id);
        }
        if (lrs_timers_run(&timers, now, err) != 0)
            return -1;
        if (!draining)
            for (int i = 0; i < b->workers.n; i++)
                if (b->workers.slots[i].live && b->workers.slots[i].credit > 0 &&
                    dispatch(b, &b->workers.slots[i], err) != 0)
                    return -1;
    }
    if (flush(b, err) != 0)
        return -1;
    shutdown_workers(b, status ? "interrupted" : "sweep complete");
    if (b->opts.progress)
        progress(b, lrs_mono_ms(), 1);
    if (b->peers.rejected)
        blog(b, "%" PRIu64 " malformed or unexpected message(s) were rejected", b->peers.rejected);
    return status;
}
