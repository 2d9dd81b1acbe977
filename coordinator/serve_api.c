/* serve_api.c — the routes of `lrsweep serve` (see serve_api.h).  Each
 * body is written into a memory stream by the module that already writes
 * it for a command: the live page is report_html's page over report's
 * documents, /api/sweeps is readout's `sweeps --json` object, the trials
 * and curves are export's rows.  What is new here is only the routing,
 * the strict decoding of what a request sent, and the sweeps page. */
#include "coordinator/serve_api.h"

#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/err.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/numparse.h"
#include "coordinator/export.h"
#include "coordinator/query.h"
#include "coordinator/readout.h"
#include "coordinator/report.h"
#include "coordinator/report_html.h"

/* report/embed.cmake's style sheet, shared with the report's page. */
extern const unsigned char lrs_report_page_css[];
extern const size_t lrs_report_page_css_len;

enum { MAX_SEGMENTS = 4, SEGMENT_CAP = 1024 };

static int hex(int c)
{
    return c >= '0' && c <= '9' ? c - '0'
         : c >= 'a' && c <= 'f' ? c - 'a' + 10
         : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                : -1;
}

int lrs_serve_url_decode(const char *in, size_t n, char *out, size_t cap)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        int c = (unsigned char)in[i];
        if (c == '%') {
            int hi = i + 1 < n ? hex((unsigned char)in[i + 1]) : -1;
            int lo = i + 2 < n ? hex((unsigned char)in[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            c = hi * 16 + lo;
            i += 2;
        }
        if (c == 0 || k + 1 >= cap)
            return -1;
        out[k++] = (char)c;
    }
    out[k] = '\0';
    return (int)k;
}

/* ---- replies ----------------------------------------------------------- */

typedef struct body {
    FILE *f;
    char *buf;
    size_t len;
} body_t;

static int body_open(body_t *b)
{
    b->buf = NULL;
    b->len = 0;
    b->f = open_memstream(&b->buf, &b->len);
    return b->f ? 0 : -1;
}

/* Closes b into out's body; 0, or -1 (out of memory, nothing kept). */
static int body_close(body_t *b, lrs_serve_reply_t *out, int status, const char *type)
{
    int bad = ferror(b->f);
    if (fclose(b->f) != 0 || bad) {
        free(b->buf);
        return -1;
    }
    out->status = status;
    out->type = type;
    out->body = b->buf;
    out->len = b->len;
    return 0;
}

/* A 4xx/5xx with its reason: JSON under /api/, plain text elsewhere. */
static int fail(lrs_serve_reply_t *out, int api, int status, const char *fmt, ...)
{
    char msg[1200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    body_t b;
    if (body_open(&b) != 0)
        return -1;
    if (api) {
        json_t *o = json_object();
        json_object_set_new(o, "error", lrs_readout_json_string(msg));
        lrs_json_write(b.f, o);
        json_decref(o);
        fputc('\n', b.f);
    } else
        fprintf(b.f, "%s\n", msg);
    out->html = 0;
    return body_close(&b, out, status,
                      api ? "application/json" : "text/plain; charset=utf-8");
}

/* ---- arguments --------------------------------------------------------- */

typedef struct args {
    const lrs_serve_request_t *req;
    int api;
} args_t;

/* The decoded value of argument key into buf (NULL when not given), or -1
 * after a 400 in out when it does not decode. */
static int arg(const args_t *a, const char *key, char *buf, size_t cap, const char **value,
               lrs_serve_reply_t *out)
{
    *value = NULL;
    for (int i = 0; i < a->req->n_args; i++) {
        const lrs_serve_arg_t *x = &a->req->args[i];
        if (strcmp(x->key, key) != 0)
            continue;
        const char *v = x->value ? x->value : "";
        if (lrs_serve_url_decode(v, strlen(v), buf, cap) < 0) {
            fail(out, a->api, 400, "bad %%-escape, NUL or too long a value in argument '%s'", key);
            return -1;
        }
        *value = buf;
    }
    return 0;
}

/* 0 when every argument is one of known (NULL-terminated) or token; else
 * -1 after a 400 naming it. */
static int known_args(const args_t *a, const char *const *known, lrs_serve_reply_t *out)
{
    for (int i = 0; i < a->req->n_args; i++) {
        const char *k = a->req->args[i].key;
        int ok = strcmp(k, "token") == 0;
        for (const char *const *p = known; !ok && *p; p++)
            ok = strcmp(k, *p) == 0;
        if (!ok) {
            char shown[64];
            if (lrs_serve_url_decode(k, strlen(k), shown, sizeof shown) < 0)
                snprintf(shown, sizeof shown, "?");
            fail(out, a->api, 400, "unknown argument '%s'", shown);
            return -1;
        }
    }
    return 0;
}

/* Argument key as an integer in lo..hi (dflt when absent); -1 after a 400. */
static int int_arg(const args_t *a, const char *key, long lo, long hi, long dflt, long *v,
                   lrs_serve_reply_t *out)
{
    char buf[64];
    const char *text;
    *v = dflt;
    if (arg(a, key, buf, sizeof buf, &text, out) != 0)
        return -1;
    if (text && (lrs_parse_long(text, v) != 0 || *v < lo || *v > hi)) {
        fail(out, a->api, 400, "argument '%s': expected an integer in %ld..%ld, got '%s'", key,
             lo, hi, text);
        return -1;
    }
    return 0;
}

/* ---- routes ------------------------------------------------------------ */

/* The request's sweep, resolved; -1 after a 404 or 500 in out. */
static int find_sweep(lrs_query_t *q, const args_t *a, const char *name, lrs_query_sweep_t *sw,
                      lrs_serve_reply_t *out)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_query_sweep(q, name, sw, &err) == 0)
        return 0;
    fail(out, a->api, err.code == LRS_EXIT_USAGE ? 404 : 500, "%s", err.msg);
    return -1;
}

/* The name as it goes into a link: every byte but A-Z a-z 0-9 - . _ ~ as %XX. */
static void link_name(FILE *f, const char *name)
{
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            strchr("-._~", *p))
            fputc(*p, f);
        else
            fprintf(f, "%%%02X", *p);
    }
}

typedef struct sweeps_ctx {
    FILE *f;            /* the page; NULL for JSON */
    json_t *list;
    const char *link_query;
} sweeps_ctx_t;

static int sweeps_row(void *ctx, const lrs_query_sweep_row_t *r)
{
    sweeps_ctx_t *c = ctx;
    if (!c->f)
        return json_array_append_new(c->list, lrs_readout_sweep_json(r)) == 0 ? 0 : -1;
    char best[64];
    lrs_fmt_display(r->best, LRS_FMT_VALUE_DIGITS, best, sizeof best);
    fputs("<tr><td><a href=\"/sweeps/", c->f);
    link_name(c->f, r->name);
    lrs_html_text(c->f, c->link_query);
    fputs("\">", c->f);
    lrs_html_text(c->f, r->name);
    fputs("</a></td><td>", c->f);
    lrs_html_text(c->f, r->metric);
    fprintf(c->f, " (%s)</td><td>", r->maximize ? "maximize" : "minimize");
    lrs_html_text(c->f, r->sampler ? r->sampler : "–");
    fprintf(c->f, "</td><td>%" PRId64 " of %" PRId64 "</td><td>%" PRId64 "</td><td>%s</td></tr>\n",
            lrs_readout_sweep_done(r), r->trials, r->n[LRS_STATUS_RUNNING],
            r->best == r->best ? best : "–");
    return 0;
}

static int sweeps_page(lrs_query_t *q, const args_t *a, lrs_serve_reply_t *out)
{
    body_t b;
    if (body_open(&b) != 0)
        return -1;
    fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"" LRS_REPORT_HTML_CSP "\">\n"
          "<meta http-equiv=\"refresh\" content=\"10\">\n"
          "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
          "<meta name=\"color-scheme\" content=\"light dark\">\n"
          "<title>lrsweep serve: sweeps</title>\n<style>\n",
          b.f);
    fwrite(lrs_report_page_css, 1, lrs_report_page_css_len, b.f);
    fputs("</style></head>\n<body>\n<header><h1>Sweeps</h1><p class=\"what\">Every sweep of "
          "the database, oldest first; each links to its live page.  This list refreshes "
          "every 10 s.</p></header>\n<section id=\"sweeps\"><table><thead><tr><th>sweep</th>"
          "<th>objective</th><th>sampler</th><th>done</th><th>running</th><th>best</th>"
          "</tr></thead><tbody>\n",
          b.f);
    sweeps_ctx_t c = {.f = b.f, .link_query = a->req->link_query};
    lrs_err_t err;
    lrs_err_clear(&err);
    int rc = lrs_query_sweeps(q, sweeps_row, &c, &err);
    fputs("</tbody></table></section>\n</body></html>\n", b.f);
    if (rc != 0) {
        fclose(b.f);
        free(b.buf);
        return fail(out, 0, 500, "%s", err.msg);
    }
    out->html = 1;
    return body_close(&b, out, 200, "text/html; charset=utf-8");
}

static int sweeps_json(lrs_query_t *q, const args_t *a, lrs_serve_reply_t *out)
{
    sweeps_ctx_t c = {.list = json_array()};
    lrs_err_t err;
    lrs_err_clear(&err);
    if (!c.list)
        return -1;
    int rc = lrs_query_sweeps(q, sweeps_row, &c, &err);
    body_t b;
    if (rc == 0 && body_open(&b) == 0) {
        lrs_json_write(b.f, c.list);
        fputc('\n', b.f);
        json_decref(c.list);
        return body_close(&b, out, 200, "application/json");
    }
    json_decref(c.list);
    return rc != 0 ? fail(out, a->api, 500, "%s", err.msg) : -1;
}

/* The report of sw: its live page, or its documents as one JSON object. */
static int report(lrs_query_t *q, const args_t *a, const lrs_query_sweep_t *sw, int page,
                  lrs_serve_reply_t *out)
{
    static const char *const known[] = {"top", NULL};
    long top;
    if (known_args(a, known, out) != 0 ||
        int_arg(a, "top", 1, LRS_REPORT_TOP_MAX, 10, &top, out) != 0)
        return 0;
    lrs_report_opts_t o = {.top = (int)top, .spec_path = "SPEC"};
    lrs_report_t r = {0};
    lrs_err_t err;
    lrs_err_clear(&err);
    body_t b = {0};
    int rc = lrs_report_gather(q, sw, &o, &r, &err);
    if (rc == 0 && body_open(&b) != 0)
        rc = -2;
    if (rc == 0 && page) {
        rc = lrs_report_html_write_live(&r, b.f, &err);
    } else if (rc == 0) {
        json_t *doc = json_pack("{sOsOsOsOsOsOsOsO}", "header", r.header, "trials", r.trials,
                                "groups", r.groups, "curves", r.curves, "parallel", r.parallel,
                                "importance", r.importance, "top", r.top, "failures",
                                r.failures);
        rc = doc && lrs_json_write(b.f, doc) == 0 ? 0 : -2;
        fputc('\n', b.f);
        json_decref(doc);
    }
    lrs_report_clear(&r);
    if (rc == 0) {
        out->html = page;
        return body_close(&b, out, 200, page ? "text/html; charset=utf-8" : "application/json");
    }
    if (b.f) {
        fclose(b.f);
        free(b.buf);
    }
    return rc == -2 ? -1 : fail(out, a->api, 500, "%s", err.msg);
}

static int status(lrs_query_t *q, const args_t *a, const lrs_query_sweep_t *sw,
                  lrs_serve_reply_t *out)
{
    static const char *const known[] = {NULL};
    if (known_args(a, known, out) != 0)
        return 0;
    lrs_query_progress_t p;
    lrs_query_life_t life;
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_query_progress(q, sw, &p, &err) != 0 || lrs_query_life(q, sw, &life, &err) != 0)
        return fail(out, a->api, 500, "%s", err.msg);
    json_t *o = json_object();
    json_object_set_new(o, "sweep", lrs_readout_json_string(sw->name));
    json_object_set_new(o, "budget", json_integer(sw->trials));
    json_object_set_new(o, "recorded", json_integer(p.recorded));
    const lrs_status_t shown[] = {LRS_STATUS_COMPLETE, LRS_STATUS_DIVERGED, LRS_STATUS_FAILED,
                                  LRS_STATUS_PRUNED,   LRS_STATUS_RUNNING,  LRS_STATUS_PENDING};
    for (size_t i = 0; i < sizeof shown / sizeof shown[0]; i++)
        json_object_set_new(o, lrs_status_name(shown[i]), json_integer(p.n[shown[i]]));
    json_object_set_new(o, "confirmed", json_integer(p.confirmed));
    json_object_set_new(o, "ended", life.ended[0] ? json_string(life.ended) : json_null());
    body_t b;
    int rc = -1;
    if (o && body_open(&b) == 0) {
        lrs_json_write(b.f, o);
        fputc('\n', b.f);
        rc = body_close(&b, out, 200, "application/json");
    }
    json_decref(o);
    return rc;
}

/* `export` of sw (curves: its per-epoch rows) as JSON Lines or CSV. */
static int rows(lrs_query_t *q, const args_t *a, const lrs_query_sweep_t *sw, int curves,
                lrs_serve_reply_t *out)
{
    static const char *const known[] = {"format", "trial", NULL};
    char format[16];
    const char *fmt;
    long trial;
    if (known_args(a, known, out) != 0 || arg(a, "format", format, sizeof format, &fmt, out) != 0 ||
        int_arg(a, "trial", 0, LONG_MAX, -1, &trial, out) != 0)
        return 0;
    if (!fmt)
        fmt = "jsonl";
    if (strcmp(fmt, "jsonl") != 0 && strcmp(fmt, "csv") != 0)
        return fail(out, a->api, 400, "argument 'format': expected jsonl or csv");
    lrs_export_opts_t o = {.format = fmt, .curves = curves, .trial = trial};
    lrs_err_t err;
    lrs_err_clear(&err);
    body_t b;
    if (body_open(&b) != 0)
        return -1;
    if (lrs_export_print(q, sw, &o, b.f, &err) != 0) {
        fclose(b.f);
        free(b.buf);
        return fail(out, a->api, err.code == LRS_EXIT_USAGE ? 400 : 500, "%s", err.msg);
    }
    return body_close(&b, out, 200,
                      fmt[0] == 'c' ? "text/csv; charset=utf-8" : "application/x-ndjson");
}

/* Splits path into at most MAX_SEGMENTS decoded segments (a trailing '/'
 * ends none); -1 after a 400 or 404 in out. */
static int split(const char *path, int api, char seg[][SEGMENT_CAP], int *n,
                 lrs_serve_reply_t *out)
{
    *n = 0;
    if (path[0] != '/')
        return fail(out, api, 400, "the path must start with '/'"), -1;
    const char *p = path + 1;
    while (*p) {
        const char *end = strchr(p, '/');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (*n == MAX_SEGMENTS)
            return fail(out, api, 404, "no such page"), -1;
        if (lrs_serve_url_decode(p, len, seg[*n], SEGMENT_CAP) < 0)
            return fail(out, api, 400, "bad %%-escape, NUL or too long a segment in the path"), -1;
        if (len == 0 && end)   /* an empty segment: // */
            return fail(out, api, 404, "no such page"), -1;
        (*n)++;
        p += len + (end ? 1 : 0);
    }
    return 0;
}

int lrs_serve_answer(const lrs_serve_request_t *req, lrs_serve_reply_t *out)
{
    memset(out, 0, sizeof *out);
    args_t a = {.req = req, .api = strncmp(req->path, "/api/", 5) == 0 ||
                                   strcmp(req->path, "/api") == 0};
    if (req->n_args > LRS_SERVE_MAX_ARGS)
        return fail(out, a.api, 400, "more than %d query arguments", LRS_SERVE_MAX_ARGS);
    char seg[MAX_SEGMENTS][SEGMENT_CAP];
    int n;
    if (split(req->path, a.api, seg, &n, out) != 0)
        return out->body ? 0 : -1;
    int home = n == 0, page = n == 2 && strcmp(seg[0], "sweeps") == 0;
    int list = n == 2 && a.api && strcmp(seg[1], "sweeps") == 0;
    int one = n >= 3 && a.api && strcmp(seg[1], "sweeps") == 0;
    const char *sub = n == 4 ? seg[3] : "";
    if (one && n == 4 && strcmp(sub, "status") != 0 && strcmp(sub, "trials") != 0 &&
        strcmp(sub, "curves") != 0)
        one = 0;
    if (!home && !page && !list && !one)
        return fail(out, a.api, 404, "no such page (see docs/serve.md for the routes)");
    if (home || list) {
        static const char *const none[] = {NULL};
        if (known_args(&a, none, out) != 0)
            return 0;
    }
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_query_t *q = lrs_query_open(req->db_path, &err);
    if (!q)
        return fail(out, a.api, 503, "%s", err.msg);
    int rc;
    lrs_query_sweep_t sw;
    if (home)
        rc = sweeps_page(q, &a, out);
    else if (list)
        rc = sweeps_json(q, &a, out);
    else if (find_sweep(q, &a, page ? seg[1] : seg[2], &sw, out) != 0)
        rc = out->body ? 0 : -1;
    else if (page || n == 3)
        rc = report(q, &a, &sw, page, out);
    else if (strcmp(sub, "status") == 0)
        rc = status(q, &a, &sw, out);
    else
        rc = rows(q, &a, &sw, strcmp(sub, "curves") == 0, out);
    lrs_query_destroy(&q);
    if (rc != 0 || !out->body) {
        lrs_serve_reply_clear(out);
        return -1;
    }
    return 0;
}

void lrs_serve_reply_clear(lrs_serve_reply_t *out)
{
    free(out->body);
    memset(out, 0, sizeof *out);
}
