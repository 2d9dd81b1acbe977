/* agent_join.c — joining a sweep, the part of the worker's I/O thread
 * (worker/agent_in.h) between HELLO and work: the WELCOME names the spec and
 * the data set by hash, each cached one is reused and each other one asked
 * for once and checked (announced size, content hash, --max-data), then the
 * sweep context is built and the session starts. */
#include "worker/agent_in.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/bytesize.h"
#include "common/spec.h"

/* A data set of size bytes is over max_data: nothing of it is requested or
 * kept, and no trial of the sweep is taken; retried with the back-off (the
 * coordinator may be restarted with another sweep). */
static void refuse_size(agent_t *a, int64_t now, const char *sweep, uint64_t size)
{
    char shown[32], cap[32];
    lrs_agent_give_up(a, now, BAD_SIZE,
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
            lrs_agent_give_up(a, now, BAD_SWEEP, "cannot run sweep '%s': %s", w->sweep_name, why.msg);
            return;
        }
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
    } else if (!a->opts.quiet) {
        lrs_agent_log(a, "rejoined sweep '%s' at %s", w->sweep_name, a->opts.endpoint);
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
    lrs_agent_send(a);
    a->session = state;
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
    wait_for(a, m, 4);
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
void lrs_agent_on_data(agent_t *a, lrs_msg_t *m, int64_t now)
{
    lrs_msg_t *w = &a->pending_welcome;
    if (a->session != 2 || strcmp(m->data_hash, w->data_hash) != 0) {
        lrs_agent_give_up(a, now, BAD_KIND, "the coordinator sent a data set this worker did not ask for");
        return;
    }
    if (m->data_len > a->max_data) {
        refuse_size(a, now, w->sweep_name, m->data_len);
        return;
    }
    if (m->data_len != w->data_size) {
        lrs_agent_give_up(a, now, BAD_DATA, "sweep '%s': the data set arrived with %zu bytes, %" PRIu64
                " announced", w->sweep_name, m->data_len, w->data_size);
        return;
    }
    char hash[17];
    lrs_proto_content_hash(m->data, m->data_len, hash);
    if (strcmp(hash, w->data_hash) != 0) {
        lrs_agent_give_up(a, now, BAD_HASH, "sweep '%s': the data set arrived corrupted (hash %s, expected %s)",
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
void lrs_agent_data_lost(agent_t *a, int64_t now)
{
    lrs_agent_give_up(a, now, BAD_LOST, "sweep '%s': the connection dropped while the data set was on its "
            "way (ZeroMQ drops frames over %" PRId64 " bytes, from --max-data)",
            a->pending_welcome.sweep_name, lrs_agent_frame_cap(a));
}

