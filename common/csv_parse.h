/* csv_parse.h — the state the CSV reader's files share (internal to the reader).
 *
 * The reader is split by job: csv.c tokenizes and fills the matrices (the hot
 * loop, kept in one translation unit), csv_columns.c resolves what each
 * header column is, csv_labels.c decides the task and numbers the classes.
 * They meet here: the reader cursor, a field as the tokenizer returns it,
 * the parse under way, and the one way every rejection is worded
 * ("FILE:LINE:COLUMN: what", a usage error).
 *
 * A message never shows bytes of the file: a data file may be anything the
 * user can read (a spec may name /etc/passwd), and its errors reach logs,
 * terminals and workers' coordinators.  It names the position, the problem
 * and what was expected there; the only text it quotes is a target
 * column's name, which is the spec's own (matched byte for byte).
 * Nothing outside the CSV reader includes this header; the public face is
 * csv.h.
 */
#ifndef LRS_CSV_PARSE_H
#define LRS_CSV_PARSE_H

#include <stddef.h>
#include <string.h>

#include "common/err.h"

#define LRS_CSV_QUOTE_MAX 40          /* bytes of a spec's name shown in a message */

typedef char lrs_excerpt_t[LRS_CSV_QUOTE_MAX * 4 + 8];

typedef struct lrs_csv_reader {
    const char *name;     /* for messages */
    const char *pos;      /* next unread byte */
    const char *end;
    size_t line;          /* 1-based physical line of pos */
    lrs_err_t *err;
} lrs_csv_reader_t;

typedef struct lrs_csv_field {
    const char *p;        /* content; between the quotes when quoted */
    size_t len;
    int escapes;          /* quoted content holds "" pairs */
    size_t line;          /* physical line where the field starts */
} lrs_csv_field_t;

typedef enum { LRS_CSV_TARGET_NUMERIC, LRS_CSV_TARGET_LABEL } lrs_csv_target_mode_t;

typedef struct lrs_csv_parse {
    lrs_csv_reader_t r;
    int has_nul;                 /* the text holds a NUL byte somewhere */
    int n_cols;
    char **col_names;            /* n_cols, owned until moved into the data set */
    int *col_feature;            /* column → feature index, or -1 */
    int *col_target;             /* column → target index, or -1 */
    int n_features, n_targets;
    int task_hint;
    lrs_csv_target_mode_t mode;

    size_t rows, cap;            /* rows parsed, rows allocated */
    double *X, *Y;               /* cap × n_features, cap × n_targets */
    size_t *label_off;           /* LRS_CSV_TARGET_LABEL: cap offsets into arena */
    size_t *label_len;
    char *arena;                 /* LRS_CSV_TARGET_LABEL: unescaped labels, back to back */
    size_t arena_len;

    int all_numeric;             /* LRS_CSV_TARGET_LABEL: every label parsed as a number */
    int nonfinite_seen;          /* first non-finite target, for later errors */
    size_t nonfinite_line;
    int nonfinite_col;
} lrs_csv_parse_t;

/* Sets r->err to the usage error "NAME:LINE:COL: <fmt...>" and returns -1. */
int lrs_csv_fail(lrs_csv_reader_t *r, size_t line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* Writes s[0..n) — a name the spec gave, never the file's text — as a
 * double-quoted, printable excerpt for messages: control and non-ASCII
 * bytes become \xHH, and text past LRS_CSV_QUOTE_MAX bytes is cut with
 * "...".  out must hold LRS_CSV_QUOTE_MAX * 4 + 8 bytes. */
void lrs_csv_quote(char *out, const char *s, size_t n);

/* Sets err to the runtime error "NAME: out of memory" and returns -1. */
int lrs_csv_oom(lrs_err_t *err, const char *name);

/* Frees what the parse owns (names, role maps, matrices, labels). */
void lrs_csv_parse_free(lrs_csv_parse_t *p);

/* Length of the field's text once "" escapes are collapsed; copies it to dst
 * (may be NULL) without a terminator. */
static inline size_t lrs_csv_field_unescape(const lrs_csv_field_t *f, char *dst)
{
    if (!f->escapes) {
        if (dst)
            memcpy(dst, f->p, f->len);
        return f->len;
    }
    size_t n = 0;
    for (size_t i = 0; i < f->len; i++) {
        if (dst)
            dst[n] = f->p[i];
        n++;
        if (f->p[i] == '"')
            i++;   /* skip the second quote of the pair */
    }
    return n;
}

#endif
