/* listen.h — the coordinator's socket: a ROUTER with bounded queues and
 * message sizes, bound to each endpoint, and — with a key — in CURVE server
 * mode with a ZAP handler that lets in only the workers whose public keys
 * are on the allow list.
 *
 * With CURVE every connection is encrypted and authenticated; each message
 * then carries its sender's public key (Z85) as its "User-Id" property, so
 * the broker can bind a worker to its key whatever routing id it sends.
 * The ZAP handler is a REP socket on inproc://zeromq.zap.01 in the same
 * context, served from the broker's own loop (lrs_listen_serve_zap), not a
 * thread: the allow list changes only between two polls.  Refusals are
 * counted and logged once per key (bounded, however many keys knock).
 */
#ifndef LRS_LISTEN_H
#define LRS_LISTEN_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/keys.h"

typedef struct lrs_listen lrs_listen_t;

typedef struct lrs_listen_opts {
    const char *const *binds;      /* n_binds endpoints */
    int n_binds;
    int64_t max_msg;               /* ZMQ_MAXMSGSIZE of inbound frames */
    int hwm;                       /* send and receive high-water marks */
    const lrs_keypair_t *key;      /* the coordinator's key; NULL: no CURVE */
    /* with key: the accepted worker keys are those of allow_path (a file or
     * a folder of .pub files, keys.h) plus extra_key (may be NULL) */
    const char *allow_path;
    const char *extra_key;
    /* one log line (no newline); may be NULL */
    void (*say)(void *ctx, const char *line);
    void *say_ctx;
} lrs_listen_opts_t;

/* A context, the ROUTER bound to every endpoint, and with a key the allow
 * list read and the ZAP handler (bound before the endpoints, so no
 * connection escapes it).  NULL with err (code 2: an allow list that does
 * not load; code 1: a bind or socket failure, naming the endpoint). */
lrs_listen_t *lrs_listen_new(const lrs_listen_opts_t *opts, lrs_err_t *err);

/* Closes the sockets and terminates the context.  Takes NULL; clears *l. */
void lrs_listen_destroy(lrs_listen_t **l);

/* The ROUTER socket; the ZAP socket, or NULL without CURVE (both to poll). */
void *lrs_listen_router(const lrs_listen_t *l);
void *lrs_listen_zap(const lrs_listen_t *l);

/* Answers every ZAP request waiting, without blocking: 200 with the key as
 * user id when the mechanism is CURVE and the key is allowed, 400 else. */
void lrs_listen_serve_zap(lrs_listen_t *l);

/* Reads the allow list again (SIGHUP).  Connections already made stay: the
 * broker drops messages whose key is no longer allowed (lrs_listen_allows).
 * A list that does not load keeps the old one: -1 with err; else 0. */
int lrs_listen_reload(lrs_listen_t *l, lrs_err_t *err);

/* Keys on the allow list. */
size_t lrs_listen_allowed(const lrs_listen_t *l);

/* 1 when a message whose User-Id is user_id may be handled: always without
 * CURVE; with it, when user_id is on the allow list. */
int lrs_listen_allows(const lrs_listen_t *l, const char *user_id);

/* Connections the ZAP handler refused. */
uint64_t lrs_listen_refused(const lrs_listen_t *l);

#endif
