/* handshake.c — see handshake.h.  libzmq's monitor sends two frames per
 * event: 6 bytes (event id u16, value u32, host order) and the endpoint.
 * What a failure looks like from the client, in libzmq 4.3:
 *   - its key not allowed: the server's ZAP says 400 and sends ERROR, the
 *     client sees HANDSHAKE_FAILED_AUTH with value 400;
 *   - a wrong server key: the server cannot open the client's HELLO and
 *     drops the connection: the client sees DISCONNECTED with no
 *     HANDSHAKE_SUCCEEDED before it (or HANDSHAKE_FAILED_NO_DETAIL);
 *   - one side without CURVE: HANDSHAKE_FAILED_PROTOCOL (mechanism mismatch). */
#include "worker/handshake.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

struct lrs_handshake {
    void *mon;
    char endpoint_inproc[128];
    char key[LRS_KEY_Z85_LEN + 1];
    char coordinator[256];
    int connected, succeeded;   /* since the last connect */
    int failed;                 /* a failure of this connection was seen */
    int said;                   /* kinds already logged since the last success (bits) */
    int drops;                  /* connections lost (ZMQ_EVENT_DISCONNECTED) since the watch began */
    char line[768];
};

int lrs_handshake_client(void *sock, const lrs_keypair_t *key, const char *server_key,
                         lrs_err_t *err)
{
    if (!key)
        return 0;
    if (!zmq_has("curve"))
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "this libzmq was built without CURVE");
    if (zmq_setsockopt(sock, ZMQ_CURVE_SERVERKEY, server_key, LRS_KEY_Z85_LEN) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_PUBLICKEY, key->public_z85, LRS_KEY_Z85_LEN) != 0 ||
        zmq_setsockopt(sock, ZMQ_CURVE_SECRETKEY, key->secret_z85, LRS_KEY_Z85_LEN) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot enable CURVE: %s",
                           zmq_strerror(zmq_errno()));
    return 0;
}

lrs_handshake_t *lrs_handshake_watch(void *zctx, void *sock, const char *id, const char *key_z85,
                                     const char *endpoint, lrs_err_t *err)
{
    lrs_handshake_t *h = calloc(1, sizeof *h);
    if (!h) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    snprintf(h->endpoint_inproc, sizeof h->endpoint_inproc, "inproc://lrsweep-handshake-%s", id);
    snprintf(h->key, sizeof h->key, "%s", key_z85 ? key_z85 : "");
    snprintf(h->coordinator, sizeof h->coordinator, "%s", endpoint);
    int events = ZMQ_EVENT_CONNECTED | ZMQ_EVENT_DISCONNECTED | ZMQ_EVENT_HANDSHAKE_SUCCEEDED |
                 ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                 ZMQ_EVENT_HANDSHAKE_FAILED_AUTH;
    if (zmq_socket_monitor(sock, h->endpoint_inproc, events) != 0 ||
        !(h->mon = zmq_socket(zctx, ZMQ_PAIR)) || zmq_connect(h->mon, h->endpoint_inproc) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot watch the handshake: %s",
                    zmq_strerror(zmq_errno()));
        lrs_handshake_destroy(&h, sock);
        return NULL;
    }
    return h;
}

void *lrs_handshake_socket(const lrs_handshake_t *h) { return h->mon; }

/* The line for a failure of kind bit, once per kind until a success. */
static const char *once(lrs_handshake_t *h, int bit, const char *fmt, const char *a)
{
    if (h->said & bit)
        return NULL;
    h->said |= bit;
    snprintf(h->line, sizeof h->line, fmt, h->coordinator, a);
    return h->line;
}

const char *lrs_handshake_read(lrs_handshake_t *h)
{
    const char *say = NULL;
    for (int budget = 0; budget < 100; budget++) {
        zmq_msg_t ev, where;
        zmq_msg_init(&ev);
        if (zmq_msg_recv(&ev, h->mon, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&ev);
            break;
        }
        uint16_t event = 0;
        uint32_t value = 0;
        if (zmq_msg_size(&ev) >= 6) {
            memcpy(&event, zmq_msg_data(&ev), 2);
            memcpy(&value, (const char *)zmq_msg_data(&ev) + 2, 4);
        }
        int more = zmq_msg_more(&ev);
        zmq_msg_close(&ev);
        if (more) {
            zmq_msg_init(&where);
            zmq_msg_recv(&where, h->mon, 0);
            zmq_msg_close(&where);
        }
        const char *line = NULL;
        if (event == ZMQ_EVENT_DISCONNECTED)
            h->drops++;
        if (event == ZMQ_EVENT_CONNECTED) {
            h->connected = 1;
            h->succeeded = 0;
            h->failed = 0;
        } else if (event == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) {
            h->succeeded = 1;
            h->said = 0;
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) {
            h->failed = 1;
            line = once(h, 1, "the coordinator at %s refused this worker's key %s: add this "
                              "worker's .pub to its --allow list (then SIGHUP it); retrying",
                        h->key[0] ? h->key : "(none)");
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) {
            h->failed = 1;
            line = once(h, 2, "the handshake with the coordinator at %s failed: %s; retrying",
                        h->key[0] ? "it does not use CURVE, or another protocol version"
                                  : "it requires CURVE keys (give --key and --server-key)");
        } else if (event == ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL ||
                   (event == ZMQ_EVENT_DISCONNECTED && h->connected && !h->succeeded &&
                    !h->failed)) {
            h->connected = 0;
            line = once(h, 4, "the coordinator at %s closed the connection during the "
                              "handshake%s; retrying",
                        h->key[0] ? ": it does not hold the key given as --server-key, or "
                                    "refused this worker"
                                  : "");
        }
        if (line) {   /* one line a call; later events wait for the next */
            say = line;
            break;
        }
    }
    return say;
}

int lrs_handshake_drops(const lrs_handshake_t *h) { return h->drops; }

void lrs_handshake_destroy(lrs_handshake_t **hp, void *sock)
{
    if (!hp || !*hp)
        return;
    lrs_handshake_t *h = *hp;
    if (sock)
        zmq_socket_monitor(sock, NULL, 0);
    if (h->mon)
        zmq_close(h->mon);
    free(h);
    *hp = NULL;
}
