/* serve.c — see serve.h.  libmicrohttpd runs the sockets in one internal
 * thread (poll or epoll, its choice) and calls answer() once a request's
 * headers are in; answer() checks the method, the bounds, the Host and the
 * token, collects the query arguments as sent (the unescape callback is
 * told to leave them alone, so serve_api decodes strictly, once) and
 * queues what serve_api answered, with the same security headers on
 * every response, refusals included. */
#include "coordinator/serve.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "common/numparse.h"
#include "coordinator/access.h"
#include "coordinator/report_html.h"
#include "coordinator/serve_api.h"

struct lrs_serve {
    struct MHD_Daemon *daemon;
    lrs_serve_opts_t opts;
    int port;
};

int lrs_serve_parse_bind(const char *text, lrs_serve_bind_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    const char *s = strncmp(text, "tcp://", 6) == 0 ? text + 6 : text;
    const char *colon = strrchr(s, ':');
    const char *host = s, *host_end = colon;
    if (s[0] == '[') {   /* [v6]:port */
        host_end = strchr(s, ']');
        host = s + 1;
        if (!host_end || host_end[1] != ':')
            colon = NULL;
    }
    uint64_t port;
    if (strstr(text, "://") && strncmp(text, "tcp://", 6) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "--bind: serve listens on TCP only: expected tcp://HOST:PORT or "
                           "HOST:PORT, got '%s'",
                           text);
    if (!colon || !host_end || host_end == host || (size_t)(host_end - host) >= sizeof out->host ||
        lrs_parse_u64(colon + 1, &port) != 0 || port > 65535)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "--bind: expected tcp://HOST:PORT or HOST:PORT (HOST an IP address, "
                           "localhost or *; PORT 0..65535), got '%s'",
                           text);
    memcpy(out->host, host, (size_t)(host_end - host));
    out->port = (int)port;
    if (strcmp(out->host, "*") == 0)
        snprintf(out->host, sizeof out->host, "0.0.0.0");
    unsigned char probe[sizeof(struct in6_addr)];
    if (strcmp(out->host, "localhost") != 0 && inet_pton(AF_INET, out->host, probe) != 1 &&
        inet_pton(AF_INET6, out->host, probe) != 1)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "--bind: '%s' is not an IP address, localhost or * (got '%s')",
                           out->host, text);
    char endpoint[300];
    snprintf(endpoint, sizeof endpoint, strchr(out->host, ':') ? "tcp://[%s]:%d" : "tcp://%s:%d",
             out->host, out->port);
    out->loopback = lrs_access_is_local(endpoint);
    return 0;
}

int lrs_serve_check_access(const lrs_serve_opts_t *o, lrs_err_t *err)
{
    int token = o->token && *o->token, tls = o->tls_cert && o->tls_key;
    if ((o->tls_cert != NULL) != (o->tls_key != NULL))
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s needs %s too: TLS takes the certificate and its key",
                           o->tls_cert ? "--tls-cert" : "--tls-key",
                           o->tls_cert ? "--tls-key" : "--tls-cert");
    if (o->bind.loopback || o->insecure || (token && tls))
        return 0;
    return lrs_err_set(
        err, LRS_EXIT_USAGE,
        "refusing to serve the results on %s:%d without %s: anyone who can reach it could "
        "read every sweep%s.\n"
        "Give a token (--token T or --token-file F; browsers open /?token=T) and a "
        "certificate (--tls-cert FILE --tls-key FILE; docs/security.md), bind a loopback "
        "address, or give --insecure on a network where every host is trusted",
        o->bind.host, o->bind.port,
        !token && !tls ? "a token and TLS" : !token ? "a token" : "TLS",
        tls ? "" : ", and see the token of everyone who uses it");
}

int lrs_serve_token_equal(const char *expected, const char *given)
{
    if (!given)
        return 0;
    size_t ne = strlen(expected), ng = strlen(given);
    unsigned diff = ne != ng;
    for (size_t i = 0; i < ng; i++)
        diff |= (unsigned char)given[i] ^ (unsigned char)(ne ? expected[i % ne] : 0);
    return diff == 0;
}

int lrs_serve_host_is_loopback(const char *host)
{
    char name[256];
    const char *end;
    if (host[0] == '[') {   /* [v6] or [v6]:port */
        end = strchr(host, ']');
        if (!end || (end[1] && end[1] != ':'))
            return 0;
        return end - host == 4 && strncmp(host, "[::1]", 5) == 0;
    }
    end = strchr(host, ':');
    size_t n = end ? (size_t)(end - host) : strlen(host);
    if (n >= sizeof name)
        return 0;
    memcpy(name, host, n);
    name[n] = '\0';
    if (strcmp(name, "localhost") == 0)
        return 1;
    struct in_addr a;   /* an address in 127.0.0.0/8, written as one */
    return inet_pton(AF_INET, name, &a) == 1 && (ntohl(a.s_addr) >> 24) == 127;
}

/* ---- one request ------------------------------------------------------- */

/* The unescape callback: leaves every value as sent (serve_api decodes). */
static size_t keep_escaped(void *cls, struct MHD_Connection *c, char *s)
{
    (void)cls;
    (void)c;
    return strlen(s);
}

typedef struct arg_list {
    lrs_serve_arg_t a[LRS_SERVE_MAX_ARGS + 1];
    int n;
    const char *token;   /* the ?token= value as sent */
} arg_list_t;

static enum MHD_Result collect_arg(void *cls, enum MHD_ValueKind kind, const char *key,
                                   const char *value)
{
    (void)kind;
    arg_list_t *l = cls;
    if (strcmp(key, "token") == 0)
        l->token = value ? value : "";
    if (l->n <= LRS_SERVE_MAX_ARGS)
        l->a[l->n++] = (lrs_serve_arg_t){key, value};
    return MHD_YES;
}

static enum MHD_Result send_reply(struct MHD_Connection *c, int status, const char *type,
                                  int html, char *body, size_t len, int must_free)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, body, must_free ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
    if (!r) {
        if (must_free)
            free(body);
        return MHD_NO;
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_SECURITY_POLICY,
                            html ? LRS_REPORT_HTML_LIVE_CSP "; base-uri 'none'; "
                                                            "form-action 'none'; "
                                                            "frame-ancestors 'none'"
                                 : "default-src 'none'; frame-ancestors 'none'");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    if (status == 401)
        MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"lrsweep\"");
    if (status == 405)
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result refuse(struct MHD_Connection *c, int status, const char *why)
{
    return send_reply(c, status, "text/plain; charset=utf-8", 0, (char *)why, strlen(why), 0);
}

/* 1 when the request carries the token (header or argument). */
static int authorized(struct MHD_Connection *c, const char *token, const arg_list_t *args)
{
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
                                                   MHD_HTTP_HEADER_AUTHORIZATION);
    if (auth && strncmp(auth, "Bearer ", 7) == 0 && lrs_serve_token_equal(token, auth + 7))
        return 1;
    if (!args->token)
        return 0;
    char decoded[512];
    if (lrs_serve_url_decode(args->token, strlen(args->token), decoded, sizeof decoded) < 0)
        return 0;
    return lrs_serve_token_equal(token, decoded);
}

static enum MHD_Result answer(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **per_request)
{
    (void)version;
    (void)upload;
    (void)upload_size;
    (void)per_request;
    const lrs_serve_t *s = cls;
    if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0)
        return refuse(c, 405, "only GET and HEAD: lrsweep serve is read-only\n");
    if (strlen(url) > LRS_SERVE_MAX_PATH)
        return refuse(c, 414, "the path is too long\n");
    arg_list_t args = {.n = 0};
    MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, collect_arg, &args);
    const char *token = s->opts.token && *s->opts.token ? s->opts.token : NULL;
    if (token && !authorized(c, token, &args))
        return refuse(c, 401, "a token is needed: Authorization: Bearer TOKEN, or ?token=TOKEN\n");
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
    if (!token && s->opts.bind.loopback && host && !lrs_serve_host_is_loopback(host))
        return refuse(c, 403, "this server answers only requests for a loopback name "
                              "(localhost, 127.0.0.1, [::1])\n");
    char link_query[600] = "";
    if (token && args.token && strlen(args.token) < sizeof link_query - 8)
        snprintf(link_query, sizeof link_query, "?token=%s", args.token);
    lrs_serve_request_t req = {.db_path = s->opts.db_path, .path = url, .args = args.a,
                               .n_args = args.n, .link_query = link_query};
    lrs_serve_reply_t rep;
    if (lrs_serve_answer(&req, &rep) != 0)
        return refuse(c, 500, "out of memory\n");
    return send_reply(c, rep.status, rep.type, rep.html, rep.body, rep.len, 1);
}

lrs_serve_t *lrs_serve_new(const lrs_serve_opts_t *o, lrs_err_t *err)
{
    int tls = o->tls_cert && o->tls_key;
    if (tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        lrs_err_set(err, LRS_EXIT_USAGE, "--tls-cert: this libmicrohttpd was built without TLS");
        return NULL;
    }
    lrs_serve_t *s = calloc(1, sizeof *s);
    if (!s) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    s->opts = *o;
    const char *host = strcmp(o->bind.host, "localhost") == 0 ? "127.0.0.1" : o->bind.host;
    struct sockaddr_storage addr;
    memset(&addr, 0, sizeof addr);
    unsigned flags = MHD_USE_AUTO_INTERNAL_THREAD | (tls ? MHD_USE_TLS : 0);
    struct sockaddr_in *v4 = (struct sockaddr_in *)&addr;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)&addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)o->bind.port);
    } else if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)o->bind.port);
        flags |= MHD_USE_IPv6;
    }
    struct MHD_OptionItem tls_opts[] = {
        {tls ? MHD_OPTION_HTTPS_MEM_KEY : MHD_OPTION_END, 0, (void *)o->tls_key},
        {MHD_OPTION_HTTPS_MEM_CERT, 0, (void *)o->tls_cert},
        {MHD_OPTION_END, 0, NULL}};
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)o->bind.port, NULL, NULL, answer, s,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)LRS_SERVE_MAX_CONNECTIONS,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)LRS_SERVE_TIMEOUT_S,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)LRS_SERVE_HEADER_BYTES,
        MHD_OPTION_UNESCAPE_CALLBACK, keep_escaped, NULL,
        MHD_OPTION_STRICT_FOR_CLIENT, 1,   /* HTTP/1.1 without Host, spaces in the URL: 400 */
        MHD_OPTION_ARRAY, tls_opts,
        MHD_OPTION_END);
    if (!s->daemon) {
        lrs_err_set(err, tls ? LRS_EXIT_USAGE : LRS_EXIT_RUNTIME,
                    tls ? "cannot serve on %s:%d: the address is taken or unusable, or the TLS "
                          "certificate and key do not load (PEM, a key matching the certificate)"
                        : "cannot serve on %s:%d: the address is taken or unusable",
                    o->bind.host, o->bind.port);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : o->bind.port;
    return s;
}

int lrs_serve_port(const lrs_serve_t *s) { return s->port; }

void lrs_serve_destroy(lrs_serve_t **sp)
{
    if (!sp || !*sp)
        return;
    MHD_stop_daemon((*sp)->daemon);
    free(*sp);
    *sp = NULL;
}
