/* agent.c — see agent.h.  The I/O thread's side: the session with the
 * coordinator (HELLO, WELCOME, DATA, TRIALS, ACK), what leaves on the socket
 * and when, and the loop around zmq_poll on the timer facility — reconnect
 * after back-off, heartbeat, coordinator liveness, progress — and the checks
 * on what the coordinator sends (credit, --max-data, sizes and hashes, what
 * a session expects), each failing one a logged reconnect.  Trials run in
 * the pool (worker/pool.h) under a sweep context (worker/sweep_ctx.h); a
 * command's curve values wait in worker/progress.h. */
#include "worker/agent.h"
#include "worker/agent_in.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "common/bytesize.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/rng.h"
#include "common/spec.h"
#include "common/timer.h"
#include "worker/forksrv.h"
#include "worker/handshake.h"
#include "worker/pool.h"
#include "worker/progress.h"
#include "worker/sweep_ctx.h"

#define RESEND_MS 10000        /* re-send a result not ACKed after this long */
#define DRAIN_ACK_MS 5000      /* on Ctrl-C, wait this long for the last ACKs */
#define PROGRESS_MS 200        /* a command's metric lines leave at most this often */
#define FRAME_ENVELOPE 4096    /* a frame's bytes around its data chunk or spec text */

void lrs_agent_log(agent_t *a, const char *fmt, ...)
{
    /* The name is the user's or the host's, sweep names and reasons are the
     * coordinator's: the log escapes them all. */
    va_list ap;
    va_start(ap, fmt);
    lrs_log_vprintf(&a->log, fmt, ap);
    va_end(ap);
}

void lrs_agent_default_name(char *out, size_t size)
{
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    snprintf(out, size, "%s:%ld", host, (long)getpid());
}

void lrs_agent_opts_init(lrs_agent_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->jobs = 1;
    o->prefetch = -1;
}

/* ---- sending ----------------------------------------------------------- */

void lrs_agent_send(agent_t *a)
{
    if (a->sock && zmq_send(a->sock, a->out.sb.data, a->out.sb.size, ZMQ_DONTWAIT) >= 0)
        a->last_sent = lrs_mono_ms();
}

static void send_out_cb(void *a) { lrs_agent_send(a); }

/* Sends every result not yet sent (or sent too long ago) in this session. */
static void send_results(agent_t *a, int64_t now)
{
    if (a->session != 3)
        return;
    lrs_pool_send_due(a->pool, lrs_sweep_ctx_token(a->ctx), now, RESEND_MS, &a->out, send_out_cb, a);
    lrs_pool_send_rungs(a->pool, lrs_sweep_ctx_token(a->ctx), now, RESEND_MS, &a->out, send_out_cb,
                        a);
}

static void on_ack(agent_t *a, const lrs_msg_t *m)
{
    lrs_pool_ack(a->pool, m->sweep, m->acks, m->n_acks);
}

/* Asks for trials up to jobs + a queue in hand.  The queue covers about
 * PREFETCH_S of work (at least one trial, at most opts.prefetch): enough to
 * hide round trips for millisecond trials, without hoarding long ones that
 * other workers could run (and that a drained sweep would wait for). */
#define PREFETCH_S 0.2
static void request_trials(agent_t *a)
{
    if (a->session != 3 || !lrs_sweep_ctx_may_run(a->ctx))
        return;
    double avg;
    int have = lrs_pool_in_hand(a->pool, &avg) + a->requested;
    int extra = a->opts.prefetch;
    if (avg > 0) {
        double fit = a->opts.jobs * PREFETCH_S / avg;
        extra = fit < 1 ? 1 : fit > a->opts.prefetch ? a->opts.prefetch : (int)fit;
    } else if (extra > a->opts.jobs) {
        extra = a->opts.jobs;   /* nothing measured yet: a modest start */
    }
    int want = a->opts.jobs + extra - have;
    if (want <= 0 || want * 2 < extra)   /* ask in chunks, not one by one */
        return;
    lrs_proto_ready(&a->out, lrs_sweep_ctx_token(a->ctx), want);
    lrs_agent_send(a);
    a->requested += want;
}

/* Sends the curve values that arrived since the last PROGRESS, one message
 * per running trial of the current sweep; others are dropped. */
static void send_progress(agent_t *a, int64_t now)
{
    if (a->session != 3) {   /* between sessions: values of trials whose leases are gone */
        lrs_progress_clear(a->progress);
        return;
    }
    if (now - a->progress_sent < PROGRESS_MS)
        return;
    a->progress_sent = now;
    lrs_progress_send(a->progress, lrs_sweep_ctx_token(a->ctx), &a->out, send_out_cb, a);
}

/* ---- connection -------------------------------------------------------- */

/* The coordinator has (or will have) given this worker's trials to others:
 * kill the commands running them and forget the queue and their progress. */
static void lose_leases(agent_t *a)
{
    lrs_pool_drop_queue(a->pool);
    lrs_pool_cancel_running(a->pool);
    lrs_progress_clear(a->progress);
}

static void disconnect(agent_t *a)
{
    lrs_handshake_destroy(&a->handshake, a->sock);
    if (a->sock)
        zmq_close(a->sock);
    a->sock = NULL;
    a->session = 0;
    a->requested = 0;
    lrs_msg_free(&a->pending_welcome);
    lrs_pool_mark_unsent(a->pool);   /* re-send all after the next WELCOME */
}

/* The largest frame this worker takes: a chunk of the data set or a SPEC
 * with the largest spec, whichever is larger, plus the envelope. */
int64_t lrs_agent_frame_cap(const agent_t *a)
{
    (void)a;
    uint64_t cap = LRS_PROTO_DATA_CHUNK > LRS_SPEC_MAX_TEXT ? LRS_PROTO_DATA_CHUNK : LRS_SPEC_MAX_TEXT;
    return (int64_t)cap + FRAME_ENVELOPE;
}

static int connect_now(agent_t *a, int64_t now, lrs_err_t *err)
{
    a->sock = zmq_socket(a->zctx, ZMQ_DEALER);
    if (!a->sock)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: %s", zmq_strerror(errno));
    int linger = 0;
    int64_t maxmsg = lrs_agent_frame_cap(a);
    zmq_setsockopt(a->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(a->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(a->sock, ZMQ_ROUTING_ID, a->ident, strlen(a->ident));
    char watch_id[64];
    snprintf(watch_id, sizeof watch_id, "%p-%d", (void *)a, ++a->connects);
    if (lrs_handshake_client(a->sock, a->opts.key, a->opts.server_key, err) != 0 ||
        !(a->handshake = lrs_handshake_watch(a->zctx, a->sock, watch_id,
                                             a->opts.key ? a->opts.key->public_z85 : NULL,
                                             a->opts.endpoint, err)))
        return -1;
    if (zmq_connect(a->sock, a->opts.endpoint) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "cannot connect to %s: %s", a->opts.endpoint,
                           zmq_strerror(errno));
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    char gpus[LRS_DEVICES_TEXT_MAX + 1];
    lrs_proto_hello_pinned(&a->out, a->name, host, (int64_t)getpid(), a->opts.jobs,
                           a->opts.allow_commands ? LRS_HELLO_RUNS_COMMANDS : 0, a->pinned,
                           lrs_devices_text(&a->opts.gpus, gpus, sizeof gpus));
    lrs_agent_send(a);
    a->session = 1;
    a->coord_seen = now;
    a->last_hello = now;
    return 0;
}

/* The session is over (the coordinator fell silent, or sent what this
 * worker cannot work with): leases are gone; reconnect after the back-off
 * (1 s doubling to LRS_RECONNECT_MAX_MS; a joined sweep resets it). */
void lrs_agent_reconnect_later(agent_t *a, int64_t now)
{
    lose_leases(a);
    disconnect(a);
    lrs_timer_disarm(&a->timers, a->heartbeat_timer);
    lrs_timer_disarm(&a->timers, a->liveness_timer);
    lrs_timer_arm(&a->timers, a->reconnect_timer, now + a->backoff_ms);
    a->backoff_ms = a->backoff_ms * 2 > LRS_RECONNECT_MAX_MS ? LRS_RECONNECT_MAX_MS
                                                             : a->backoff_ms * 2;
}

/* What the coordinator sent cannot be worked with: says why (the first time
 * for this kind since a sweep was last joined) and drops the session. */
void lrs_agent_give_up(agent_t *a, int64_t now, int kind, const char *fmt, ...)
{
    if (!(a->said & kind)) {
        a->said |= kind;
        char why[1536];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        lrs_agent_log(a, "%s; reconnecting in %d s", why, (int)(a->backoff_ms / 1000));
    }
    lrs_agent_reconnect_later(a, now);
}

/* Leased trials: of the sweep at work, at most the credit asked for and not
 * yet received; the rest are dropped (their leases expire on the
 * coordinator).  -1 without memory. */
static int on_trials(agent_t *a, lrs_msg_t *m, int64_t now)
{
    if (a->session != 3 || m->sweep != lrs_sweep_ctx_token(a->ctx)) {
        lrs_agent_give_up(a, now, BAD_KIND, "the coordinator sent trials %s",
                a->session != 3 ? "before this worker joined the sweep"
                                : "of a sweep this worker did not join");
        return 0;
    }
    int take = m->n_trials < a->requested ? m->n_trials : a->requested;
    if (take < m->n_trials && !(a->said & BAD_EXTRA)) {
        a->said |= BAD_EXTRA;
        lrs_agent_log(a, "the coordinator sent %d trials beyond the %d this worker asked for; dropping "
                "such trials (logged once)", m->n_trials - take, a->requested);
    }
    if (take > 0 && lrs_pool_push(a->pool, a->ctx, m->trials, take) != 0)
        return -1;
    a->requested -= take;
    return 0;
}

/* SHUTDOWN: the sweep this worker is on is complete (exit 0, or with
 * --serve wait for the next one), or its coordinator stops (reconnect with
 * back-off, results kept).  Returns 1 to exit 0. */
static int on_shutdown(agent_t *a, const lrs_msg_t *m, int64_t now)
{
    if (a->pinned && m->sweep != a->pinned) {   /* another sweep's coordinator, lingering */
        lrs_agent_give_up(a, now, BAD_PINNED, "the coordinator at %s ended another sweep (%s); this worker "
                "is pinned to sweep '%s' and waits for it (--serve follows any sweep)",
                a->opts.endpoint, m->reason, a->pinned_name);
        return 0;
    }
    if (!m->ended) {
        lrs_agent_log(a, "the coordinator stops: %s; keeping %d unacknowledged result(s), reconnecting",
             m->reason, lrs_pool_unacked(a->pool));
        a->backoff_ms = LRS_RECONNECT_MIN_MS;
        lrs_agent_reconnect_later(a, now);
        return 0;
    }
    if (a->opts.serve) {
        lrs_agent_log(a, "%s; waiting for the next sweep (--serve)", m->reason);
        a->backoff_ms = LRS_RECONNECT_MIN_MS;
        lrs_agent_reconnect_later(a, now);
        return 0;
    }
    if (!a->opts.quiet)
        lrs_agent_log(a, "%s; exiting", m->reason);
    return 1;
}

/* REJECT: say HELLO again, retry later, log, or give up (another protocol: 2). */
static int on_reject(agent_t *a, const lrs_msg_t *m, int64_t now, lrs_err_t *err)
{
    switch (m->code) {
    case LRS_REJECT_HELLO:   /* it forgot us (e.g. restarted): say HELLO again */
        if (now - a->last_hello < 1000)
            return 0;
        lrs_agent_log(a, "the coordinator at %s no longer knew this worker (restarted?); joining again",
             a->opts.endpoint);
        lose_leases(a);
        disconnect(a);
        return connect_now(a, now, err);
    case LRS_REJECT_REFUSED:
        lrs_agent_give_up(a, now, BAD_REFUSED, "the coordinator refused this worker: %s", m->reason);
        return 0;
    case LRS_REJECT_VERSION:
        lrs_agent_log(a, "%s", m->reason);
        return 2;
    default:
        if (a->opts.verbose)
            lrs_agent_log(a, "the coordinator refused a message: %s", m->reason);
        return 0;
    }
}

/* Handles one frame; returns 1 to exit 0 (the sweep is complete), 2 to exit
 * 2 (another protocol version), -1 on a fatal (local) error. */
static int on_frame(agent_t *a, const void *data, size_t len, int64_t now, lrs_err_t *err)
{
    lrs_msg_t m;
    lrs_err_t why;
    if (lrs_proto_decode(data, len, &m, &why) != 0) {
        char skew[1200];
        if (lrs_proto_skew_text(data, len, "worker", "coordinator", skew, sizeof skew)) {
            lrs_agent_log(a, "%s", skew);
            return 2;
        }
        lrs_agent_give_up(a, now, BAD_FRAME, "a malformed message from the coordinator: %s", why.msg);
        return 0;
    }
    a->coord_seen = now;
    if (a->session >= 2)   /* joined, or joining, this worker's sweep */
        a->contact = now;
    int rc = 0;
    switch (m.type) {
    case LRS_MSG_WELCOME:
        lrs_agent_on_welcome(a, &m, now);
        break;
    case LRS_MSG_DATA:
        lrs_agent_on_data(a, &m, now);
        break;
    case LRS_MSG_SPEC:
        lrs_agent_on_spec(a, &m, now);
        break;
    case LRS_MSG_TRIALS:
        rc = on_trials(a, &m, now) == 0 ? 0 : lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        break;
    case LRS_MSG_ACK:
        on_ack(a, &m);
        break;
    case LRS_MSG_HEARTBEAT:
        break;
    case LRS_MSG_SHUTDOWN:
        rc = on_shutdown(a, &m, now);
        break;
    case LRS_MSG_REJECT:
        rc = on_reject(a, &m, now, err);
        break;
    case LRS_MSG_VERDICT:   /* for a trial waiting at a rung; a stale one is ignored */
        if (a->session == 3 && m.sweep == lrs_sweep_ctx_token(a->ctx))
            lrs_pool_verdict(a->pool, m.sweep, m.trial, m.attempt, m.epoch, m.prune);
        break;
    default:   /* a worker's message (HELLO, READY, RESULTS, ...) sent to a worker */
        lrs_agent_give_up(a, now, BAD_KIND, "the coordinator sent a %s message, which only workers send",
                lrs_msg_name(m.type));
        break;
    }
    lrs_msg_free(&m);
    return rc;
}

/* ---- main loop --------------------------------------------------------- */

static int agent_setup(agent_t *a, const lrs_agent_opts_t *opts, lrs_err_t *err)
{
    a->opts = *opts;
    if (!a->opts.log)
        a->opts.log = stderr;
    if (a->opts.jobs < 1)
        a->opts.jobs = 1;
    if (a->opts.prefetch < 0)
        a->opts.prefetch = a->opts.jobs > 16 ? a->opts.jobs : 16;
    a->max_data = a->opts.max_data ? a->opts.max_data : LRS_AGENT_MAX_DATA;
    a->heartbeat_ms = LRS_HEARTBEAT_MS;
    a->liveness = LRS_HEARTBEAT_LIVENESS;
    a->backoff_ms = LRS_RECONNECT_MIN_MS;
    if (opts->name)
        snprintf(a->name, sizeof a->name, "%s", opts->name);
    else
        lrs_agent_default_name(a->name, sizeof a->name);
    lrs_log_init(&a->log, a->opts.log, a->opts.log_format, "worker", a->name);
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(a->ident, sizeof a->ident, "%s/%08x", a->name,
             (unsigned)(lrs_mix64((uint64_t)ts.tv_nsec ^ (uint64_t)getpid()) & 0xffffffffu));
    lrs_wbuf_init(&a->out);
    a->zctx = zmq_ctx_new();
    if (!a->zctx)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot create context");
    if (!(a->progress = lrs_progress_new()))
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    if (!(a->pool = lrs_pool_new(a->opts.jobs, &a->opts.gpus, a->progress, err)))
        return -1;
    return 0;
}

static void agent_teardown(agent_t *a)
{
    if (a->pool) {
        disconnect(a);
        lrs_pool_destroy(&a->pool);   /* stops the trial threads: they leave no command behind */
    }
    lrs_progress_destroy(&a->progress);
    lrs_agent_build_drop(a);   /* before the data set it reads is freed */
    lrs_sweep_ctx_unref(a->ctx);
    if (a->zctx)
        zmq_ctx_term(a->zctx);
    free(a->data_bytes);
    free(a->spec_text);
    lrs_wbuf_free(&a->out);
}

/* ---- timers ------------------------------------------------------------ */

/* Liveness: how long the coordinator may stay silent before we reconnect. */
static int64_t silence_limit(const agent_t *a)
{
    return (int64_t)a->heartbeat_ms * a->liveness;
}

/* Reconnects after the back-off; the session's timers start again. */
static int64_t on_reconnect_due(void *ctx, int64_t now, lrs_err_t *err)
{
    agent_t *a = ctx;
    if (connect_now(a, now, err) != 0)
        return LRS_TIMER_FAIL;
    lrs_timer_arm(&a->timers, a->heartbeat_timer, now + a->heartbeat_ms);
    lrs_timer_arm(&a->timers, a->liveness_timer, now + silence_limit(a) + 1);
    return LRS_TIMER_DISARM;
}

/* A heartbeat when nothing else was sent for a heartbeat interval. */
static int64_t on_heartbeat_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    agent_t *a = ctx;
    lrs_agent_data_stalled(a, now);
    if (now - a->last_sent >= a->heartbeat_ms) {
        lrs_proto_heartbeat(&a->out);
        lrs_agent_send(a);
    }
    int64_t next = a->last_sent + a->heartbeat_ms - now;
    return next > 0 ? next : a->heartbeat_ms;
}

/* The coordinator silent for too long: leases are gone, reconnect with
 * back-off (1 s doubling to LRS_RECONNECT_MAX_MS). */
static int64_t on_liveness_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    agent_t *a = ctx;
    int64_t silent = now - a->coord_seen;
    if (silent <= silence_limit(a))
        return silence_limit(a) - silent + 1;
    if (a->opts.verbose || a->session >= 3)
        lrs_agent_log(a, "no word from %s for %d s; reconnecting in %" PRId64 " s", a->opts.endpoint,
             (int)(silent / 1000), a->backoff_ms / 1000);
    lrs_agent_reconnect_later(a, now);
    return LRS_TIMER_DISARM;
}

/* --idle-timeout: no word from the coordinator of this worker's sweep for
 * that long ends the worker (exit 3).  Connected and waiting for trials is
 * not idle: heartbeats are words. */
static int64_t on_idle_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    agent_t *a = ctx;
    int64_t limit = (int64_t)(a->opts.idle_timeout_s * 1000);
    if (now - a->contact < limit)
        return a->contact + limit - now;
    lrs_agent_log(a, "no contact with the coordinator of %s%s%s for %g s (--idle-timeout); exiting",
         a->pinned ? "sweep '" : "any sweep", a->pinned ? a->pinned_name : "",
         a->pinned ? "'" : "", a->opts.idle_timeout_s);
    a->idle_out = 1;
    return LRS_TIMER_DISARM;
}

/* A command's curve values leave at most every PROGRESS_MS. */
static int64_t on_progress_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    send_progress(ctx, now);
    return LRS_TIMER_DISARM;
}

static void timers_start(agent_t *a, int64_t now)
{
    lrs_timers_init(&a->timers);
    a->reconnect_timer = lrs_timer_add(&a->timers, "reconnect", on_reconnect_due, a);
    a->heartbeat_timer = lrs_timer_add(&a->timers, "heartbeat", on_heartbeat_due, a);
    a->liveness_timer = lrs_timer_add(&a->timers, "liveness", on_liveness_due, a);
    a->progress_timer = lrs_timer_add(&a->timers, "progress", on_progress_due, a);
    lrs_timer_arm(&a->timers, a->reconnect_timer, now);
    a->contact = now;
    if (a->opts.idle_timeout_s > 0) {
        a->idle_timer = lrs_timer_add(&a->timers, "idle timeout", on_idle_due, a);
        lrs_timer_arm(&a->timers, a->idle_timer, now + (int64_t)(a->opts.idle_timeout_s * 1000));
    }
}

static int loop(agent_t *a, lrs_err_t *err)
{
    int64_t interrupted_at = 0;
    timers_start(a, lrs_mono_ms());
    for (;;) {
        int64_t now = lrs_mono_ms();
        int interrupts = a->opts.interrupts ? atomic_load(a->opts.interrupts) : 0;
        if (interrupts >= 2)
            return LRS_EXIT_INTERRUPTED;
        if (interrupts == 1 && !interrupted_at) {
            interrupted_at = now;
            lrs_pool_drop_queue(a->pool);   /* run nothing new */
        }
        if (interrupted_at && (lrs_pool_idle(a->pool) || now - interrupted_at > DRAIN_ACK_MS))
            return LRS_EXIT_INTERRUPTED;
        if (a->sock && lrs_progress_waiting(a->progress))
            lrs_timer_arm_once(&a->timers, a->progress_timer, a->progress_sent + PROGRESS_MS);
        /* Sleep until the next timer: messages and finished trials wake us
         * anyway, and 500 idle workers on one machine should not steal the
         * coordinator's CPU.  While draining, look every 100 ms. */
        long timeout = lrs_timers_timeout(&a->timers, now, interrupted_at ? 100 : a->heartbeat_ms);
        zmq_pollitem_t items[4] = {
            {.fd = lrs_pool_wake_fd(a->pool), .events = ZMQ_POLLIN},
            {.socket = a->sock, .events = ZMQ_POLLIN},
            {.socket = a->handshake ? lrs_handshake_socket(a->handshake) : NULL,
             .events = ZMQ_POLLIN}};
        int n_items = a->sock ? 3 : 1;
        if (a->build)   /* a sweep context being built: it wakes us when it is ready */
            items[n_items++] = (zmq_pollitem_t){.fd = lrs_agent_build_fd(a), .events = ZMQ_POLLIN};
        int n = zmq_poll(items, n_items, timeout);
        if (n < 0 && errno != EINTR)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq_poll: %s", zmq_strerror(errno));
        const char *failed = a->handshake ? lrs_handshake_read(a->handshake) : NULL;
        if (failed)
            lrs_agent_log(a, "%s", failed);
        if (a->session == 2 && lrs_handshake_drops(a->handshake) != a->drops_at_request)
            lrs_agent_data_lost(a, lrs_mono_ms());
        char junk[256];
        while (read(lrs_pool_wake_fd(a->pool), junk, sizeof junk) > 0)
            ;
        now = lrs_mono_ms();
        lrs_agent_build_poll(a, now);
        for (int budget = 0; a->sock && budget < 1000; budget++) {
            zmq_msg_t msg;
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, a->sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&msg);
                break;
            }
            int rc = on_frame(a, zmq_msg_data(&msg), zmq_msg_size(&msg), now, err);
            zmq_msg_close(&msg);
            if (rc < 0)
                return -1;
            if (rc == 1)
                return 0;
            if (rc == 2)
                return LRS_EXIT_USAGE;
        }
        if (a->sock) {
            send_results(a, now);
            if (!interrupted_at)
                request_trials(a);
        }
        if (lrs_timers_run(&a->timers, now, err) != 0)
            return -1;
        if (a->idle_out)
            return LRS_EXIT_IDLE;
    }
}

int lrs_agent_run(const lrs_agent_opts_t *opts, lrs_err_t *err)
{
    agent_t *a = calloc(1, sizeof *a);
    if (!a)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    int rc = agent_setup(a, opts, err);
    if (rc == 0)
        rc = loop(a, err);
    agent_teardown(a);
    lrs_forksrv_close_all();   /* preload: the slots' idle helpers */
    free(a);
    return rc;
}