/* yaml_doc.h — one YAML document as a tree that knows where each node is.
 *
 * A spec's errors name file:line:column, so the loader needs the position of
 * every value; libfyaml 0.7's document API does not keep them.  lrs_y_read
 * builds a small tree from libfyaml's event parser instead: scalars as
 * written (and whether they were quoted), lists, and mappings whose keys are
 * distinct plain scalars, each node with its 1-based line and column.
 * Anchors/aliases and nesting deeper than 64 levels are refused, and text
 * libfyaml mishandles (invalid UTF-8, control characters, directives) is
 * refused before libfyaml sees it.
 *
 * On top of the tree, typed readers (lrs_y_double, lrs_y_int, lrs_y_enum, …)
 * turn a node into a C value or add an error at the node to a diagnostics
 * list (common/diag.h) in one fixed wording: "WHERE: expected a number, got
 * 'abc'".  Nothing here knows what a spec contains: the caller names each
 * value (WHERE) and its range or choices.
 *
 * The tree lives in the arena it was read into (common/arena.h) and is
 * read-only.  Names here start with lrs_y (YAML).
 */
#ifndef LRS_YAML_DOC_H
#define LRS_YAML_DOC_H

#include <stddef.h>

#include "common/arena.h"
#include "common/diag.h"

typedef enum { LRS_Y_NULL, LRS_Y_SCALAR, LRS_Y_SEQ, LRS_Y_MAP } lrs_ykind_t;

typedef struct lrs_ynode {
    lrs_ykind_t kind;            /* a plain empty, ~ or null scalar is LRS_Y_NULL */
    int line, column;            /* 1-based */
    const char *text;            /* scalars (and nulls): as written; "" otherwise */
    int quoted;                  /* a quoted scalar is a string, never a number */
    int n;                       /* sequence items / mapping pairs */
    struct lrs_ynode **items;    /* sequence: n items; mapping: key, value, key, value, … */
} lrs_ynode_t;

/* Parses the one YAML document in text[0..len) into a tree in arena.  An
 * empty text (no document at all) gives a null node at line 0, column 0.
 * Before libfyaml sees it, the text is checked in one linear pass, and
 * refused (NULL, at most 5 errors in d, each at its line:column) when it is
 * longer than max_len bytes ("the WHAT is longer than its limit of N bytes
 * (K KiB)"), is not strict UTF-8 ("byte 0xC3 is not valid UTF-8 (an
 * incomplete sequence)"; overlongs, surrogates and code points above
 * U+10FFFF are refused too), holds a control character other than tab, LF
 * and CR ("control character U+0014 is not allowed in a WHAT"; DEL and
 * U+0080..U+009F included), has a line starting with '%' ("YAML directives
 * (%...) are not accepted in a WHAT") or flow collections ([ {) nested
 * deeper than 64 levels outside quotes, comments and block scalars: inputs
 * on which libfyaml 0.8 hangs, reads out of bounds, or spends a second and
 * hundreds of MB before the tree could refuse them.
 * On an error returns NULL with the error(s) in d: libfyaml's syntax errors
 * ("YAML syntax error: …" at their position), "mapping keys must be plain
 * names", "YAML aliases (*name) are not supported in a WHAT", "a WHAT is one
 * YAML document; found a second one", "nested deeper than 64 levels"; out of
 * memory sets d->oom or arena->failed.  A duplicate key is an error in d
 * ("duplicate key 'k' (first at line L)") but the tree is still returned.
 * what names the document in messages ("spec"). */
const lrs_ynode_t *lrs_y_read(const char *text, size_t len, size_t max_len, const char *what,
                              lrs_arena_t *arena, lrs_diags_t *d);

/* Key / value of pair i (< map->n) of a mapping. */
const lrs_ynode_t *lrs_y_key(const lrs_ynode_t *map, int i);
const lrs_ynode_t *lrs_y_value(const lrs_ynode_t *map, int i);

/* Value of key in map; NULL when absent, or when map is NULL or not a
 * mapping. */
const lrs_ynode_t *lrs_y_get(const lrs_ynode_t *map, const char *key);

/* ------------------------------------------------------------- reading */

/* Where the typed readers report errors and copy strings. */
typedef struct lrs_yctx {
    lrs_diags_t *d;
    lrs_arena_t *arena;
} lrs_yctx_t;

/* lrs_diag_add at node's line:column; node is anything with line and
 * column (a YAML node, a search-space node). */
#define LRS_YERR(c, node, ...) lrs_diag_add((c)->d, (node)->line, (node)->column, __VA_ARGS__)

/* n for a message: "nothing", "a list", "a mapping", 'text' or the string
 * "text" (quoted), cut to 60 characters of text.  Returns buf or a constant
 * string. */
const char *lrs_y_describe(const lrs_ynode_t *n, char *buf, size_t size);

/* The NULL-terminated names as "a, b, c" in buf (cut to size). */
void lrs_y_names_join(const char *const *names, char *buf, size_t size);

/* Index of name among the NULL-terminated names, or -1. */
int lrs_y_names_index(const char *const *names, const char *name);

/* 1 for true/True/TRUE, 0 for false/False/FALSE, -1 for any other text. */
int lrs_y_bool_text(const char *t);

/* The readers: 0 and *out set when n holds what is asked; otherwise -1
 * with "WHERE: expected …, got …" added at n to c->d.  Numbers, integers
 * and booleans must be plain (unquoted) scalars. */

/* A finite number (the whole text, as strtod reads it). */
int lrs_y_double(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, double *out);

/* A base-10 integer in lo..hi ("WHERE: V is out of range: expected lo..hi"
 * otherwise; *out then holds V). */
int lrs_y_integer(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, long long lo, long long hi,
                  long long *out);

/* lrs_y_integer into an int. */
int lrs_y_int(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, int lo, int hi, int *out);

/* true or false (lrs_y_bool_text), as 1 or 0. */
int lrs_y_bool(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, int *out);

/* A non-empty scalar, quoted or not, copied into c->arena; also -1, with no
 * error added, when out of memory (c->arena->failed set). */
int lrs_y_string(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, const char **out);

/* A scalar equal to one of the NULL-terminated names: *out is its index. */
int lrs_y_enum(lrs_yctx_t *c, const lrs_ynode_t *n, const char *where, const char *const *names,
               int *out);

/* -1 (with an error) when map is not a mapping; otherwise 0, after adding
 * "WHERE: unknown key 'k': expected one of …" for each key not among the
 * NULL-terminated allowed names. */
int lrs_y_check_mapping(lrs_yctx_t *c, const lrs_ynode_t *map, const char *where,
                        const char *const *allowed);

#endif
