/* yaml_doc.c — a located YAML tree from libfyaml's events, and typed
 * readers over it (see yaml_doc.h).
 *
 * First a guard reads the text once, byte by byte, and refuses what
 * libfyaml 0.8 must not see (invalid UTF-8, control characters,
 * directives, deep flow nesting, text over the caller's limit): this module
 * is the one that feeds text to libfyaml, so every spec, from a file or
 * the wire, passes it.
 *
 * The reader pulls events one at a time and builds each node when its first
 * event arrives; a node's position is its start mark, or for an event
 * without one (an empty value) the position of its key or parent.  libfyaml
 * is run quiet, its errors collected and copied into the caller's list only
 * when no error of our own explains the failure.
 */
#include "common/yaml_doc.h"

#include <errno.h>
#include <libfyaml.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YAML_MAX_DEPTH 64

/* ----------------------------------------------------------- the guard */

/* libfyaml 0.8 (Debian 12) loops forever or reads out of bounds on some
 * directives and invalid UTF-8 (upstream pantoniou/libfyaml #101, #175,
 * #370), and tokenizes a whole deep flow nesting before our builder can
 * refuse it (1 MiB of '[': 0.7 s, 370 MB).  So the text is checked first,
 * in one linear pass, and libfyaml sees only text that passed. */

#define GUARD_MAX_ERRORS 5   /* later ones are mostly consequences of the first */

typedef enum { GUARD_LIMIT, GUARD_UTF8, GUARD_CONTROL, GUARD_DIRECTIVE, GUARD_DEPTH } guard_kind_t;

typedef struct yguard {
    lrs_diags_t *d;
    const char *what;
    int line, column, errors;
    int last_line;               /* of the last error added, and its kind: */
    guard_kind_t last_kind;      /* a run of bad bytes on a line is one error */
} yguard_t;

/* Whether an error of kind at g's place is to be added (and counts it): a
 * run of bad bytes on a line is one error. */
static int guard_wants(yguard_t *g, guard_kind_t kind)
{
    if (g->errors && g->last_line == g->line && g->last_kind == kind)
        return 0;
    g->errors++;
    g->last_line = g->line;
    g->last_kind = kind;
    return 1;
}

#define GUARD_ERR(g, kind, ...) \
    (guard_wants((g), (kind)) ? lrs_diag_add((g)->d, (g)->line, (g)->column, __VA_ARGS__) : (void)0)

/* Length of the strict UTF-8 sequence at p (n > 0 bytes left), its code
 * point in *cp; 0 when the bytes are not UTF-8 (overlong, surrogate, above
 * U+10FFFF, cut short, a stray continuation byte), *why then saying which. */
static size_t utf8_next(const unsigned char *p, size_t n, uint32_t *cp, const char **why)
{
    size_t len;
    uint32_t c, min;
    if (p[0] < 0x80) {
        *cp = p[0];
        return 1;
    }
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, c = p[0] & 0x1Fu, min = 0x80;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, c = p[0] & 0x0Fu, min = 0x800;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, c = p[0] & 0x07u, min = 0x10000;
    else {
        *why = p[0] < 0xC0 ? "a continuation byte without a lead byte"
               : p[0] < 0xC2 ? "an overlong encoding"
               : p[0] < 0xF8 ? "beyond U+10FFFF" : "never used in UTF-8";
        return 0;
    }
    for (size_t i = 1; i < len; i++) {
        if (i >= n || (p[i] & 0xC0) != 0x80) {
            *why = "an incomplete sequence";
            return 0;
        }
        c = c << 6 | (p[i] & 0x3Fu);
    }
    *why = c < min ? "an overlong encoding"
           : c >= 0xD800 && c <= 0xDFFF ? "a UTF-16 surrogate"
           : c > 0x10FFFF ? "beyond U+10FFFF" : NULL;
    *cp = c;
    return *why ? 0 : len;
}

static int is_blank_or_end(const unsigned char *p, const unsigned char *end)
{
    return p >= end || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r';
}

static int is_flow_indicator(unsigned char c)
{
    return c == ',' || c == '[' || c == ']' || c == '{' || c == '}';
}

/* Where the flow-nesting count is: brackets inside a comment, a quoted
 * scalar or a block scalar (| or >) do not count.  As in YAML, a quote
 * opens a scalar and a bracket a collection only where a node may start
 * (`it's` and `a[1` are plain scalars outside brackets), and `#` opens a
 * comment only after a blank. */
typedef struct yflow {
    int depth, refused;
    char quote;                  /* '"', '\'' or 0 */
    int comment, escaped;
    int node_start;              /* a node may start here (after blanks) */
    int after_blank;             /* the previous character was a blank or a line break */
    int after_json;              /* just after a quoted scalar or a closing bracket */
    int in_property;             /* inside a tag (!t) or anchor (&a) before its node */
    int line_start, indent;      /* still in the line's leading spaces; their count */
    int block_indent;            /* in a block scalar under a line of this indent; -1: not */
    int block_line;              /* this line is block scalar content */
    int plain_indent;            /* indent of the line a block plain scalar began on; -1: none */
} yflow_t;

/* At c, the first character of a line after its indent: whether the line
 * is block scalar text (more indented than the line of its | or >; an
 * empty line keeps the block scalar going). */
static void flow_line_content(yflow_t *f, unsigned char c)
{
    f->line_start = 0;
    /* A line more indented than a plain scalar's continues it: a quote
     * there is text, and must not hide the brackets after it. */
    if (f->depth == 0 && f->plain_indent >= 0 && f->indent > f->plain_indent)
        f->node_start = 0;
    if (f->block_indent < 0 || c == '\n' || c == '\r')
        return;
    if (f->indent > f->block_indent)
        f->block_line = 1;
    else
        f->block_indent = -1;
}

static void flow_step(yguard_t *g, yflow_t *f, const unsigned char *p, const unsigned char *end)
{
    unsigned char c = *p;
    int blank = c == ' ' || c == '\t', brk = c == '\n' || c == '\r';
    if (f->line_start && c == ' ') {
        f->indent++;
        return;
    }
    if (f->line_start)
        flow_line_content(f, c);
    if (brk && !f->quote)
        f->line_start = 1, f->indent = 0;
    if (f->block_line) {
        f->block_line = !brk;
        return;
    }
    if (f->comment) {
        f->comment = !brk;
    } else if (f->quote) {
        if (f->escaped)
            f->escaped = 0;
        else if (f->quote == '"' && c == '\\')
            f->escaped = 1;
        else if (c == (unsigned char)f->quote && !(c == '\'' && p + 1 < end && p[1] == '\''))
            f->quote = 0, f->node_start = f->after_blank = 0, f->after_json = 1;
        else if (c == '\'' && f->quote == '\'')
            f->escaped = 1;   /* '' inside '…' is one quote */
        return;
    }
    if (f->in_property && !blank && !brk && !is_flow_indicator(c))
        return;
    f->in_property = 0;
    if (f->comment) {
        /* the comment's text */
    } else if (blank || brk) {
        if (brk && f->depth == 0)
            f->node_start = 1;
    } else if (c == '#' && f->after_blank) {
        f->comment = 1;
    } else if ((c == '"' || c == '\'') && f->node_start) {
        f->quote = (char)c;
    } else if ((c == '!' || c == '&') && f->node_start) {
        f->in_property = 1;
    } else if ((c == '|' || c == '>') && f->node_start && f->depth == 0) {
        f->block_indent = f->indent;
        f->node_start = 0;
    } else if ((c == '[' || c == '{') && (f->node_start || f->depth > 0)) {
        if (++f->depth > YAML_MAX_DEPTH && !f->refused) {
            GUARD_ERR(g, GUARD_DEPTH, "nested deeper than %d levels", YAML_MAX_DEPTH);
            f->refused = 1;
        }
        f->node_start = 1;
    } else if ((c == ']' || c == '}') && f->depth > 0) {
        f->depth--;
        f->node_start = 0;
        f->after_json = 1;
    } else if (c == ',' && f->depth > 0) {
        f->node_start = 1;
    } else if ((c == '-' || c == '?' || c == ':') && is_blank_or_end(p + 1, end)) {
        f->node_start = 1;
    } else if (c == ':' && (f->after_json || (f->depth > 0 && p + 1 < end && is_flow_indicator(p[1])))) {
        f->node_start = 1;
    } else {
        f->node_start = 0;
        if (f->depth == 0 && f->plain_indent < 0)
            f->plain_indent = f->indent;
    }
    if (f->node_start && !blank && !brk)
        f->plain_indent = -1;
    if (!blank)
        f->after_json = f->after_json && (c == ']' || c == '}');
    f->after_blank = blank || brk;
}

/* Refuses (0 errors added: 0; otherwise -1) text that is not strict UTF-8,
 * holds a control character other than tab, LF and CR (DEL and U+0080..
 * U+009F included), a directive line (`%` first on a line), flow
 * collections nested deeper than YAML_MAX_DEPTH, or more than max_len
 * bytes; each error at its line:column, at most GUARD_MAX_ERRORS. */
static int yaml_guard(const char *text, size_t len, size_t max_len, const char *what, lrs_diags_t *d)
{
    const unsigned char *p = (const unsigned char *)text, *end = p + len;
    yguard_t g = {.d = d, .what = what, .line = 1, .column = 1};
    yflow_t f = {.node_start = 1, .after_blank = 1, .line_start = 1, .block_indent = -1,
                 .plain_indent = -1};
    while (p < end && g.errors < GUARD_MAX_ERRORS) {
        if ((size_t)(p - (const unsigned char *)text) == max_len) {
            GUARD_ERR(&g, GUARD_LIMIT, "the %s is longer than its limit of %zu bytes (%zu KiB)", what,
                      max_len, max_len / 1024);
            break;
        }
        uint32_t cp;
        const char *why = NULL;
        size_t n = utf8_next(p, (size_t)(end - p), &cp, &why);
        if (n == 0) {
            GUARD_ERR(&g, GUARD_UTF8, "byte 0x%02X is not valid UTF-8 (%s)", *p, why);
            p++;
            g.column++;
            continue;
        }
        if ((cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F))
            GUARD_ERR(&g, GUARD_CONTROL, "control character U+%04X is not allowed in a %s", (unsigned)cp,
                      what);
        if (cp == '%' && g.column == 1)
            GUARD_ERR(&g, GUARD_DIRECTIVE, "YAML directives (%%...) are not accepted in a %s", what);
        flow_step(&g, &f, p, end);
        p += n;
        if (cp == '\n' || (cp == '\r' && (p == end || *p != '\n')))
            g.line++, g.column = 1;
        else if (cp != '\r')
            g.column++;
    }
    return g.errors ? -1 : 0;
}

/* ------------------------------------------------------------ the tree */

typedef struct yreader {
    struct fy_parser *fyp;
    const char *text;            /* the source: marks are offsets into it */
    size_t len;
    lrs_arena_t *arena;
    lrs_diags_t *d;
    const char *what;
    int failed;
} yreader_t;

/* The value of a single-quoted scalar from its source span s (n bytes,
 * between the quotes), by YAML 1.2's rules (7.3.2): '' is one quote; a
 * line break with the blanks around it folds into one space, and k+1
 * breaks into k newlines.  lrsweep decodes these itself because libfyaml
 * 0.7.12 leaks memory in fy_token_get_text on a scalar with many ''
 * escapes (and its token iterator repeats them).  NULL out of memory. */
static char *single_quoted(lrs_arena_t *arena, const char *s, size_t n)
{
    char *out = lrs_arena_alloc(arena, n + 1);   /* never longer than the source */
    if (!out)
        return NULL;
    size_t o = 0, i = 0, line_start = 0;
    while (i < n) {
        char c = s[i];
        if (c == '\'' && i + 1 < n && s[i + 1] == '\'') {
            out[o++] = '\'';
            i += 2;
        } else if (c == '\n' || c == '\r') {
            while (o > line_start && (out[o - 1] == ' ' || out[o - 1] == '\t'))
                o--;   /* the line's trailing blanks */
            int breaks = 0;
            for (; i < n && (s[i] == '\n' || s[i] == '\r' || s[i] == ' ' || s[i] == '\t'); i++)
                if (s[i] == '\n' || (s[i] == '\r' && !(i + 1 < n && s[i + 1] == '\n')))
                    breaks++;
            if (breaks == 1)
                out[o++] = ' ';
            for (int k = 1; k < breaks; k++)
                out[o++] = '\n';
            line_start = o;
        } else {
            out[o++] = c;
            i++;
        }
    }
    out[o] = '\0';
    return out;
}

static int is_null_text(const char *t)
{
    return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 || strcmp(t, "Null") == 0 ||
           strcmp(t, "NULL") == 0;
}

typedef struct nodevec {
    lrs_ynode_t **v;
    int n, cap;
} nodevec_t;

static int nodevec_push(nodevec_t *nv, lrs_ynode_t *node)
{
    if (nv->n == nv->cap) {
        int cap = nv->cap ? 2 * nv->cap : 8;
        lrs_ynode_t **v = realloc(nv->v, (size_t)cap * sizeof *v);
        if (!v)
            return -1;
        nv->v = v;
        nv->cap = cap;
    }
    nv->v[nv->n++] = node;
    return 0;
}

static lrs_ynode_t *yread_node(yreader_t *r, struct fy_event *ev, int fb_line, int fb_column, int depth);

typedef struct keyref {
    const lrs_ynode_t *key;
    int index;                   /* order in the mapping */
} keyref_t;

static int keyref_cmp(const void *a, const void *b)
{
    const keyref_t *x = a, *y = b;
    int c = strcmp(x->key->text, y->key->text);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Adds "duplicate key 'k' (first at line L)" at every key of the mapping
 * read into nv (key, value, key, value, …) whose text an earlier key has.
 * Sorting the keys keeps this O(n log n): comparing each key with every
 * earlier one took seconds for a mapping of 60000 keys.  -1 when out of
 * memory (d->oom set). */
static int report_duplicate_keys(yreader_t *r, const nodevec_t *nv)
{
    int n = nv->n / 2;
    if (n < 2)
        return 0;
    keyref_t *k = malloc((size_t)n * sizeof *k);
    if (!k) {
        r->d->oom = 1;
        return -1;
    }
    for (int i = 0; i < n; i++)
        k[i] = (keyref_t){nv->v[2 * i], i};
    qsort(k, (size_t)n, sizeof *k, keyref_cmp);
    for (int i = 1, first = 0; i < n; i++) {
        if (strcmp(k[i].key->text, k[first].key->text) != 0) {
            first = i;
            continue;
        }
        lrs_diag_add(r->d, k[i].key->line, k[i].key->column, "duplicate key '%s' (first at line %d)",
                     k[i].key->text, k[first].key->line);
    }
    free(k);
    return 0;
}

/* Reads children until the matching end event; a mapping's keys must be
 * distinct scalars. */
static int yread_children(yreader_t *r, lrs_ynode_t *node, int depth)
{
    nodevec_t nv = {0};
    int rc = -1;
    for (;;) {
        struct fy_event *ev = fy_parser_parse(r->fyp);
        if (!ev)
            goto done;
        if (ev->type == FYET_SEQUENCE_END || ev->type == FYET_MAPPING_END) {
            fy_parser_event_free(r->fyp, ev);
            break;
        }
        int is_key = node->kind == LRS_Y_MAP && nv.n % 2 == 0;
        const lrs_ynode_t *key = node->kind == LRS_Y_MAP && !is_key ? nv.v[nv.n - 1] : NULL;
        lrs_ynode_t *child = yread_node(r, ev, key ? key->line : node->line,
                                        key ? key->column : node->column, depth + 1);
        if (!child || nodevec_push(&nv, child) < 0)
            goto done;
        if (is_key && child->kind != LRS_Y_SCALAR) {
            lrs_diag_add(r->d, child->line, child->column, "mapping keys must be plain names");
            r->failed = 1;
            goto done;
        }
    }
    if (node->kind == LRS_Y_MAP && report_duplicate_keys(r, &nv) < 0)
        goto done;
    node->n = node->kind == LRS_Y_MAP ? nv.n / 2 : nv.n;
    node->items = lrs_arena_alloc(r->arena, (size_t)(nv.n ? nv.n : 1) * sizeof *node->items);
    if (!node->items)
        goto done;
    if (nv.n)
        memcpy(node->items, nv.v, (size_t)nv.n * sizeof *nv.v);
    rc = 0;
done:
    free(nv.v);
    return rc;
}

/* Builds the node that starts with ev (consumed). */
static lrs_ynode_t *yread_node(yreader_t *r, struct fy_event *ev, int fb_line, int fb_column, int depth)
{
    const struct fy_mark *m = fy_event_start_mark(ev);
    lrs_ynode_t *node = lrs_arena_alloc(r->arena, sizeof *node);
    enum fy_event_type type = ev->type;
    if (!node) {
        fy_parser_event_free(r->fyp, ev);
        return NULL;
    }
    node->line = m ? m->line + 1 : fb_line;
    node->column = m ? m->column + 1 : fb_column;
    if (type == FYET_SCALAR) {
        struct fy_token *tok = ev->scalar.value;
        enum fy_scalar_style style = tok ? fy_token_scalar_style(tok) : FYSS_PLAIN;
        node->quoted = tok && style != FYSS_PLAIN;
        const struct fy_mark *from = tok ? fy_token_start_mark(tok) : NULL;
        const struct fy_mark *to = tok ? fy_token_end_mark(tok) : NULL;
        if (style == FYSS_SINGLE_QUOTED && from && to && from->input_pos <= to->input_pos &&
            to->input_pos <= r->len) {
            node->text = single_quoted(r->arena, r->text + from->input_pos,
                                       to->input_pos - from->input_pos);
        } else {
            size_t len = 0;
            const char *t = tok ? fy_token_get_text(tok, &len) : NULL;
            node->text = lrs_arena_strndup(r->arena, t ? t : "", t ? len : 0);
        }
        fy_parser_event_free(r->fyp, ev);
        if (!node->text)
            return NULL;
        node->kind = !node->quoted && is_null_text(node->text) ? LRS_Y_NULL : LRS_Y_SCALAR;
        return node;
    }
    fy_parser_event_free(r->fyp, ev);
    if (type == FYET_ALIAS) {
        lrs_diag_add(r->d, node->line, node->column, "YAML aliases (*name) are not supported in a %s",
                     r->what);
        r->failed = 1;
        return NULL;
    }
    if (type != FYET_SEQUENCE_START && type != FYET_MAPPING_START) {
        r->failed = 1;
        return NULL;
    }
    if (depth > YAML_MAX_DEPTH) {
        lrs_diag_add(r->d, node->line, node->column, "nested deeper than %d levels", YAML_MAX_DEPTH);
        r->failed = 1;
        return NULL;
    }
    node->kind = type == FYET_SEQUENCE_START ? LRS_Y_SEQ : LRS_Y_MAP;
    node->text = "";
    return yread_children(r, node, depth) < 0 ? NULL : node;
}

static struct fy_event *yread_expect(yreader_t *r, enum fy_event_type type)
{
    struct fy_event *ev = fy_parser_parse(r->fyp);
    if (ev && ev->type != type) {
        fy_parser_event_free(r->fyp, ev);
        return NULL;
    }
    return ev;
}

const lrs_ynode_t *lrs_y_read(const char *text, size_t len, size_t max_len, const char *what,
                              lrs_arena_t *arena, lrs_diags_t *d)
{
    if (yaml_guard(text, len, max_len, what, d) < 0)
        return NULL;
    static const lrs_ynode_t no_document = {.kind = LRS_Y_NULL, .text = ""};
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    struct fy_diag *fyd = fy_diag_create(&dcfg);
    yreader_t r = {.arena = arena, .d = d, .what = what, .text = text, .len = len};
    const lrs_ynode_t *root = NULL;
    int reported = 0;   /* an error of ours is already in d */
    struct fy_event *ev = NULL;
    if (!fyd) {
        d->oom = 1;
        return NULL;
    }
    fy_diag_set_collect_errors(fyd, true);
    struct fy_parse_cfg pcfg = {.flags = FYPCF_QUIET, .diag = fyd};
    r.fyp = fy_parser_create(&pcfg);
    if (!r.fyp || fy_parser_set_string(r.fyp, text, len) != 0) {
        d->oom = 1;
        goto done;
    }
    if (!(ev = yread_expect(&r, FYET_STREAM_START)))
        goto done;
    fy_parser_event_free(r.fyp, ev);
    ev = fy_parser_parse(r.fyp);
    if (ev && ev->type == FYET_STREAM_END) {
        root = &no_document;
        goto done;
    }
    if (!ev || ev->type != FYET_DOCUMENT_START)
        goto done;
    fy_parser_event_free(r.fyp, ev);
    if (!(ev = fy_parser_parse(r.fyp)))
        goto done;
    lrs_ynode_t *doc = yread_node(&r, ev, 1, 1, 0);
    ev = NULL;
    if (!doc || r.failed)
        goto done;
    if (!(ev = yread_expect(&r, FYET_DOCUMENT_END)))
        goto done;
    fy_parser_event_free(r.fyp, ev);
    ev = fy_parser_parse(r.fyp);
    if (ev && ev->type != FYET_STREAM_END) {
        lrs_diag_add(d, fy_event_start_mark(ev) ? fy_event_start_mark(ev)->line + 1 : 0, 1,
                     "a %s is one YAML document; found a second one", what);
        reported = 1;
        goto done;
    }
    if (!ev)
        goto done;
    root = doc;
done:
    if (ev)
        fy_parser_event_free(r.fyp, ev);
    if (!root && !reported && !r.failed) {
        int before = d->n;
        void *iter = NULL;
        struct fy_diag_error *e;
        while ((e = fy_diag_errors_iterate(fyd, &iter)) != NULL)
            lrs_diag_add(d, e->line, e->column, "YAML syntax error: %s", e->msg);
        if (d->n == before && !d->oom)
            lrs_diag_add(d, 0, 0, "YAML syntax error");
    }
    if (r.fyp)
        fy_parser_destroy(r.fyp);
    fy_diag_destroy(fyd);
    return root;
}

const lrs_ynode_t *lrs_y_key(const lrs_ynode_t *map, int i)
{
    return map->items[2 * i];
}

const lrs_ynode_t *lrs_y_value(const lrs_ynode_t *map, int i)
{
    return map->items[2 * i + 1];
}

const lrs_ynode_t *lrs_y_get(const lrs_ynode_t *map, const char *key)
{
    if (!map || map->kind != LRS_Y_MAP)
        return NULL;
    for (int i = 0; i < map->n; i++)
        if (strcmp(lrs_y_key(map, i)->text, key) == 0)
            return lrs_y_value(map, i);
    return NULL;
}

/* ------------------------------------------------------------- reading */

const char *lrs_y_describe(const lrs_ynode_t *n, char *buf, size_t size)
{
    switch (n->kind) {
    case LRS_Y_NULL: return "nothing";
    case LRS_Y_SEQ: return "a list";
    case LRS_Y_MAP: return "a mapping";
    case LRS_Y_SCALAR: break;
    }
    snprintf(buf, size, n->quoted ? "the string \"%.60s\"" : "'%.60s'", n->text);
    return buf;
}

void lrs_y_names_join(const char *const *names, char *buf, size_t size)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; names[i] && used < size; i++) {
        int n = snprintf(buf + used, size - used, "%s%s", i ? ", " : "", names[i]);
        if (n < 0)
            break;
        used += (size_t)n;
    }
}

static int parse_number_text(const char *t, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(t, &end);
    if (end == t || *end != '\0' || errno == ERANGE || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

static int parse_integer_text(const char *t, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(t, &end, 10);
    if (end == t || *end != '\0' || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

int lrs_y_double(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, double *out)
{
    char tmp[96];
    if (n->kind != LRS_Y_SCALAR || n->quoted || parse_number_text(n->text, out) < 0) {
        LRS_YERR(c, n, "%s: expected a number, got %s", where, lrs_y_describe(n, tmp, sizeof tmp));
        return -1;
    }
    return 0;
}

int lrs_y_integer(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, long long lo, long long hi,
                  long long *out)
{
    char tmp[96];
    if (n->kind != LRS_Y_SCALAR || n->quoted || parse_integer_text(n->text, out) < 0) {
        LRS_YERR(c, n, "%s: expected an integer, got %s", where, lrs_y_describe(n, tmp, sizeof tmp));
        return -1;
    }
    if (*out < lo || *out > hi) {
        LRS_YERR(c, n, "%s: %lld is out of range: expected %lld..%lld", where, *out, lo, hi);
        return -1;
    }
    return 0;
}

int lrs_y_int(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, int lo, int hi, int *out)
{
    long long v;
    if (lrs_y_integer(c, n, where, lo, hi, &v) < 0)
        return -1;
    *out = (int)v;
    return 0;
}

int lrs_y_bool_text(const char *t)
{
    if (strcmp(t, "true") == 0 || strcmp(t, "True") == 0 || strcmp(t, "TRUE") == 0)
        return 1;
    if (strcmp(t, "false") == 0 || strcmp(t, "False") == 0 || strcmp(t, "FALSE") == 0)
        return 0;
    return -1;
}

int lrs_y_bool(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, int *out)
{
    char tmp[96];
    int b = n->kind == LRS_Y_SCALAR && !n->quoted ? lrs_y_bool_text(n->text) : -1;
    if (b < 0) {
        LRS_YERR(c, n, "%s: expected true or false, got %s", where, lrs_y_describe(n, tmp, sizeof tmp));
        return -1;
    }
    *out = b;
    return 0;
}

int lrs_y_string(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, const char **out)
{
    char tmp[96];
    if (n->kind != LRS_Y_SCALAR || n->text[0] == '\0') {
        LRS_YERR(c, n, "%s: expected a non-empty string, got %s", where,
                 lrs_y_describe(n, tmp, sizeof tmp));
        return -1;
    }
    *out = lrs_arena_strndup(c->arena, n->text, strlen(n->text));
    return *out ? 0 : -1;
}

int lrs_y_names_index(const char *const *names, const char *name)
{
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

int lrs_y_enum(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, const char *const *names,
               int *out)
{
    char tmp[96], list[256];
    int k = n->kind == LRS_Y_SCALAR ? lrs_y_names_index(names, n->text) : -1;
    if (k < 0) {
        lrs_y_names_join(names, list, sizeof list);
        LRS_YERR(c, n, "%s: expected one of %s, got %s", where, list, lrs_y_describe(n, tmp, sizeof tmp));
        return -1;
    }
    *out = k;
    return 0;
}

int lrs_y_check_mapping(lrs_yctx_t *c, const lrs_ynode_t *map, const char *where,
                        const char *const *allowed)
{
    char tmp[96], list[512] = "";
    if (map->kind != LRS_Y_MAP) {
        LRS_YERR(c, map, "%s: expected a mapping, got %s", where, lrs_y_describe(map, tmp, sizeof tmp));
        return -1;
    }
    for (int i = 0; i < map->n; i++) {
        const lrs_ynode_t *key = lrs_y_key(map, i);
        if (lrs_y_names_index(allowed, key->text) < 0) {
            if (!list[0])
                lrs_y_names_join(allowed, list, sizeof list);
            LRS_YERR(c, key, "%s: unknown key '%s': expected one of %s", where, key->text, list);
        }
    }
    return 0;
}

