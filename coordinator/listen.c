/* listen.c — see listen.h.  ZAP (ZeroMQ RFC 27): a request is
 * [version "1.0", request id, domain, address, routing id, mechanism,
 * credentials...]; for CURVE the one credential frame is the client's
 * 32-byte public key.  The reply is [version, request id, status code,
 * status text, user id, metadata]. */
#include "coordinator/listen.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zmq.h>

#include "common/textesc.h"
#include "coordinator/peerlog.h"

#define ZAP_ENDPOINT "inproc://zeromq.zap.01"
#define ZAP_MAX_FRAMES 8

struct lrs_listen {
    void *zctx, *router, *zap;
    lrs_allow_t allow;
    const char *allow_path, *extra_key;
    lrs_peerlog_t refusals;      /* counted; logged once per key */
    void (*say)(void *ctx, const char *line);
    void *say_ctx;
};

static void say(lrs_listen_t *l, const char *line)
{
    if (l->say)
        l->say(l->say_ctx, line);
}

lrs_listen_t *lrs_listen_new(const lrs_listen_opts_t *o, lrs_err_t *err)
{
    lrs_listen_t *l = calloc(1, sizeof *l);
    if (!l) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    l->allow_path = o->allow_path;
    l->extra_key = o->extra_key;
    l->say = o->say;
    l->say_ctx = o->say_ctx;
    l->zctx = zmq_ctx_new();
    if (!l->zctx) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot create context");
        goto fail;
    }
    if (o->key && lrs_listen_reload(l, err) != 0)
        goto fail;
    if (o->key) {
        if (!zmq_has("curve")) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "this libzmq was built without CURVE");
            goto fail;
        }
        l->zap = zmq_socket(l->zctx, ZMQ_REP);
        int linger = 0;
        if (!l->zap || zmq_setsockopt(l->zap, ZMQ_LINGER, &linger, sizeof linger) != 0 ||
            zmq_bind(l->zap, ZAP_ENDPOINT) != 0) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot start the ZAP handler: %s",
                        zmq_strerror(errno));
            goto fail;
        }
    }
    l->router = zmq_socket(l->zctx, ZMQ_ROUTER);
    if (!l->router) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: %s", zmq_strerror(errno));
        goto fail;
    }
    int one = 1, linger = 2000;
    zmq_setsockopt(l->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(l->router, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    zmq_setsockopt(l->router, ZMQ_MAXMSGSIZE, &o->max_msg, sizeof o->max_msg);
    zmq_setsockopt(l->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(l->router, ZMQ_SNDHWM, &o->hwm, sizeof o->hwm);
    zmq_setsockopt(l->router, ZMQ_RCVHWM, &o->hwm, sizeof o->hwm);
    if (o->key) {
        if (zmq_setsockopt(l->router, ZMQ_CURVE_SERVER, &one, sizeof one) != 0 ||
            zmq_setsockopt(l->router, ZMQ_CURVE_SECRETKEY, o->key->secret_z85,
                           LRS_KEY_Z85_LEN) != 0 ||
            zmq_setsockopt(l->router, ZMQ_ZAP_DOMAIN, "lrsweep", 7) != 0) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot enable CURVE: %s",
                        zmq_strerror(errno));
            goto fail;
        }
    }
    for (int i = 0; i < o->n_binds; i++)
        if (zmq_bind(l->router, o->binds[i]) != 0) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot bind %s: %s", o->binds[i],
                        zmq_strerror(errno));
            goto fail;
        }
    return l;
fail:
    lrs_listen_destroy(&l);
    return NULL;
}

void lrs_listen_destroy(lrs_listen_t **lp)
{
    if (!lp || !*lp)
        return;
    lrs_listen_t *l = *lp;
    if (l->router)
        zmq_close(l->router);
    if (l->zap)
        zmq_close(l->zap);
    if (l->zctx)
        zmq_ctx_term(l->zctx);
    lrs_allow_clear(&l->allow);
    free(l);
    *lp = NULL;
}

void *lrs_listen_router(const lrs_listen_t *l) { return l->router; }
void *lrs_listen_zap(const lrs_listen_t *l) { return l->zap; }
uint64_t lrs_listen_refused(const lrs_listen_t *l) { return l->refusals.rejected; }
size_t lrs_listen_allowed(const lrs_listen_t *l) { return l->allow.n; }

int lrs_listen_reload(lrs_listen_t *l, lrs_err_t *err)
{
    lrs_allow_t fresh = {NULL, 0};
    if ((l->allow_path && lrs_allow_load(l->allow_path, &fresh, err) != 0) ||
        (l->extra_key && lrs_allow_add(&fresh, l->extra_key) != 0 &&
         lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory"))) {
        lrs_allow_clear(&fresh);
        return -1;
    }
    lrs_allow_clear(&l->allow);
    l->allow = fresh;
    return 0;
}

int lrs_listen_allows(const lrs_listen_t *l, const char *user_id)
{
    return !l->zap || lrs_allow_has(&l->allow, user_id);
}

/* One ZAP request, already read into frames; the reply's code, text and
 * user id. */
static const char *zap_verdict(lrs_listen_t *l, zmq_msg_t *f, int n, char *user_id,
                               const char **code)
{
    *code = "400";
    user_id[0] = '\0';
    if (n < 7 || zmq_msg_size(&f[0]) != 3 || memcmp(zmq_msg_data(&f[0]), "1.0", 3) != 0)
        return "malformed ZAP request";
    if (zmq_msg_size(&f[5]) != 5 || memcmp(zmq_msg_data(&f[5]), "CURVE", 5) != 0)
        return "CURVE required";
    if (n != 7 || zmq_msg_size(&f[6]) != 32)
        return "malformed CURVE credentials";
    char z85[LRS_KEY_Z85_LEN + 1];
    if (!zmq_z85_encode(z85, zmq_msg_data(&f[6]), 32))
        return "malformed CURVE credentials";
    if (!lrs_allow_has(&l->allow, z85)) {
        char who[96], address[64], line[512];
        lrs_peerlog_say_t s = lrs_peerlog_note(&l->refusals, (const uint8_t *)z85, strlen(z85),
                                               who, sizeof who);
        lrs_text_escape(zmq_msg_data(&f[3]), zmq_msg_size(&f[3]), address, sizeof address);
        if (s == LRS_PEERLOG_FIRST)
            snprintf(line, sizeof line, "refused a connection from %s: key %s is not on the "
                     "allow list (further ones with it are counted, not logged)", address, who);
        else if (s == LRS_PEERLOG_OVERFLOW)
            snprintf(line, sizeof line, "refused a connection from %s: key %s is not on the "
                     "allow list (too many refused keys: now only counted)", address, who);
        if (s != LRS_PEERLOG_QUIET)
            say(l, line);
        return "key not allowed";
    }
    *code = "200";
    memcpy(user_id, z85, sizeof z85);
    return "OK";
}

void lrs_listen_serve_zap(lrs_listen_t *l)
{
    if (!l->zap)
        return;
    for (int budget = 0; budget < 1000; budget++) {
        zmq_msg_t f[ZAP_MAX_FRAMES];
        int n = 0, more = 1;
        while (more) {
            zmq_msg_t part;
            zmq_msg_init(&part);
            if (zmq_msg_recv(&part, l->zap, n == 0 ? ZMQ_DONTWAIT : 0) < 0) {
                zmq_msg_close(&part);
                if (n == 0)
                    return;   /* nothing waiting */
                break;
            }
            more = zmq_msg_more(&part);
            if (n < ZAP_MAX_FRAMES)
                f[n++] = part;
            else
                zmq_msg_close(&part);   /* too many frames: counted as malformed below */
        }
        char user_id[LRS_KEY_Z85_LEN + 1];
        const char *code;
        const char *text = n == ZAP_MAX_FRAMES ? "malformed ZAP request"
                                                : zap_verdict(l, f, n, user_id, &code);
        if (n == ZAP_MAX_FRAMES)
            code = "400", user_id[0] = '\0';
        const void *rid = n > 1 ? zmq_msg_data(&f[1]) : "";
        size_t rid_len = n > 1 ? zmq_msg_size(&f[1]) : 0;
        zmq_send(l->zap, "1.0", 3, ZMQ_SNDMORE);
        zmq_send(l->zap, rid, rid_len, ZMQ_SNDMORE);
        zmq_send(l->zap, code, 3, ZMQ_SNDMORE);
        zmq_send(l->zap, text, strlen(text), ZMQ_SNDMORE);
        zmq_send(l->zap, user_id, strlen(user_id), ZMQ_SNDMORE);
        zmq_send(l->zap, "", 0, 0);
        for (int i = 0; i < n; i++)
            zmq_msg_close(&f[i]);
    }
}
