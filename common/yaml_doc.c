/* yaml_doc.c — a located YAML tree from libfyaml's events, and typed
 * readers over it (see yaml_doc.h).
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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define YAML_MAX_DEPTH 64

/* ------------------------------------------------------------ the tree */

typedef struct yreader {
    struct fy_parser *fyp;
    lrs_arena_t *arena;
    lrs_diags_t *d;
    const char *what;
    int failed;
} yreader_t;

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
        size_t len = 0;
        const char *t = ev->scalar.value ? fy_token_get_text(ev->scalar.value, &len) : NULL;
        node->quoted = ev->scalar.value && fy_token_scalar_style(ev->scalar.value) != FYSS_PLAIN;
        node->text = lrs_arena_strndup(r->arena, t ? t : "", t ? len : 0);
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

const lrs_ynode_t *lrs_y_read(const char *text, size_t len, const char *what, lrs_arena_t *arena,
                              lrs_diags_t *d)
{
    static const lrs_ynode_t no_document = {.kind = LRS_Y_NULL, .text = ""};
    struct fy_diag_cfg dcfg;
    fy_diag_cfg_default(&dcfg);
    dcfg.fp = NULL;
    struct fy_diag *fyd = fy_diag_create(&dcfg);
    yreader_t r = {.arena = arena, .d = d, .what = what};
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

