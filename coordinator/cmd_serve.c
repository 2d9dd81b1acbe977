/* cmd_serve.c — `lrsweep serve`: the results database as a small
 * read-only web server, a page per sweep that updates itself while the
 * sweep runs, and the JSON it draws from.  Parses the arguments, reads the
 * token and certificate files, has serve.h decide whether the bind may be
 * served and run the server at a lower priority (nice +LRS_SERVE_NICE, so
 * a sweep on the same machine is not slowed by the pages it draws), and
 * waits for Ctrl-C or SIGTERM (common/cli's signal helper) to stop it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/readfile.h"
#include "coordinator/query.h"
#include "coordinator/serve.h"

#define FILE_MAX (1 << 20)   /* a token, a certificate or a key file */

static void usage(FILE *out)
{
    fprintf(out,
            "usage: lrsweep serve [--db FILE] [--bind tcp://HOST:PORT] [--token T | --token-file F]\n"
            "                     [--tls-cert FILE --tls-key FILE] [--insecure]\n\n"
            "Serves the results database read-only over HTTP: a page listing the sweeps,\n"
            "and for each sweep the views of `lrsweep report`, refreshed every few seconds\n"
            "while it runs, plus the JSON they draw from (/api/sweeps, /api/sweeps/NAME,\n"
            "/api/sweeps/NAME/status, /trials, /curves; docs/serve.md).  Ctrl-C or SIGTERM\n"
            "stops it.  A bind other than loopback needs a token and TLS (or --insecure).\n\n"
            "  --db FILE         results database (default lrsweep.db), opened read-only\n"
            "  --bind ADDRESS    where to listen: tcp://HOST:PORT or HOST:PORT, HOST an IP\n"
            "                    address, localhost or * (default %s;\n"
            "                    port 0 takes a free one, printed at start)\n"
            "  --token T         every request must carry T: the header\n"
            "                    `Authorization: Bearer T`, or ?token=T in a browser's URL\n"
            "  --token-file F    the token is F's first line (not shown in `ps`)\n"
            "  --tls-cert FILE   serve HTTPS with this PEM certificate (chain)...\n"
            "  --tls-key FILE    ...and its PEM private key\n"
            "  --insecure        allow a non-loopback bind without a token or TLS\n"
            "  --help            this text\n",
            LRS_SERVE_DEFAULT_BIND);
}

/* Reads path (what: "--token-file") into a NUL-terminated *out.  0, or -1
 * with err. */
static int read_text(const char *path, const char *what, char **out, lrs_err_t *err)
{
    size_t len;
    char *buf;
    if (lrs_read_file(path, what, FILE_MAX, &buf, &len, err) != 0)
        return -1;
    char *text = realloc(buf, len + 1);
    if (!text) {
        free(buf);
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    }
    text[len] = '\0';
    if (strlen(text) != len) {
        free(text);
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: %s holds a NUL byte", path, what);
    }
    *out = text;
    return 0;
}

/* The token file's first line, without its line break. */
static int read_token(const char *path, char **out, lrs_err_t *err)
{
    if (read_text(path, "token file", out, err) != 0)
        return -1;
    (*out)[strcspn(*out, "\r\n")] = '\0';
    if (!**out) {
        free(*out);
        *out = NULL;
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: the token file's first line is empty", path);
    }
    return 0;
}

/* Fails like a command's error: "lrsweep serve: MESSAGE", its exit status. */
static int failed(const lrs_err_t *err)
{
    lrs_cli_report("serve", err);
    return lrs_cli_finish(err->code ? err->code : LRS_EXIT_RUNTIME);
}

int lrs_cmd_serve(int argc, char **argv)
{
    static const struct option long_opts[] = {
        {"db", required_argument, NULL, 'd'},       {"bind", required_argument, NULL, 'b'},
        {"token", required_argument, NULL, 't'},    {"token-file", required_argument, NULL, 'T'},
        {"tls-cert", required_argument, NULL, 'c'}, {"tls-key", required_argument, NULL, 'k'},
        {"insecure", no_argument, NULL, 'i'},       {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *db_path = "lrsweep.db", *bind = LRS_SERVE_DEFAULT_BIND, *token = NULL,
               *token_file = NULL, *cert_path = NULL, *key_path = NULL;
    int insecure = 0;
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'd': db_path = optarg; break;
        case 'b': bind = optarg; break;
        case 't': token = optarg; break;
        case 'T': token_file = optarg; break;
        case 'c': cert_path = optarg; break;
        case 'k': key_path = optarg; break;
        case 'i': insecure = 1; break;
        case 'h': usage(stdout); return lrs_cli_finish(0);
        default: usage(stderr); return LRS_EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "lrsweep serve: unexpected argument '%s'\n\n", argv[optind]);
        usage(stderr);
        return LRS_EXIT_USAGE;
    }
    lrs_err_t err;
    lrs_err_clear(&err);
    if (token && token_file) {
        lrs_err_set(&err, LRS_EXIT_USAGE, "--token and --token-file: give one of them");
        return failed(&err);
    }
    if (token && !*token) {
        lrs_err_set(&err, LRS_EXIT_USAGE, "--token: the token is empty");
        return failed(&err);
    }
    lrs_serve_opts_t o = {.db_path = db_path, .token = token, .insecure = insecure};
    char *token_text = NULL, *cert = NULL, *key = NULL;
    lrs_serve_t *server = NULL;
    lrs_query_t *probe = NULL;
    int rc = -1;
    if (lrs_serve_parse_bind(bind, &o.bind, &err) != 0 ||
        (token_file && read_token(token_file, &token_text, &err) != 0))
        goto done;
    if (token_text)
        o.token = token_text;
    o.tls_cert = cert_path;   /* presence, for the access check; the text is read next */
    o.tls_key = key_path;
    if (lrs_serve_check_access(&o, &err) != 0 ||
        (cert_path && read_text(cert_path, "TLS certificate", &cert, &err) != 0) ||
        (key_path && read_text(key_path, "TLS key", &key, &err) != 0))
        goto done;
    o.tls_cert = cert;
    o.tls_key = key;
    /* the database must open now, so a wrong path is said at once */
    if (!(probe = lrs_query_open(db_path, &err)))
        goto done;
    lrs_query_destroy(&probe);
    /* a page of a large sweep costs the server about a second of CPU: on a
     * machine the sweep keeps busy, the sweep goes first */
    errno = 0;
    if (nice(LRS_SERVE_NICE) == -1 && errno != 0)
        fprintf(stderr, "lrsweep serve: warning: cannot lower its priority: %s\n", strerror(errno));
    const atomic_int *stop = lrs_cli_catch_interrupts();
    if (!(server = lrs_serve_new(&o, &err)))
        goto done;
    int v6 = strchr(o.bind.host, ':') != NULL;
    printf("lrsweep serve: %s://%s%s%s:%d/ serving %s read-only%s; Ctrl-C stops\n",
           cert ? "https" : "http", v6 ? "[" : "", o.bind.host, v6 ? "]" : "",
           lrs_serve_port(server), db_path, o.token ? " (token required)" : "");
    fflush(stdout);
    while (atomic_load(stop) == 0) {
        struct timespec tick = {0, 100 * 1000 * 1000};
        nanosleep(&tick, NULL);
    }
    lrs_serve_destroy(&server);
    printf("lrsweep serve: stopped\n");
    rc = 0;
done:
    lrs_serve_destroy(&server);
    free(token_text);
    free(cert);
    free(key);
    return rc == 0 ? lrs_cli_finish(0) : failed(&err);
}
