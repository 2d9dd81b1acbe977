/* agent_join.c — joining a sweep, the part of the worker's I/O thread
 * (worker/agent_in.h) between HELLO and work: the WELCOME names the spec and
 * the data set by hash, each cached one is reused and each other one asked
 * for once and checked (announced size, content hash, --max-data), then the
 * sweep context is built and the session starts.  The data set comes as its
 * binary form (common/data_blob.h) in chunks: a window of DATA_WINDOW asked
 * for at first, topped up as chunks arrive so a few are always in flight
 * (the coordinator's flow control: it sends only what was asked for), each
 * hashed as it lands, so the end costs one comparison and neither side's
 * loop stops for the transfer.  A transfer cut by a reconnect or a
 * coordinator restart resumes where it stopped when the WELCOME names the
 * same hash and size; one whose hash does not match starts over. */
#include "worker/agent_in.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytesize.h"
#include "common/fnv.h"
#include "common/spec.h"

/* A data set of size bytes is over max_data: nothing of it is requested or
 * kept, and no trial of the sweep is taken; retried with the back-off (the
 * coordinator may be restarted with another sweep). */
#define DATA_WINDOW 4   /* chunks asked for at the start, and kept in flight */

/* Asks for n chunks of the pending data set from offset on. */
static void data_ask(agent_t *a, uint64_t offset, int n, int64_t now)
{
    lrs_proto_data_req(&a->out, a->pending_welcome.data_hash, offset, n);
    lrs_agent_send(a);
    uint64_t end = offset + (uint64_t)n * LRS_PROTO_DATA_CHUNK;
    a->data_asked = end < a->data_len ? end : a->data_len;
    a->data_at = now;
}

/* The buffer for the data set w names: the one under way when hash and
 * size match (resumed at data_got), else a new one.  0, or -1 out of
 * memory. */
static int data_begin(agent_t *a, const lrs_msg_t *w)
{
    if (a->data_bytes && strcmp(a->data_hash, w->data_hash) == 0 && a->data_len == w->data_size)
        return 0;
    free(a->data_bytes);
    a->data_bytes = malloc(w->data_size ? (size_t)w->data_size : 1);
    a->data_len = a->data_bytes ? (size_t)w->data_size : 0;
    a->data_got = 0;
    lrs_fnv64w_init(&a->data_fnv);
    a->data_done = 0;
    snprintf(a->data_hash, sizeof a->data_hash, "%s", a->data_bytes ? w->data_hash : "");
    return a->data_bytes ? 0 : -1;
}

static void refuse_size(agent_t *a, int64_t now, const char *sweep, uint64_t size)
{
    char shown[32], cap[32];
    lrs_agent_give_up(a, now, BAD_SIZE,
            "sweep '%s': the sweep's data set is %" PRIu64 " bytes (%s), over --max-data %" PRIu64
            " (%s): raise --max-data; this worker takes none of its trials",
            sweep, size, lrs_bytesize_show(size, shown, sizeof shown), a->max_data,
            lrs_bytesize_show(a->max_data, cap, sizeof cap));
}

/* The context c of sweep w is built: it becomes the agent's. */
static void install_ctx(agent_t *a, lrs_sweep_ctx_t *c, const lrs_msg_t *w)
{
    lrs_sweep_ctx_unref(a->ctx);
    a->ctx = c;
    lrs_pool_keep_only(a->pool, lrs_sweep_ctx_token(c));   /* older results can never be ACKed */
    if (!a->opts.quiet)
        lrs_agent_log(a, "joined sweep '%s' at %s", w->sweep_name, a->opts.endpoint);
    if (!a->opts.serve) {
        a->pinned = w->sweep;
        snprintf(a->pinned_name, sizeof a->pinned_name, "%s", w->sweep_name);
    }
    if (!lrs_sweep_ctx_may_run(c))
        lrs_agent_log(a, "sweep '%s' runs a command on its workers; this worker was started without "
                "--allow-commands, so it takes none of its trials", w->sweep_name);
}

/* The session of sweep w starts, its context at hand. */
static void session_ready(agent_t *a, const lrs_msg_t *w, int64_t now)
{
    a->heartbeat_ms = w->heartbeat_ms;
    a->liveness = w->liveness;
    lrs_timer_arm(&a->timers, a->liveness_timer, now + (int64_t)a->heartbeat_ms * a->liveness + 1);
    a->session = 3;
    a->backoff_ms = LRS_RECONNECT_MIN_MS;
    a->requested = 0;
    a->said = 0;
}

/* A context build that is over (block: wait for it) hands its context to
 * the agent — even when the session it was for has gone, so a WELCOME of
 * the same sweep rejoins at once — and starts the session that waits for
 * it (state 5). */
static void build_end(agent_t *a, int64_t now, int block)
{
    if (!a->build || !lrs_ctx_build_ready(a->build, block))
        return;
    lrs_msg_t w;
    lrs_err_t why;
    lrs_sweep_ctx_t *c = lrs_ctx_build_finish(&a->build, &w, &why);
    int waiting = a->session == 5;
    if (!c && waiting)
        lrs_agent_give_up(a, now, BAD_SWEEP, "cannot run sweep '%s': %s", w.sweep_name, why.msg);
    if (c)
        install_ctx(a, c, &w);
    if (c && waiting)
        session_ready(a, &w, now);
    lrs_msg_free(&w);
}

void lrs_agent_build_poll(agent_t *a, int64_t now) { build_end(a, now, 0); }

int lrs_agent_build_fd(const agent_t *a) { return a->build ? lrs_ctx_build_fd(a->build) : -1; }

void lrs_agent_build_drop(agent_t *a)
{
    if (!a->build)
        return;
    lrs_msg_t w;
    lrs_err_t why;
    lrs_sweep_ctx_unref(lrs_ctx_build_finish(&a->build, &w, &why));
    lrs_msg_free(&w);
}

/* The sweep is known (and its data at hand): resume work, or build its
 * context off this thread (decoding and checking the data set may take a
 * while) and start when it is ready.  Takes w over when it builds. */
static void start_session(agent_t *a, lrs_msg_t *w, int64_t now)
{
    build_end(a, now, 1);   /* one under way ends first: it may be this sweep's */
    if (a->ctx && lrs_sweep_ctx_token(a->ctx) == w->sweep) {
        if (!a->opts.quiet)
            lrs_agent_log(a, "rejoined sweep '%s' at %s", w->sweep_name, a->opts.endpoint);
        session_ready(a, w, now);
        return;
    }
    void *data = w->data_hash[0] ? a->data_bytes : NULL;
    lrs_err_t why;
    char name[128];
    snprintf(name, sizeof name, "%s", w->sweep_name);
    if (!(a->build = lrs_ctx_build_start(w, data, a->data_len, a->opts.workdir_base,
                                         a->opts.allow_commands, &why))) {
        lrs_agent_give_up(a, now, BAD_SWEEP, "cannot run sweep '%s': %s", name, why.msg);
        return;
    }
    if (data) {   /* the context's data set now owns it: one copy per worker process */
        a->data_bytes = NULL;
        a->data_len = a->data_got = 0;
        a->data_hash[0] = '\0';
        a->data_done = 0;
    }
    a->session = 5;
}

static void welcome_with_spec(agent_t *a, lrs_msg_t *m, int64_t now);

/* Keeps the WELCOME m (taken over) until what frame asks for arrives, and
 * waits in session state (4: the spec, 2: the data set, from data_got on). */
static void wait_for(agent_t *a, lrs_msg_t *m, int state, int64_t now)
{
    lrs_msg_free(&a->pending_welcome);
    a->pending_welcome = *m;
    memset(m, 0, sizeof *m);
    a->session = state;
    if (state == 2) {
        data_ask(a, a->data_got, DATA_WINDOW, now);
        return;
    }
    lrs_proto_spec_req(&a->out, a->pending_welcome.spec_hash);
    lrs_agent_send(a);
}

/* The WELCOME names the spec by hash: the cached one, or asked for once. */
void lrs_agent_on_welcome(agent_t *a, lrs_msg_t *m, int64_t now)
{
    if (a->pinned && m->sweep != a->pinned) {   /* a coordinator that ignored the pinned HELLO */
        lrs_agent_give_up(a, now, BAD_PINNED, "the coordinator at %s runs sweep '%s'; this worker is pinned "
                "to sweep '%s' and waits for it (--serve follows any sweep)", a->opts.endpoint,
                m->sweep_name, a->pinned_name);
        return;
    }
    a->contact = now;
    a->heartbeat_ms = m->heartbeat_ms;   /* the coordinator's beat, while its data set arrives too */
    a->liveness = m->liveness;
    if (m->data_hash[0] && m->data_size > a->max_data) {   /* before asking for any of it */
        refuse_size(a, now, m->sweep_name, m->data_size);
        return;
    }
    if (a->spec_text && strcmp(m->spec_hash, a->spec_hash) == 0) {
        free(m->spec_text);
        if (!(m->spec_text = strdup(a->spec_text))) {
            lrs_agent_give_up(a, now, BAD_SWEEP, "out of memory for the spec");
            return;
        }
        m->spec_len = strlen(m->spec_text);
        welcome_with_spec(a, m, now);
        return;
    }
    wait_for(a, m, 4, now);
}

/* The spec the WELCOME named: of its announced size, with its hash. */
void lrs_agent_on_spec(agent_t *a, lrs_msg_t *m, int64_t now)
{
    lrs_msg_t *w = &a->pending_welcome;
    if (a->session != 4 || strcmp(m->spec_hash, w->spec_hash) != 0) {
        lrs_agent_give_up(a, now, BAD_KIND, "the coordinator sent a spec this worker did not ask for");
        return;
    }
    char hash[17];
    lrs_proto_content_hash(m->spec_text, m->spec_len, hash);
    if (m->spec_len != w->spec_size || strcmp(hash, w->spec_hash) != 0) {
        lrs_agent_give_up(a, now, BAD_HASH, "sweep '%s': the spec arrived with %zu bytes and hash %s, "
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
    if (m->data_hash[0] && !(a->data_done && strcmp(m->data_hash, a->data_hash) == 0) &&
        !(a->ctx && lrs_sweep_ctx_token(a->ctx) == m->sweep)) {
        if (data_begin(a, m) != 0) {
            lrs_agent_give_up(a, now, BAD_SWEEP, "sweep '%s': out of memory for its data set (%" PRIu64
                              " bytes)", m->sweep_name, m->data_size);
            return;
        }
        if (a->data_got > 0 && !a->opts.quiet)
            lrs_agent_log(a, "sweep '%s': resuming its data set at %zu of %zu bytes", m->sweep_name,
                          a->data_got, a->data_len);
        a->drops_at_request = lrs_handshake_drops(a->handshake);
        wait_for(a, m, 2, now);
        return;
    }
    start_session(a, m, now);
}

/* A chunk of the data set the WELCOME named: of its announced total, at the
 * offset expected next (one past a gap asks again from there; one already
 * had is ignored), hashed as it lands; the last one checks the content hash
 * and starts the session. */
void lrs_agent_on_data(agent_t *a, lrs_msg_t *m, int64_t now)
{
    lrs_msg_t *w = &a->pending_welcome;
    if (a->session != 2 || strcmp(m->data_hash, w->data_hash) != 0) {
        lrs_agent_give_up(a, now, BAD_KIND, "the coordinator sent a data set this worker did not ask for");
        return;
    }
    if (m->data_size != w->data_size || m->data_size != a->data_len) {
        lrs_agent_give_up(a, now, BAD_DATA, "sweep '%s': the data set arrived as %" PRIu64 " bytes, %" PRIu64
                " announced", w->sweep_name, m->data_size, w->data_size);
        return;
    }
    if (m->data_offset != a->data_got || m->data_len == 0) {
        if (m->data_offset > a->data_got && now - a->data_at >= a->heartbeat_ms)
            data_ask(a, a->data_got, DATA_WINDOW, now);   /* chunks were lost: again from there */
        return;
    }
    memcpy(a->data_bytes + a->data_got, m->data, m->data_len);
    lrs_fnv64w_update(&a->data_fnv, m->data, m->data_len);
    a->data_got += m->data_len;
    a->data_at = now;
    if (a->data_got < a->data_len) {
        if (a->data_asked < a->data_len && a->data_asked - a->data_got <= 2 * LRS_PROTO_DATA_CHUNK)
            data_ask(a, a->data_asked, DATA_WINDOW / 2, now);
        return;
    }
    char hash[17];
    lrs_fnv64_hex(lrs_fnv64w_final(&a->data_fnv), hash);
    if (strcmp(hash, w->data_hash) != 0) {
        a->data_hash[0] = '\0';   /* fetched again from the start */
        lrs_agent_give_up(a, now, BAD_HASH, "sweep '%s': the data set arrived corrupted (hash %s, expected %s)",
                w->sweep_name, hash, w->data_hash);
        return;
    }
    a->data_done = 1;
    lrs_msg_t welcome = *w;   /* start_session may give up, which frees the pending WELCOME */
    memset(w, 0, sizeof *w);
    start_session(a, &welcome, now);
    lrs_msg_free(&welcome);
}

/* Chunks asked for that never came (a frame the coordinator could not
 * queue): after two heartbeat intervals without one, ask again from the
 * first missing byte. */
void lrs_agent_data_stalled(agent_t *a, int64_t now)
{
    if (a->session == 2 && now - a->data_at >= 2 * (int64_t)a->heartbeat_ms)
        data_ask(a, a->data_got, DATA_WINDOW, now);
}

/* While the data set was on its way the connection dropped — a frame over
 * the socket's cap is cut so, and ZeroMQ's own reconnect would leave this
 * worker waiting for it for ever: join again, and resume the data set. */
void lrs_agent_data_lost(agent_t *a, int64_t now)
{
    lrs_agent_give_up(a, now, BAD_LOST, "sweep '%s': the connection dropped while the data set was on its "
            "way (ZeroMQ drops frames over %" PRId64 " bytes); resuming at %zu of %zu bytes",
            a->pending_welcome.sweep_name, lrs_agent_frame_cap(a), a->data_got, a->data_len);
}

