/* serve.h — `lrsweep serve`'s HTTP server (libmicrohttpd): binds, checks
 * who asks, bounds what they may send, and hands each GET to serve_api.h,
 * which decides the answer.
 *
 * Who may ask follows the coordinator's rule (access.h): a loopback bind
 * needs nothing; any other needs a token and TLS unless the operator says
 * --insecure.  A token is checked on every request, in time that does not
 * depend on where a guess goes wrong, from `Authorization: Bearer T` or
 * `?token=T` (for a browser; the pages' links and the live page's polls
 * keep it).  Without a token a request whose Host is not a loopback name is
 * refused, so a web page that rebinds its own name to 127.0.0.1 cannot read
 * the sweep through the user's browser.
 *
 * Bounds: LRS_SERVE_MAX_CONNECTIONS at once, LRS_SERVE_TIMEOUT_S of silence
 * before a connection is closed, LRS_SERVE_HEADER_BYTES for the request
 * line and headers together (libmicrohttpd answers 414 or 431 past it),
 * LRS_SERVE_MAX_PATH for the path.  Only GET and HEAD (else 405).  Every
 * response carries a Content-Security-Policy, nosniff, no-store and no
 * CORS header.  One thread serves requests one at a time, so a browser
 * polling costs a running sweep at most one reader.
 */
#ifndef LRS_SERVE_H
#define LRS_SERVE_H

#include <stddef.h>

#include "common/err.h"

#define LRS_SERVE_DEFAULT_BIND "tcp://127.0.0.1:8080"
#define LRS_SERVE_MAX_CONNECTIONS 32
#define LRS_SERVE_TIMEOUT_S 15
#define LRS_SERVE_HEADER_BYTES (32 * 1024)
#define LRS_SERVE_MAX_PATH 2048
/* how much `serve` lowers its own CPU priority (nice), so that a sweep on
 * the same machine goes first */
#define LRS_SERVE_NICE 10

typedef struct lrs_serve lrs_serve_t;

/* An address to listen on, as --bind gives it. */
typedef struct lrs_serve_bind {
    char host[256];     /* as written: 127.0.0.1, ::1, localhost, 0.0.0.0 (also for *) */
    int port;           /* 0..65535; 0: any free port (lrs_serve_port says which) */
    int loopback;       /* 1: only this machine can reach it (access.h's rule) */
} lrs_serve_bind_t;

/* Parses tcp://HOST:PORT or HOST:PORT (an IPv6 HOST in brackets; HOST an
 * IP address, localhost, or * for every address) into out.  0, or -1 with
 * err (code 2) naming what was expected. */
int lrs_serve_parse_bind(const char *text, lrs_serve_bind_t *out, lrs_err_t *err);

typedef struct lrs_serve_opts {
    const char *db_path;
    lrs_serve_bind_t bind;
    const char *token;            /* NULL or "": none */
    const char *tls_cert, *tls_key;   /* PEM text (NUL-terminated), both or neither */
    int insecure;                 /* a reachable bind without token or TLS is allowed */
} lrs_serve_opts_t;

/* 0 when o may be served: a loopback bind, or a token and TLS, or
 * insecure; else -1 with err (code 2) saying what is missing and how to
 * give it, as the coordinator says it. */
int lrs_serve_check_access(const lrs_serve_opts_t *o, lrs_err_t *err);

/* Starts serving o (after lrs_serve_check_access) in a thread of its own.
 * The strings of o must outlive the server.  NULL with err (code 2: TLS
 * asked for and not built in, or a certificate libmicrohttpd refuses; code
 * 1: the address cannot be bound). */
lrs_serve_t *lrs_serve_new(const lrs_serve_opts_t *o, lrs_err_t *err);

/* The port listened on. */
int lrs_serve_port(const lrs_serve_t *s);

/* Stops the server (waits for the request being answered).  Takes NULL;
 * clears *s. */
void lrs_serve_destroy(lrs_serve_t **s);

/* 1 when given equals expected, compared in time that depends only on
 * their lengths; given may be NULL (0). */
int lrs_serve_token_equal(const char *expected, const char *given);

/* 1 when host (a Host header: name or address, maybe :port) names this
 * machine's loopback: localhost, 127.x.x.x, [::1]. */
int lrs_serve_host_is_loopback(const char *host);

#endif
