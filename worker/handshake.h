/* handshake.h — the worker's side of CURVE: the socket options that make a
 * DEALER a CURVE client of one coordinator, and a socket monitor that turns
 * a failed handshake into a line an operator can act on ("the coordinator
 * refused this worker's key", "the coordinator does not hold the expected
 * server key", "the coordinator requires keys").  ZeroMQ itself keeps
 * reconnecting; the agent logs each distinct failure once until a
 * handshake succeeds again.  The monitor also counts lost connections, for
 * the agent to notice a frame that ZeroMQ dropped on the way. */
#ifndef LRS_HANDSHAKE_H
#define LRS_HANDSHAKE_H

#include "common/err.h"
#include "common/keys.h"

typedef struct lrs_handshake lrs_handshake_t;

/* Makes sock a CURVE client with key, expecting the coordinator's public
 * key server_key (Z85); nothing when key is NULL.  Call before connect.
 * 0, or -1 with err. */
int lrs_handshake_client(void *sock, const lrs_keypair_t *key, const char *server_key,
                         lrs_err_t *err);

/* A monitor of sock's handshakes (in zctx; id makes its inproc name
 * unique).  NULL with err.  key_z85 (may be NULL) names this worker's key
 * in messages; endpoint the coordinator. */
lrs_handshake_t *lrs_handshake_watch(void *zctx, void *sock, const char *id, const char *key_z85,
                                     const char *endpoint, lrs_err_t *err);

/* The monitor's socket, to poll for input. */
void *lrs_handshake_socket(const lrs_handshake_t *h);

/* Reads the events waiting; returns a line to log (valid until the next
 * call) for the first failure of its kind since the last success, or NULL. */
const char *lrs_handshake_read(lrs_handshake_t *h);

/* How many times the connection was lost (ZeroMQ reconnects by itself)
 * since the watch began, counted by lrs_handshake_read: a frame over the
 * socket's ZMQ_MAXMSGSIZE is one such loss, and the frame is gone. */
int lrs_handshake_drops(const lrs_handshake_t *h);

/* Stops the monitor and closes its socket (before sock is closed).  Takes
 * NULL; clears *h. */
void lrs_handshake_destroy(lrs_handshake_t **h, void *sock);

#endif
