/* agent_in.h — what the two halves of a worker's I/O thread share: the
 * agent's state, and the calls between worker/agent.c (the session, the
 * loop, what leaves on the socket) and worker/agent_join.c (joining a
 * sweep: WELCOME, its spec and data set, the sweep context). */
#ifndef LRS_AGENT_IN_H
#define LRS_AGENT_IN_H

#include <stddef.h>
#include <stdint.h>

#include "common/fnv.h"
#include "common/log.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/timer.h"
#include "worker/agent_opts.h"
#include "worker/ctx_build.h"
#include "worker/handshake.h"
#include "worker/pool.h"
#include "worker/progress.h"
#include "worker/sweep_ctx.h"

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
                                    4 waiting for the spec, 5 building the sweep context */
    lrs_ctx_build_t *build;      /* a sweep context being built off this thread, or NULL */
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
    /* The data set's binary form, by hash, arriving in chunks — kept across
     * reconnects, so a transfer resumes at data_got under the same hash and
     * size; once complete (data_done) it is handed to the sweep context,
     * whose data set reads its values in place. */
    uint8_t *data_bytes;
    size_t data_len, data_got;
    char data_hash[17];
    int data_done;
    lrs_fnv64w_t data_fnv;       /* the hash of data_bytes[0..data_got) */
    uint64_t data_asked;         /* chunks asked for up to this offset */
    int64_t data_at;             /* when the last chunk arrived (or was asked for) */
    int said;                    /* BAD_* kinds logged since the last sweep joined */
    uint64_t max_data;           /* opts.max_data, the default filled in */
    int drops_at_request;        /* lost connections counted when DATA_REQ left */
    lrs_wbuf_t out;
    lrs_log_t log;
};

/* A log line of the worker (escaped: names and reasons come from others). */
void lrs_agent_log(agent_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Sends a->out on the socket (dropped when it cannot be queued). */
void lrs_agent_send(agent_t *a);

/* The session is over: leases are gone; reconnect after the back-off. */
void lrs_agent_reconnect_later(agent_t *a, int64_t now);

/* What the coordinator sent cannot be worked with: says why (once per kind
 * since a sweep was last joined) and drops the session. */
void lrs_agent_give_up(agent_t *a, int64_t now, int kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* The largest frame this worker takes. */
int64_t lrs_agent_frame_cap(const agent_t *a);

/* ---- joining a sweep (worker/agent_join.c) ---- */

/* WELCOME, SPEC, DATA of the session; data_lost: the connection dropped
 * while the data set was on its way; data_stalled: called on every
 * heartbeat tick, asks again for chunks that never came. */
void lrs_agent_on_welcome(agent_t *a, lrs_msg_t *m, int64_t now);
void lrs_agent_on_spec(agent_t *a, lrs_msg_t *m, int64_t now);
void lrs_agent_on_data(agent_t *a, lrs_msg_t *m, int64_t now);
void lrs_agent_data_lost(agent_t *a, int64_t now);
void lrs_agent_data_stalled(agent_t *a, int64_t now);

/* The sweep context built off the I/O thread (worker/ctx_build.h): its
 * descriptor to poll (-1: no build), taking it when it is ready (the
 * session waiting for it starts), and dropping it at exit. */
int lrs_agent_build_fd(const agent_t *a);
void lrs_agent_build_poll(agent_t *a, int64_t now);
void lrs_agent_build_drop(agent_t *a);

#endif
