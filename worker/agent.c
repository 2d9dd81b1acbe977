/* agent.c — see agent.h.  The I/O thread's side: the session with the
 * coordinator (HELLO, WELCOME, DATA, TRIALS, ACK), what leaves on the socket
 * and when, and the loop around zmq_poll on the timer facility — reconnect
 * after back-off, heartbeat, coordinator liveness, progress — and the checks
 * on what the coordinator sends (credit, --max-data, sizes and hashes, what
 * a session expects), each failing one a logged reconnect.  Trials run in
 * the pool (worker/pool.h) under a sweep context (worker/sweep_ctx.h); a
 * command's curve values wait in worker/progress.h. */
#include "worker/agent.h"

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
#include "worker/handshake.h"
#include "worker/pool.h"
#include "worker/progress.h"
#include "worker/sweep_ctx.h"

#define RESEND_MS 10000        /* re-send a result not ACKed after this long */
#define DRAIN_ACK_MS 5000      /* on Ctrl-C, wait this long for the last ACKs */
#define PROGRESS_MS 200        /* a command's metric lines leave at most this often */
#define FRAME_ENVELOPE 4096    /* a frame's bytes around its data set or spec text */

/* Kinds of trouble with what the coordinator sent; each is logged once until
 * the worker next joins a sweep (start_session). */
enum {
    BAD_FRAME = 1 << 0,   /* does not decode */
    BAD_KIND = 1 << 1,    /* a message this session did not expect (type, sweep, moment) */
    BAD_SWEEP = 1 << 2,   /* the WELCOME's spec, or the data set, does not load */
    BAD_SIZE = 1 << 3,    /* the data set is over max_data */
    BAD_DATA = 1 << 4,    /* DATA of another size than the WELCOME announced */
    BAD_HASH = 1 << 5,    /* DATA whose content hash is not the WELCOME's */
    BAD_EXTRA = 1 << 6,   /* trials beyond the credit asked for (dropped, no reconnect) */
    BAD_LOST = 1 << 7,    /* the connection dropped while the data set was on its way */
    BAD_PINNED = 1 << 8,  /* the coordinator runs another sweep than the one this worker joined */
    BAD_REFUSED = 1 << 9, /* the coordinator refused the HELLO */
};

typedef struct agent agent_t;

struct agent {
    lrs_agent_opts_t opts;
    lrs_pool_t *pool;
    lrs_progress_t *progress;
    lrs_handshake_t *handshake;  /* watches the socket's CURVE handshakes */
    int connects;
    int64_t progress_sent;
    void *zctx, *sock;
    lrs_sweep_ctx_t *ctx;
    lrs_msg_t pending_welcome;   /* waiting for SPEC or DATA */
    int session;                 /* 0 none, 1 HELLO sent, 2 waiting for data, 3 working,
                                    4 waiting for the spec */
    int requested, heartbeat_ms, liveness;
    uint64_t pinned;             /* token of the sweep this worker joined (0: none yet; --serve: 0) */
    char pinned_name[128];
    int64_t contact;             /* last word from the coordinator of this worker's sweep */
    int idle_timer, idle_out;    /* idle_out: --idle-timeout passed */
    int64_t coord_seen, last_sent, backoff_ms, last_hello;
    lrs_timers_t timers;
    int reconnect_timer, heartbeat_timer, liveness_timer, progress_timer;
    char name[128], ident[200];
    char *spec_text;             /* the cached spec, by hash */
    char spec_hash[17];
    char *data_bytes;            /* the cached data set, by hash */
    size_t data_len;
    char data_hash[17];
    int said;                    /* BAD_* kinds logged since the last sweep joined */
    uint64_t max_data;           /* opts.max_data, the default filled in */
    int drops_at_request;        /* lost connections counted when DATA_REQ left */
    lrs_wbuf_t out;
    lrs_log_t log;
};

static void alog(agent_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void alog(agent_t *a, const char *fmt, ...)
{
    /* The name is the user's or the host's, sweep names and reasons are the
     * coordinator's: lrs_log_line escapes them all. */
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    lrs_log_line(&a->log, msg);
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

static void send_out(agent_t *a)
{
    if (a->sock && zmq_send(a->sock, a->out.sb.data, a->out.sb.size, ZMQ_DONTWAIT) >= 0)
        a->last_sent = lrs_mono_ms();
}

static void send_out_cb(void *a) { send_out(a); }

/* Sends every result not yet sent (or sent too long ago) in this session. */
static void send_results(agent_t *a, int64_t now)
{
    if (a->session != 3)
        return;
    lrs_pool_send_due(a->pool, lrs_sweep_ctx_token(a->ctx), now, RESEND_MS, &a->out, send_out_cb, a);
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
    send_out(a);
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

/* The largest frame this worker takes: its data set cap (at most the wire's),
 * never below a WELCOME with the largest spec, plus the envelope. */
static int64_t frame_cap(const agent_t *a)
{
    uint64_t cap = a->max_data < LRS_PROTO_MAX_DATA ? a->max_data : LRS_PROTO_MAX_DATA;
    if (cap < LRS_SPEC_MAX_TEXT)
        cap = LRS_SPEC_MAX_TEXT;
    return (int64_t)cap + FRAME_ENVELOPE;
}

static int connect_now(agent_t *a, int64_t now, lrs_err_t *err)
{
    a->sock = zmq_socket(a->zctx, ZMQ_DEALER);
    if (!a->sock)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: %s", zmq_strerror(errno));
    int linger = 0;
    int64_t maxmsg = frame_cap(a);
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
    lrs_proto_hello_pinned(&a->out, a->name, host, (int64_t)getpid(), a->opts.jobs,
                           a->opts.allow_commands ? LRS_HELLO_RUNS_COMMANDS : 0, a->pinned);
    send_out(a);
    a->session = 1;
    a->coord_seen = now;
    a->last_hello = now;
    return 0;
}

/* The session is over (the coordinator fell silent, or sent what this
 * worker cannot work with): leases are gone; reconnect after the back-off
 * (1 s doubling to LRS_RECONNECT_MAX_MS; a joined sweep resets it). */
static void reconnect_later(agent_t *a, int64_t now)
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
static void give_up(agent_t *a, int64_t now, int kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void give_up(agent_t *a, int64_t now, int kind, const char *fmt, ...)
{
    if (!(a->said & kind)) {
        a->said |= kind;
        char why[1536];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, sizeof why, fmt, ap);
        va_end(ap);
        alog(a, "%s; reconnecting in %d s", why, (int)(a->backoff_ms / 1000));
    }
    reconnect_later(a, now);
}

/* A data set of size bytes is over max_data: nothing of it is requested or
 * kept, and no trial of the sweep is taken; retried with the back-off (the
 * coordinator may be restarted with another sweep). */
static void refuse_size(agent_t *a, int64_t now, const char *sweep, uint64_t size)
{
    char shown[32], cap[32];
    give_up(a, now, BAD_SIZE,
            "sweep '%s': the sweep's data set is %" PRIu64 " bytes (%s), over --max-data %" PRIu64
            " (%s): raise --max-data; this worker takes none of its trials",
            sweep, size, lrs_bytesize_show(size, shown, sizeof shown), a->max_data,
            lrs_bytesize_show(a->max_data, cap, sizeof cap));
}

/* The sweep is known (and its data at hand): start or resume work. */
static void start_session(agent_t *a, lrs_msg_t *w, int64_t now)
{
    if (!a->ctx || lrs_sweep_ctx_token(a->ctx) != w->sweep) {
        lrs_err_t why;
        lrs_sweep_ctx_t *c = lrs_sweep_ctx_new(w, w->data_hash[0] ? a->data_bytes : NULL, a->data_len,
                                       a->opts.workdir_base, a->opts.allow_commands, &why);
        if (!c) {
            give_up(a, now, BAD_SWEEP, "cannot run sweep '%s': %s", w->sweep_name, why.msg);
            return;
        }
        lrs_sweep_ctx_unref(a->ctx);
        a->ctx = c;
        lrs_pool_keep_only(a->pool, lrs_sweep_ctx_token(c));   /* older results can never be ACKed */
        alog(a, "joined sweep '%s' at %s", w->sweep_name, a->opts.endpoint);
        if (!a->opts.serve) {
            a->pinned = w->sweep;
            snprintf(a->pinned_name, sizeof a->pinned_name, "%s", w->sweep_name);
        }
        if (!lrs_sweep_ctx_may_run(c))
            alog(a, "sweep '%s' runs a command on its workers; this worker was started without "
                    "--allow-commands, so it takes none of its trials", w->sweep_name);
    } else {
        alog(a, "rejoined sweep '%s' at %s", w->sweep_name, a->opts.endpoint);
    }
    a->heartbeat_ms = w->heartbeat_ms;
    a->liveness = w->liveness;
    lrs_timer_arm(&a->timers, a->liveness_timer, now + (int64_t)a->heartbeat_ms * a->liveness + 1);
    a->session = 3;
    a->backoff_ms = LRS_RECONNECT_MIN_MS;
    a->requested = 0;
    a->said = 0;
}

static void welcome_with_spec(agent_t *a, lrs_msg_t *m, int64_t now);

/* Keeps the WELCOME m (taken over) until what frame asks for arrives, and
 * waits in session state (4: the spec, 2: the data set). */
static void wait_for(agent_t *a, lrs_msg_t *m, int state)
{
    lrs_msg_free(&a->pending_welcome);
    a->pending_welcome = *m;
    memset(m, 0, sizeof *m);
    if (state == 4)
        lrs_proto_spec_req(&a->out, a->pending_welcome.spec_hash);
    else
        lrs_proto_data_req(&a->out, a->pending_welcome.data_hash);
    send_out(a);
    a->session = state;
}

/* The WELCOME names the spec by hash: the cached one, or asked for once. */
static void on_welcome(agent_t *a, lrs_msg_t *m, int64_t now)
{
    if (a->pinned && m->sweep != a->pinned) {   /* a coordinator that ignored the pinned HELLO */
        give_up(a, now, BAD_PINNED, "the coordinator at %s runs sweep '%s'; this worker is pinned "
                "to sweep '%s' and waits for it (--serve follows any sweep)", a->opts.endpoint,
                m->sweep_name, a->pinned_name);
        return;
    }
    a->contact = now;
    if (m->data_hash[0] && m->data_size > a->max_data) {   /* before asking for any of it */
        refuse_size(a, now, m->sweep_name, m->data_size);
        return;
    }
    if (a->spec_text && strcmp(m->spec_hash, a->spec_hash) == 0) {
        free(m->spec_text);
        if (!(m->spec_text = strdup(a->spec_text))) {
            give_up(a, now, BAD_SWEEP, "out of memory for the spec");
            return;
        }
        m->spec_len = strlen(m->spec_text);
        welcome_with_spec(a, m, now);
        return;
    }
    wait_for(a, m, 4);
}

/* The spec the WELCOME named: of its announced size, with its hash. */
static void on_spec(agent_t *a, lrs_msg_t *m, int64_t now)
{
    lrs_msg_t *w = &a->pending_welcome;
    if (a->session != 4 || strcmp(m->spec_hash, w->spec_hash) != 0) {
        give_up(a, now, BAD_KIND, "the coordinator sent a spec this worker did not ask for");
        return;
    }
    char hash[17];
    lrs_proto_content_hash(m->spec_text, m->spec_len, hash);
    if (m->spec_len != w->spec_size || strcmp(hash, w->spec_hash) != 0) {
        give_up(a, now, BAD_HASH, "sweep '%s': the spec arrived with %zu bytes and hash %s, "
                "%" PRIu64 " and %s announced", w->sweep_name, m->spec_len, hash, w->spec_size,
                w->spec_hash);
        return;
    }
    free(a->spec_text);
    a->spec_text = strdup(m->spec_text);
    snprintf(a->spec_hash, sizeof a->spec_hash, "%s", a->spec_text ? hash : "");
    lrs_msg_t welcome = *w;   /* the rest may keep it again, or give up (which frees it) */
    memset(w, 0, sizeof *w);
    welcome.spec_text = m->spec_text;
    welcome.spec_len = m->spec_len;
    m->spec_text = NULL;
    welcome_with_spec(a, &welcome, now);
    lrs_msg_free(&welcome);
}

/* A WELCOME whose spec is at hand: fetch the data set, or start. */
static void welcome_with_spec(agent_t *a, lrs_msg_t *m, int64_t now)
{
    if (m->data_hash[0] && strcmp(m->data_hash, a->data_hash) != 0 &&
        !(a->ctx && lrs_sweep_ctx_token(a->ctx) == m->sweep)) {
        wait_for(a, m, 2);
        a->drops_at_request = lrs_handshake_drops(a->handshake);
        return;
    }
    start_session(a, m, now);
}

/* The data set the WELCOME named: of its announced size, within max_data,
 * with its content hash. */
static void on_data(agent_t *a, lrs_msg_t *m, int64_t now)
{
    lrs_msg_t *w = &a->pending_welcome;
    if (a->session != 2 || strcmp(m->data_hash, w->data_hash) != 0) {
        give_up(a, now, BAD_KIND, "the coordinator sent a data set this worker did not ask for");
        return;
    }
    if (m->data_len > a->max_data) {
        refuse_size(a, now, w->sweep_name, m->data_len);
        return;
    }
    if (m->data_len != w->data_size) {
        give_up(a, now, BAD_DATA, "sweep '%s': the data set arrived with %zu bytes, %" PRIu64
                " announced", w->sweep_name, m->data_len, w->data_size);
        return;
    }
    char hash[17];
    lrs_proto_content_hash(m->data, m->data_len, hash);
    if (strcmp(hash, w->data_hash) != 0) {
        give_up(a, now, BAD_HASH, "sweep '%s': the data set arrived corrupted (hash %s, expected %s)",
                w->sweep_name, hash, w->data_hash);
        return;
    }
    free(a->data_bytes);
    a->data_bytes = m->data;
    a->data_len = m->data_len;
    m->data = NULL;
    snprintf(a->data_hash, sizeof a->data_hash, "%s", hash);
    lrs_msg_t welcome = *w;   /* start_session may give up, which frees the pending WELCOME */
    memset(w, 0, sizeof *w);
    start_session(a, &welcome, now);
    lrs_msg_free(&welcome);
}

/* While the data set was on its way the connection dropped — a frame over
 * the socket's cap is cut so, and ZeroMQ's own reconnect would leave this
 * worker waiting for it for ever: start over. */
static void data_lost(agent_t *a, int64_t now)
{
    give_up(a, now, BAD_LOST, "sweep '%s': the connection dropped while the data set was on its "
            "way (ZeroMQ drops frames over %" PRId64 " bytes, from --max-data)",
            a->pending_welcome.sweep_name, frame_cap(a));
}

/* Leased trials: of the sweep at work, at most the credit asked for and not
 * yet received; the rest are dropped (their leases expire on the
 * coordinator).  -1 without memory. */
static int on_trials(agent_t *a, lrs_msg_t *m, int64_t now)
{
    if (a->session != 3 || m->sweep != lrs_sweep_ctx_token(a->ctx)) {
        give_up(a, now, BAD_KIND, "the coordinator sent trials %s",
                a->session != 3 ? "before this worker joined the sweep"
                                : "of a sweep this worker did not join");
        return 0;
    }
    int take = m->n_trials < a->requested ? m->n_trials : a->requested;
    if (take < m->n_trials && !(a->said & BAD_EXTRA)) {
        a->said |= BAD_EXTRA;
        alog(a, "the coordinator sent %d trials beyond the %d this worker asked for; dropping "
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
        give_up(a, now, BAD_PINNED, "the coordinator at %s ended another sweep (%s); this worker "
                "is pinned to sweep '%s' and waits for it (--serve follows any sweep)",
                a->opts.endpoint, m->reason, a->pinned_name);
        return 0;
    }
    if (!m->ended) {
        alog(a, "the coordinator stops: %s; keeping %d unacknowledged result(s), reconnecting",
             m->reason, lrs_pool_unacked(a->pool));
        a->backoff_ms = LRS_RECONNECT_MIN_MS;
        reconnect_later(a, now);
        return 0;
    }
    if (a->opts.serve) {
        alog(a, "%s; waiting for the next sweep (--serve)", m->reason);
        a->backoff_ms = LRS_RECONNECT_MIN_MS;
        reconnect_later(a, now);
        return 0;
    }
    alog(a, "%s; exiting", m->reason);
    return 1;
}

/* REJECT: say HELLO again, retry later, log, or give up (another protocol: 2). */
static int on_reject(agent_t *a, const lrs_msg_t *m, int64_t now, lrs_err_t *err)
{
    switch (m->code) {
    case LRS_REJECT_HELLO:   /* it forgot us (e.g. restarted): say HELLO again */
        if (now - a->last_hello < 1000)
            return 0;
        alog(a, "the coordinator at %s no longer knew this worker (restarted?); joining again",
             a->opts.endpoint);
        lose_leases(a);
        disconnect(a);
        return connect_now(a, now, err);
    case LRS_REJECT_REFUSED:
        give_up(a, now, BAD_REFUSED, "the coordinator refused this worker: %s", m->reason);
        return 0;
    case LRS_REJECT_VERSION:
        alog(a, "%s", m->reason);
        return 2;
    default:
        if (a->opts.verbose)
            alog(a, "the coordinator refused a message: %s", m->reason);
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
        uint64_t version;
        char said[512];
        if (lrs_proto_foreign(data, len, &version, said, sizeof said)) {
            char skew[512];
            lrs_proto_version_skew(version, "worker", "coordinator", skew, sizeof skew);
            alog(a, "%s%s%s", skew, said[0] ? "; the coordinator says: " : "", said);
            return 2;
        }
        give_up(a, now, BAD_FRAME, "a malformed message from the coordinator: %s", why.msg);
        return 0;
    }
    a->coord_seen = now;
    if (a->session >= 2)   /* joined, or joining, this worker's sweep */
        a->contact = now;
    int rc = 0;
    switch (m.type) {
    case LRS_MSG_WELCOME:
        on_welcome(a, &m, now);
        break;
    case LRS_MSG_DATA:
        on_data(a, &m, now);
        break;
    case LRS_MSG_SPEC:
        on_spec(a, &m, now);
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
    default:   /* a worker's message (HELLO, READY, RESULTS, ...) sent to a worker */
        give_up(a, now, BAD_KIND, "the coordinator sent a %s message, which only workers send",
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
    if (!(a->pool = lrs_pool_new(a->opts.jobs, a->progress, err)))
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
    if (now - a->last_sent >= a->heartbeat_ms) {
        lrs_proto_heartbeat(&a->out);
        send_out(a);
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
        alog(a, "no word from %s for %d s; reconnecting in %" PRId64 " s", a->opts.endpoint,
             (int)(silent / 1000), a->backoff_ms / 1000);
    reconnect_later(a, now);
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
    alog(a, "no contact with the coordinator of %s%s%s for %g s (--idle-timeout); exiting",
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
        zmq_pollitem_t items[3] = {
            {.fd = lrs_pool_wake_fd(a->pool), .events = ZMQ_POLLIN},
            {.socket = a->sock, .events = ZMQ_POLLIN},
            {.socket = a->handshake ? lrs_handshake_socket(a->handshake) : NULL,
             .events = ZMQ_POLLIN}};
        int n = zmq_poll(items, a->sock ? 3 : 1, timeout);
        if (n < 0 && errno != EINTR)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq_poll: %s", zmq_strerror(errno));
        const char *failed = a->handshake ? lrs_handshake_read(a->handshake) : NULL;
        if (failed)
            alog(a, "%s", failed);
        if (a->session == 2 && lrs_handshake_drops(a->handshake) != a->drops_at_request)
            data_lost(a, lrs_mono_ms());
        char junk[256];
        while (read(lrs_pool_wake_fd(a->pool), junk, sizeof junk) > 0)
            ;
        now = lrs_mono_ms();
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
    free(a);
    return rc;
}