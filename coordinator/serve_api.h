/* serve_api.h — what `lrsweep serve` answers, without the HTTP server: a
 * request's path and query arguments in, a status, a type and a body out.
 * coordinator/serve.h runs the server and checks who asks; this decides
 * what they get, so every route (and every hostile path) can be tested
 * without a socket.
 *
 * Routes (GET; docs/serve.md documents each):
 *   /                            the sweeps page (HTML)
 *   /sweeps/NAME                 the sweep's live page: the report's page
 *                                (report_html) that refreshes itself
 *   /api/sweeps                  [sweep objects] as `sweeps --json` has them
 *   /api/sweeps/NAME             the report's documents {header, trials, …}
 *   /api/sweeps/NAME/status      counts the live page polls
 *   /api/sweeps/NAME/trials      `export` (JSON Lines, or ?format=csv)
 *   /api/sweeps/NAME/curves      `export --curves` (JSON Lines, or csv)
 * Paths and arguments arrive as sent (%-encoded); each segment is decoded
 * strictly (a bad escape or a NUL is a 400), a sweep name is looked up
 * bound, never spliced into SQL, and there are no files behind any route,
 * so no path can reach one.  The database is opened read-only for each
 * request and closed after it, so a request holds no snapshot longer than
 * its own reads.
 */
#ifndef LRS_SERVE_API_H
#define LRS_SERVE_API_H

#include <stddef.h>

/* At most this many query arguments; more is a 400. */
#define LRS_SERVE_MAX_ARGS 16

/* One query argument as sent (%-encoded; value NULL for `?key`). */
typedef struct lrs_serve_arg {
    const char *key, *value;
} lrs_serve_arg_t;

typedef struct lrs_serve_request {
    const char *db_path;            /* the results database */
    const char *path;               /* the URL's path as sent, without the query */
    const lrs_serve_arg_t *args;    /* n_args arguments; `token` is the server's, skipped */
    int n_args;
    const char *link_query;         /* appended to the pages' links ("" or "?token=…") */
} lrs_serve_request_t;

typedef struct lrs_serve_reply {
    int status;           /* 200, 400, 404, 500, 503 */
    const char *type;     /* Content-Type */
    int html;             /* 1: a page (its policy is the live report's) */
    char *body;           /* malloc'd, len bytes */
    size_t len;
} lrs_serve_reply_t;

/* Answers req into out (zeroed first): every request gets a reply, bad ones
 * a 4xx whose body says what was wrong (JSON {"error": …} under /api/,
 * text otherwise).  0, or -1 when out of memory (out then holds nothing). */
int lrs_serve_answer(const lrs_serve_request_t *req, lrs_serve_reply_t *out);

/* Frees out's body and zeroes it.  Takes a zeroed reply. */
void lrs_serve_reply_clear(lrs_serve_reply_t *out);

/* Decodes n bytes of %-encoded text into out (cap bytes, NUL-terminated):
 * %XX with two hex digits, every other byte as it is ('+' stays '+').
 * -1 for a '%' without two hex digits, an encoded or raw NUL, or a result
 * that does not fit; else the decoded length. */
int lrs_serve_url_decode(const char *in, size_t n, char *out, size_t cap);

#endif
