/* flood.c — a hostile peer for tests: floods a coordinator with HELLOs on
 * one connection, or with many connections of their own identities, or
 * with frames just under and over its size bound.
 *
 * usage: lrs_flood ENDPOINT hellos N       N HELLOs on one socket
 *        lrs_flood ENDPOINT identities N   N sockets, one HELLO each
 *        lrs_flood ENDPOINT frames N BYTES N frames of BYTES each
 * Each mode sends without waiting for answers (and drops what comes back),
 * then lingers 1 s, closes everything and exits 0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <zmq.h>

#include "common/proto_encode.h"

static void *dealer(void *zctx, const char *endpoint, const char *id)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0, hwm = 100000;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
    if (id)
        zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
    if (zmq_connect(s, endpoint) != 0) {
        fprintf(stderr, "lrs_flood: connect %s: %s\n", endpoint, zmq_strerror(zmq_errno()));
        exit(1);
    }
    return s;
}

static void drain(void *s)
{
    char buf[256];
    while (zmq_recv(s, buf, sizeof buf, ZMQ_DONTWAIT) >= 0)
        ;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: lrs_flood ENDPOINT hellos|identities|frames N [BYTES]\n");
        return 2;
    }
    const char *ep = argv[1], *mode = argv[2];
    long n = atol(argv[3]);
    void *zctx = zmq_ctx_new();
    int max_sockets = 65536;
    zmq_ctx_set(zctx, ZMQ_MAX_SOCKETS, max_sockets);
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    if (strcmp(mode, "hellos") == 0) {
        void *s = dealer(zctx, ep, "flooder");
        for (long i = 0; i < n; i++) {
            lrs_proto_hello(&b, "flooder", "nowhere", 1, 1);
            zmq_send(s, b.sb.data, b.sb.size, 0);
            if (i % 256 == 0)
                drain(s);
        }
        sleep(1);
        drain(s);
        zmq_close(s);
    } else if (strcmp(mode, "identities") == 0) {
        /* in waves of 500 open sockets, so the flooder's own descriptors last */
        for (long done = 0; done < n;) {
            void *socks[500];
            int k = 0;
            for (; k < 500 && done < n; k++, done++) {
                char id[32];
                snprintf(id, sizeof id, "id-%ld", done);
                socks[k] = dealer(zctx, ep, id);
                lrs_proto_hello(&b, id, "nowhere", 1, 1);
                zmq_send(socks[k], b.sb.data, b.sb.size, 0);
            }
            usleep(200 * 1000);
            for (int j = 0; j < k; j++)
                zmq_close(socks[j]);
        }
    } else if (strcmp(mode, "frames") == 0 && argc > 4) {
        size_t bytes = (size_t)atol(argv[4]);
        char *junk = calloc(bytes ? bytes : 1, 1);
        void *s = dealer(zctx, ep, "bigframes");
        for (long i = 0; i < n; i++)
            zmq_send(s, junk, bytes, 0);
        sleep(1);
        zmq_close(s);
        free(junk);
    } else {
        fprintf(stderr, "lrs_flood: unknown mode '%s'\n", mode);
        return 2;
    }
    lrs_wbuf_free(&b);
    zmq_ctx_term(zctx);
    return 0;
}
