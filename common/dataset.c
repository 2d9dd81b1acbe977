/* dataset.c — see dataset.h.  CSV reading and the synthetic problem.
 *
 * The CSV reader is a single forward pass over the text with a small field
 * tokenizer (RFC 4180: commas, double quotes with "" escapes, LF or CRLF).
 * Numbers are converted with strtod from a stack copy of the cell, straight
 * into the row-major feature matrix, so there is no allocation per cell; the
 * matrices grow geometrically from an estimate made by counting newlines.
 * Classification labels are copied once into one arena, then sorted to give
 * class ids in LabelEncoder order.  Every rejection names FILE:LINE:COLUMN
 * (1-based physical line, 1-based field index) and is a usage error (exit 2);
 * hostile text (NUL bytes, enormous fields, ragged rows) is reported, never
 * trusted.
 */
#include "common/dataset.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/rng.h"

#define LRS_CSV_MAX_COLUMNS 100000
#define LRS_CSV_MAX_CELLS ((size_t)1 << 31)
#define LRS_CSV_MAX_NUMBER_LEN 1024   /* longer cells are not numbers we accept */
#define LRS_CSV_QUOTE_MAX 40          /* bytes of a cell shown in a message */

/* ---------------------------------------------------------------- messages */

/* Writes s[0..n) as a double-quoted, printable excerpt for messages:
 * control and non-ASCII bytes become \xHH, and text past LRS_CSV_QUOTE_MAX
 * bytes is cut with "...".  out must hold LRS_CSV_QUOTE_MAX * 4 + 8 bytes. */
static void quote_excerpt(char *out, const char *s, size_t n)
{
    char *o = out;
    *o++ = '"';
    size_t shown = n < LRS_CSV_QUOTE_MAX ? n : LRS_CSV_QUOTE_MAX;
    for (size_t i = 0; i < shown; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            *o++ = '\\';
            *o++ = (char)c;
        } else if (c < 0x20 || c >= 0x7f) {
            o += sprintf(o, "\\x%02x", c);
        } else {
            *o++ = (char)c;
        }
    }
    *o++ = '"';
    if (shown < n) {
        memcpy(o, "...", 3);
        o += 3;
    }
    *o = '\0';
}

typedef char lrs_excerpt_t[LRS_CSV_QUOTE_MAX * 4 + 8];

/* ---------------------------------------------------------------- tokenizer */

typedef struct csv_reader {
    const char *name;     /* for messages */
    const char *pos;      /* next unread byte */
    const char *end;
    size_t line;          /* 1-based physical line of pos */
    lrs_err_t *err;
} csv_reader_t;

typedef struct csv_field {
    const char *p;        /* content; between the quotes when quoted */
    size_t len;
    int escapes;          /* quoted content holds "" pairs */
    size_t line;          /* physical line where the field starts */
} csv_field_t;

enum { FIELD_MORE, FIELD_LAST };   /* a comma follows / the record ended */

static int csv_fail(csv_reader_t *r, size_t line, int col, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int csv_fail(csv_reader_t *r, size_t line, int col, const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return lrs_err_set(r->err, LRS_EXIT_USAGE, "%s:%zu:%d: %s", r->name, line, col, what);
}

/* Bytes that end an unquoted field's fast scan. */
static const unsigned char csv_stop[256] = {
    [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1,
};

/* Ends the record or the field after a closing quote or unquoted content at q.
 * Returns FIELD_MORE / FIELD_LAST, or -1 when q holds another byte. */
static int csv_terminator(csv_reader_t *r, const char *q)
{
    if (q == r->end) {
        r->pos = q;
        return FIELD_LAST;
    }
    if (*q == ',') {
        r->pos = q + 1;
        return FIELD_MORE;
    }
    if (*q == '\n') {
        r->pos = q + 1;
        r->line++;
        return FIELD_LAST;
    }
    if (*q == '\r' && (q + 1 == r->end || q[1] == '\n')) {
        r->pos = q + 1 == r->end ? q + 1 : q + 2;
        r->line += q + 1 != r->end;
        return FIELD_LAST;
    }
    return -1;
}

static size_t count_newlines(const char *p, const char *end)
{
    size_t n = 0;
    while (p < end && (p = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        n++;
        p++;
    }
    return n;
}

/* Reads the field starting at r->pos (field index col, 1-based, for
 * messages).  Returns FIELD_MORE, FIELD_LAST or -1 with r->err set. */
static int csv_next_field(csv_reader_t *r, int col, csv_field_t *f)
{
    const char *start = r->pos, *end = r->end;
    f->line = r->line;
    f->escapes = 0;
    if (start < end && *start == '"') {
        const char *q = start + 1;
        for (;;) {
            const char *quote = memchr(q, '"', (size_t)(end - q));
            if (!quote)
                return csv_fail(r, f->line, col, "unterminated quoted field");
            r->line += count_newlines(q, quote);
            if (quote + 1 < end && quote[1] == '"') {
                f->escapes = 1;
                q = quote + 2;
                continue;
            }
            f->p = start + 1;
            f->len = (size_t)(quote - (start + 1));
            int t = csv_terminator(r, quote + 1);
            if (t < 0)
                return csv_fail(r, r->line, col, "unexpected character after closing quote");
            return t;
        }
    }
    const char *q = start;
    for (;;) {
        while (q < end && !csv_stop[(unsigned char)*q])
            q++;
        if (q < end && *q == '"')
            return csv_fail(r, f->line, col, "quote inside an unquoted field");
        f->p = start;
        f->len = (size_t)(q - start);
        int t = csv_terminator(r, q);
        if (t >= 0)
            return t;
        q++;   /* a bare CR is content */
    }
}

/* Length of the field's text once "" escapes are collapsed; copies it to dst
 * (may be NULL) without a terminator. */
static size_t field_unescape(const csv_field_t *f, char *dst)
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

static void field_excerpt(const csv_field_t *f, char *out)
{
    /* Unescape a bounded prefix: enough to show LRS_CSV_QUOTE_MAX bytes and
     * to know whether the cell is longer. */
    char tmp[2 * LRS_CSV_QUOTE_MAX + 2];
    csv_field_t head = *f;
    if (head.len > sizeof tmp)
        head.len = sizeof tmp;
    quote_excerpt(out, tmp, field_unescape(&head, tmp));
}

/* ---------------------------------------------------------------- numbers */

enum { NUM_OK, NUM_EMPTY, NUM_BAD, NUM_NONFINITE };

/* Clinger's fast path: a plain decimal [+-]d*[.d*][(e|E)[+-]d+] whose
 * significand has at most 15 digits (< 2^53, exact) and whose decimal
 * exponent is within ±22 (10^e exact) is one correctly rounded IEEE multiply
 * or divide away from its value — the same double strtod returns.  Returns
 * 0 when the text is not of that simple form, leaving it to strtod. */
static int parse_decimal_fast(const char *s, size_t n, double *out)
{
    static const double pow10[23] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};
    const char *p = s, *end = s + n;
    int negative = 0;
    if (p < end && (*p == '+' || *p == '-'))
        negative = *p++ == '-';
    uint64_t mantissa = 0;
    int digits = 0, significant = 0, scale = 0;
    for (; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
        if (mantissa == 0 && *p == '0')
            continue;
        if (++significant > 15)
            return 0;
        mantissa = mantissa * 10 + (uint64_t)(*p - '0');
    }
    if (p < end && *p == '.') {
        for (p++; p < end && *p >= '0' && *p <= '9'; p++, digits++) {
            scale--;
            if (mantissa == 0 && *p == '0')
                continue;
            if (++significant > 15)
                return 0;
            mantissa = mantissa * 10 + (uint64_t)(*p - '0');
        }
    }
    if (digits == 0)
        return 0;
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        int exp_negative = 0, exp_digits = 0, exponent = 0;
        if (p < end && (*p == '+' || *p == '-'))
            exp_negative = *p++ == '-';
        for (; p < end && *p >= '0' && *p <= '9'; p++, exp_digits++) {
            if (exponent > 1000)
                return 0;
            exponent = exponent * 10 + (*p - '0');
        }
        if (exp_digits == 0)
            return 0;
        scale += exp_negative ? -exponent : exponent;
    }
    if (p != end || scale < -22 || scale > 22)
        return 0;
    double v = (double)mantissa;
    v = scale < 0 ? v / pow10[-scale] : v * pow10[scale];
    *out = negative ? -v : v;
    return 1;
}

/* Parses a whole cell as a decimal number (surrounding spaces and tabs
 * allowed; hexadecimal refused).  NUM_NONFINITE covers nan, inf, overflow. */
static int parse_number(const char *s, size_t n, double *out)
{
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    if (n == 0)
        return NUM_EMPTY;
    if (parse_decimal_fast(s, n, out))
        return NUM_OK;
    if (n > LRS_CSV_MAX_NUMBER_LEN)
        return NUM_BAD;
    char buf[LRS_CSV_MAX_NUMBER_LEN + 1];
    memcpy(buf, s, n);
    buf[n] = '\0';
    const char *t = buf + (buf[0] == '+' || buf[0] == '-');
    if (isspace((unsigned char)t[0]) || (t[0] == '0' && (t[1] == 'x' || t[1] == 'X')))
        return NUM_BAD;
    char *endp;
    double v = strtod(buf, &endp);
    if (endp != buf + n)
        return NUM_BAD;
    if (!isfinite(v))
        return NUM_NONFINITE;
    *out = v;
    return NUM_OK;
}

/* ---------------------------------------------------------------- parser state */

typedef enum { TARGET_NUMERIC, TARGET_LABEL } target_mode_t;

typedef struct csv_parse {
    csv_reader_t r;
    int has_nul;                 /* the text holds a NUL byte somewhere */
    int n_cols;
    char **col_names;            /* n_cols, owned until moved into the data set */
    int *col_feature;            /* column → feature index, or -1 */
    int *col_target;             /* column → target index, or -1 */
    int n_features, n_targets;
    int task_hint;
    target_mode_t mode;

    size_t rows, cap;            /* rows parsed, rows allocated */
    double *X, *Y;               /* cap × n_features, cap × n_targets */
    size_t *label_off;           /* TARGET_LABEL: cap offsets into arena */
    size_t *label_len;
    char *arena;                 /* TARGET_LABEL: unescaped labels, back to back */
    size_t arena_len;

    int all_numeric;             /* TARGET_LABEL: every label parsed as a number */
    int nonfinite_seen;          /* first non-finite target, for later errors */
    size_t nonfinite_line;
    int nonfinite_col;
    lrs_excerpt_t nonfinite_text;
} csv_parse_t;

static void csv_parse_free(csv_parse_t *p)
{
    if (p->col_names) {
        for (int c = 0; c < p->n_cols; c++)
            free(p->col_names[c]);
        free(p->col_names);
    }
    free(p->col_feature);
    free(p->col_target);
    free(p->X);
    free(p->Y);
    free(p->label_off);
    free(p->label_len);
    free(p->arena);
}

static int oom(lrs_err_t *err, const char *name)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", name);
}

static void *grow(void *p, size_t count, size_t size)
{
    if (count == 0)
        count = 1;
    if (count > SIZE_MAX / size)
        return NULL;
    return realloc(p, count * size);
}

/* Makes room for at least `want` rows. */
static int reserve_rows(csv_parse_t *p, size_t want)
{
    if (want <= p->cap)
        return 0;
    size_t cap = p->cap ? p->cap : 64;
    while (cap < want)
        cap *= 2;
    double *X = grow(p->X, cap * (size_t)p->n_features, sizeof *X);
    if (!X)
        return oom(p->r.err, p->r.name);
    p->X = X;
    double *Y = grow(p->Y, cap * (size_t)p->n_targets, sizeof *Y);
    if (!Y)
        return oom(p->r.err, p->r.name);
    p->Y = Y;
    if (p->mode == TARGET_LABEL) {
        size_t *off = grow(p->label_off, cap, sizeof *off);
        if (!off)
            return oom(p->r.err, p->r.name);
        p->label_off = off;
        size_t *len = grow(p->label_len, cap, sizeof *len);
        if (!len)
            return oom(p->r.err, p->r.name);
        p->label_len = len;
    }
    p->cap = cap;
    return 0;
}

/* ---------------------------------------------------------------- header */

typedef struct name_ref {
    const char *name;
    int col;
} name_ref_t;

static int name_ref_cmp(const void *a, const void *b)
{
    const name_ref_t *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->col > y->col) - (x->col < y->col);
}

static int read_header(csv_parse_t *p)
{
    csv_reader_t *r = &p->r;
    size_t cap = 16;
    p->col_names = malloc(cap * sizeof *p->col_names);
    if (!p->col_names)
        return oom(r->err, r->name);
    int t;
    do {
        int col = p->n_cols + 1;
        if (col > LRS_CSV_MAX_COLUMNS)
            return csv_fail(r, 1, col, "too many columns (limit %d)", LRS_CSV_MAX_COLUMNS);
        csv_field_t f;
        t = csv_next_field(r, col, &f);
        if (t < 0)
            return -1;
        if (f.len == 0)
            return csv_fail(r, f.line, col, "empty column name");
        if (p->has_nul && memchr(f.p, '\0', f.len))
            return csv_fail(r, f.line, col, "NUL byte in field");
        if ((size_t)p->n_cols == cap) {
            char **names = grow(p->col_names, cap * 2, sizeof *names);
            if (!names)
                return oom(r->err, r->name);
            p->col_names = names;
            cap *= 2;
        }
        size_t n = field_unescape(&f, NULL);
        char *name = malloc(n + 1);
        if (!name)
            return oom(r->err, r->name);
        field_unescape(&f, name);
        name[n] = '\0';
        p->col_names[p->n_cols++] = name;
    } while (t == FIELD_MORE);
    return 0;
}

/* Appends "a, b, c" (bounded) to buf. */
static void list_columns(const csv_parse_t *p, char *buf, size_t cap)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int c = 0; c < p->n_cols; c++) {
        size_t need = strlen(p->col_names[c]) + 2;
        if (used + need + 32 >= cap) {
            snprintf(buf + used, cap - used, "... (%d columns)", p->n_cols);
            return;
        }
        used += (size_t)snprintf(buf + used, cap - used, "%s%s", c ? ", " : "",
                                 p->col_names[c]);
    }
}

/* Checks names, resolves the targets and the role of every column. */
static int assign_columns(csv_parse_t *p, const char *const *targets, int n_targets)
{
    csv_reader_t *r = &p->r;
    int rc = -1;
    name_ref_t *sorted = malloc((size_t)p->n_cols * sizeof *sorted);
    p->col_feature = malloc((size_t)p->n_cols * sizeof *p->col_feature);
    p->col_target = malloc((size_t)p->n_cols * sizeof *p->col_target);
    if (!sorted || !p->col_feature || !p->col_target) {
        oom(r->err, r->name);
        goto done;
    }
    for (int c = 0; c < p->n_cols; c++) {
        sorted[c] = (name_ref_t){p->col_names[c], c};
        p->col_target[c] = -1;
    }
    qsort(sorted, (size_t)p->n_cols, sizeof *sorted, name_ref_cmp);
    int dup_first = -1, dup_second = -1;
    for (int i = 1; i < p->n_cols; i++) {
        if (strcmp(sorted[i - 1].name, sorted[i].name) == 0 &&
            (dup_second < 0 || sorted[i].col < dup_second)) {
            dup_first = sorted[i - 1].col;
            dup_second = sorted[i].col;
        }
    }
    if (dup_second >= 0) {
        lrs_excerpt_t q;
        quote_excerpt(q, p->col_names[dup_second], strlen(p->col_names[dup_second]));
        csv_fail(r, 1, dup_second + 1, "duplicate column name %s (also column %d)", q,
                 dup_first + 1);
        goto done;
    }
    for (int t = 0; t < n_targets; t++) {
        name_ref_t key = {targets[t], -1};
        const name_ref_t *hit = NULL;
        int lo = 0, hi = p->n_cols;   /* first entry ≥ key */
        while (lo < hi) {
            int mid = lo + (hi - lo) / 2;
            if (name_ref_cmp(&sorted[mid], &key) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo < p->n_cols && strcmp(sorted[lo].name, targets[t]) == 0)
            hit = &sorted[lo];
        if (!hit) {
            char cols[700];
            lrs_excerpt_t q;
            list_columns(p, cols, sizeof cols);
            quote_excerpt(q, targets[t], strlen(targets[t]));
            csv_fail(r, 1, 1, "unknown target column %s; available columns: %s", q, cols);
            goto done;
        }
        if (p->col_target[hit->col] >= 0) {
            lrs_excerpt_t q;
            quote_excerpt(q, targets[t], strlen(targets[t]));
            lrs_err_set(r->err, LRS_EXIT_USAGE, "%s: target column %s given twice", r->name, q);
            goto done;
        }
        p->col_target[hit->col] = t;
    }
    p->n_targets = n_targets;
    for (int c = 0; c < p->n_cols; c++)
        p->col_feature[c] = p->col_target[c] >= 0 ? -1 : p->n_features++;
    if (p->n_features == 0) {
        csv_fail(r, 1, 1, "no feature columns: every column is a target");
        goto done;
    }
    if (p->task_hint == LRS_TASK_CLASSIFICATION && n_targets > 1) {
        int second = -1, seen = 0;
        for (int c = 0; c < p->n_cols && second < 0; c++)
            if (p->col_target[c] >= 0 && ++seen == 2)
                second = c;
        csv_fail(r, 1, second + 1, "classification takes exactly one target column, got %d",
                 n_targets);
        goto done;
    }
    rc = 0;
done:
    free(sorted);
    return rc;
}

/* ---------------------------------------------------------------- rows */

static int target_cell(csv_parse_t *p, const csv_field_t *f, int col, int t)
{
    csv_reader_t *r = &p->r;
    size_t row = p->rows;
    double v = 0.0;
    int kind = f->escapes ? NUM_BAD : parse_number(f->p, f->len, &v);
    if (p->mode == TARGET_NUMERIC) {
        if (kind == NUM_OK) {
            p->Y[row * (size_t)p->n_targets + (size_t)t] = v;
            return 0;
        }
        lrs_excerpt_t q, name;
        field_excerpt(f, q);
        quote_excerpt(name, p->col_names[col - 1], strlen(p->col_names[col - 1]));
        if (kind == NUM_EMPTY)
            return csv_fail(r, f->line, col, "empty value in column %s", name);
        if (kind == NUM_NONFINITE)
            return csv_fail(r, f->line, col, "non-finite value %s in column %s", q, name);
        if (p->task_hint < 0)
            return csv_fail(r, f->line, col,
                            "non-numeric value %s in target column %s: classification takes "
                            "exactly one target column, got %d",
                            q, name, p->n_targets);
        return csv_fail(r, f->line, col, "non-numeric value %s in column %s", q, name);
    }
    if (kind == NUM_EMPTY) {
        lrs_excerpt_t name;
        quote_excerpt(name, p->col_names[col - 1], strlen(p->col_names[col - 1]));
        return csv_fail(r, f->line, col, "empty value in column %s", name);
    }
    size_t n = field_unescape(f, p->arena + p->arena_len);
    p->label_off[row] = p->arena_len;
    p->label_len[row] = n;
    p->arena_len += n;
    if (kind == NUM_OK) {
        p->Y[row] = v;
    } else if (kind == NUM_NONFINITE) {
        if (!p->nonfinite_seen) {
            p->nonfinite_seen = 1;
            p->nonfinite_line = f->line;
            p->nonfinite_col = col;
            field_excerpt(f, p->nonfinite_text);
        }
    } else {
        p->all_numeric = 0;
    }
    return 0;
}

static int feature_cell(csv_parse_t *p, const csv_field_t *f, int col, int j)
{
    double v;
    int kind = f->escapes ? NUM_BAD : parse_number(f->p, f->len, &v);
    if (kind == NUM_OK) {
        p->X[p->rows * (size_t)p->n_features + (size_t)j] = v;
        return 0;
    }
    lrs_excerpt_t q, name;
    field_excerpt(f, q);
    quote_excerpt(name, p->col_names[col - 1], strlen(p->col_names[col - 1]));
    if (kind == NUM_EMPTY)
        return csv_fail(&p->r, f->line, col, "empty value in column %s", name);
    if (kind == NUM_NONFINITE)
        return csv_fail(&p->r, f->line, col, "non-finite value %s in column %s", q, name);
    return csv_fail(&p->r, f->line, col, "non-numeric value %s in column %s", q, name);
}

/* Parses one record into row p->rows. */
static int read_row(csv_parse_t *p)
{
    csv_reader_t *r = &p->r;
    long fields = 0;   /* long: a hostile line may hold more than INT_MAX commas */
    size_t extra_line = 0, last_line = r->line;
    int t;
    do {
        csv_field_t f;
        int col = fields < p->n_cols ? (int)fields + 1 : p->n_cols + 1;
        t = csv_next_field(r, col, &f);
        if (t < 0)
            return -1;
        fields++;
        last_line = f.line;
        if (fields > p->n_cols) {
            if (fields == p->n_cols + 1)
                extra_line = f.line;
            continue;
        }
        if (p->has_nul && memchr(f.p, '\0', f.len))
            return csv_fail(r, f.line, col, "NUL byte in field");
        int rc = p->col_target[col - 1] >= 0
                     ? target_cell(p, &f, col, p->col_target[col - 1])
                     : feature_cell(p, &f, col, p->col_feature[col - 1]);
        if (rc < 0)
            return -1;
    } while (t == FIELD_MORE);
    if (fields < p->n_cols)
        return csv_fail(r, last_line, (int)fields + 1, "too few fields: expected %d, got %ld",
                        p->n_cols, fields);
    if (fields > p->n_cols)
        return csv_fail(r, extra_line, p->n_cols + 1, "too many fields: expected %d, got %ld",
                        p->n_cols, fields);
    p->rows++;
    return 0;
}

/* Nonzero when [p, end) holds only line breaks. */
static int only_line_breaks(const char *p, const char *end)
{
    for (; p < end; p++)
        if (*p != '\n' && *p != '\r')
            return 0;
    return 1;
}

static int read_rows(csv_parse_t *p)
{
    csv_reader_t *r = &p->r;
    /* A valid row has n_cols non-empty fields and n_cols - 1 commas, so the
     * text bounds the row count as tightly as the newline count does. */
    size_t body = (size_t)(r->end - r->pos);
    size_t estimate = count_newlines(r->pos, r->end) + 1;
    size_t by_size = body / (2 * (size_t)p->n_cols) + 1;
    if (by_size < estimate)
        estimate = by_size;
    if (estimate > (size_t)1 << 20)
        estimate = (size_t)1 << 20;   /* hostile text must not reserve gigabytes */
    if (reserve_rows(p, estimate) < 0)
        return -1;
    if (p->mode == TARGET_LABEL) {
        p->arena = malloc(body + 1);
        if (!p->arena)
            return oom(r->err, r->name);
    }
    while (r->pos < r->end) {
        if (*r->pos == '\n' || (*r->pos == '\r' && r->pos + 1 < r->end && r->pos[1] == '\n')) {
            if (only_line_breaks(r->pos, r->end))
                break;
            return csv_fail(r, r->line, 1, "blank line inside the data");
        }
        if ((p->rows + 1) * (size_t)p->n_cols > LRS_CSV_MAX_CELLS)
            return csv_fail(r, r->line, 1, "too many cells (limit %zu)", LRS_CSV_MAX_CELLS);
        if (reserve_rows(p, p->rows + 1) < 0 || read_row(p) < 0)
            return -1;
    }
    if (p->rows == 0)
        return csv_fail(r, 1, 1, "no data rows after the header");
    return 0;
}

/* ---------------------------------------------------------------- labels */

typedef struct label_ref {
    const char *p;
    size_t len;
    double value;
    uint32_t row;
} label_ref_t;

static int label_bytes_cmp(const void *a, const void *b)
{
    const label_ref_t *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->p, y->p, n);
    if (c)
        return c;
    return (x->len > y->len) - (x->len < y->len);
}

static int label_value_cmp(const void *a, const void *b)
{
    const label_ref_t *x = a, *y = b;
    return (x->value > y->value) - (x->value < y->value);
}

/* Integers as integers ("10"), other numbers as the first of %.15g, %.16g,
 * %.17g that reads back as v ("1.5", "0.1"). */
static char *format_number_label(double v)
{
    char buf[40];
    if (v == floor(v) && fabs(v) < 1e15) {
        snprintf(buf, sizeof buf, "%.0f", v == 0 ? 0.0 : v);   /* no "-0" */
        return strdup(buf);
    }
    for (int prec = 15; prec <= 17; prec++) {   /* %g drops trailing zeros */
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return strdup(buf);
}

/* Turns the stored labels into class ids (LabelEncoder order) in Y and the
 * sorted distinct labels into d->class_labels. */
static int encode_labels(csv_parse_t *p, int numeric, lrs_dataset_t *d)
{
    csv_reader_t *r = &p->r;
    int rc = -1;
    label_ref_t *refs = malloc(p->rows * sizeof *refs);
    if (!refs) {
        oom(r->err, r->name);
        goto done;
    }
    for (size_t i = 0; i < p->rows; i++)
        refs[i] = (label_ref_t){p->arena + p->label_off[i], p->label_len[i], p->Y[i],
                                (uint32_t)i};
    int (*cmp)(const void *, const void *) = numeric ? label_value_cmp : label_bytes_cmp;
    qsort(refs, p->rows, sizeof *refs, cmp);
    size_t n_classes = 0;
    for (size_t i = 0; i < p->rows; i++)
        n_classes += i == 0 || cmp(&refs[i - 1], &refs[i]) != 0;
    d->class_labels = calloc(n_classes, sizeof *d->class_labels);
    if (!d->class_labels) {
        oom(r->err, r->name);
        goto done;
    }
    d->n_classes = (int)n_classes;
    int id = -1;
    for (size_t i = 0; i < p->rows; i++) {
        if (i == 0 || cmp(&refs[i - 1], &refs[i]) != 0) {
            id++;
            char *label;
            if (numeric) {
                label = format_number_label(refs[i].value);
            } else {
                label = malloc(refs[i].len + 1);
                if (label) {
                    memcpy(label, refs[i].p, refs[i].len);
                    label[refs[i].len] = '\0';
                }
            }
            if (!label) {
                oom(r->err, r->name);
                goto done;
            }
            d->class_labels[id] = label;
        }
        p->Y[refs[i].row] = (double)id;
    }
    if (n_classes < 2) {
        int col = 0;
        while (p->col_target[col] < 0)
            col++;
        lrs_excerpt_t name, label;
        quote_excerpt(name, p->col_names[col], strlen(p->col_names[col]));
        quote_excerpt(label, d->class_labels[0], strlen(d->class_labels[0]));
        csv_fail(r, 1, col + 1, "classification target %s holds a single class %s", name,
                 label);
        goto done;
    }
    rc = 0;
done:
    free(refs);
    return rc;
}

/* Decides the task of a TARGET_LABEL parse and finishes Y. */
static int finish_targets(csv_parse_t *p, lrs_dataset_t *d)
{
    int classify = p->task_hint == LRS_TASK_CLASSIFICATION ||
                   (p->task_hint < 0 && !p->all_numeric);
    int numeric = p->all_numeric;
    if ((!classify || numeric) && p->nonfinite_seen) {
        lrs_excerpt_t name;
        const char *cname = p->col_names[p->nonfinite_col - 1];
        quote_excerpt(name, cname, strlen(cname));
        return csv_fail(&p->r, p->nonfinite_line, p->nonfinite_col,
                        "non-finite value %s in column %s", p->nonfinite_text, name);
    }
    d->task = classify ? LRS_TASK_CLASSIFICATION : LRS_TASK_REGRESSION;
    if (!classify)
        return 0;
    return encode_labels(p, numeric, d);
}

/* ---------------------------------------------------------------- public */

static char **take_names(csv_parse_t *p, int want_target, int count)
{
    char **names = calloc((size_t)count, sizeof *names);
    if (!names)
        return NULL;
    for (int c = 0; c < p->n_cols; c++) {
        int idx = want_target ? p->col_target[c] : p->col_feature[c];
        if (idx >= 0) {
            names[idx] = p->col_names[c];
            p->col_names[c] = NULL;
        }
    }
    return names;
}

int lrs_dataset_parse_csv(const char *name, const char *text, size_t len,
                          const char *const *targets, int n_targets, int task_hint,
                          lrs_dataset_t *out, lrs_err_t *err)
{
    csv_parse_t p;
    memset(&p, 0, sizeof p);
    memset(out, 0, sizeof *out);
    int rc = -1;
    if (!targets || n_targets <= 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: no target column given", name);
    for (int t = 0; t < n_targets; t++)
        if (!targets[t] || !targets[t][0])
            return lrs_err_set(err, LRS_EXIT_USAGE, "%s: empty target column name", name);
    if (!text) {
        text = "";
        len = 0;
    }
    p.r = (csv_reader_t){name, text, text + len, 1, err};
    p.task_hint = task_hint;
    p.has_nul = memchr(text, '\0', len) != NULL;
    p.all_numeric = 1;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p.r.pos += 3;   /* a UTF-8 byte-order mark */
    if (only_line_breaks(p.r.pos, p.r.end)) {
        csv_fail(&p.r, 1, 1, "empty file (expected a header row)");
        goto done;
    }
    if (*p.r.pos == '\n' || *p.r.pos == '\r') {
        csv_fail(&p.r, 1, 1, "blank header row");
        goto done;
    }
    if (read_header(&p) < 0 || assign_columns(&p, targets, n_targets) < 0)
        goto done;
    p.mode = task_hint == LRS_TASK_REGRESSION || n_targets > 1 ? TARGET_NUMERIC : TARGET_LABEL;
    if (read_rows(&p) < 0)
        goto done;
    out->task = LRS_TASK_REGRESSION;
    if (p.mode == TARGET_LABEL && finish_targets(&p, out) < 0)
        goto done;
    /* Hand the arrays over, trimmed to the rows actually read. */
    out->rows = (int)p.rows;
    out->n_features = p.n_features;
    out->n_targets = p.n_targets;
    out->X = grow(p.X, p.rows * (size_t)p.n_features, sizeof *out->X);
    out->Y = grow(p.Y, p.rows * (size_t)p.n_targets, sizeof *out->Y);
    if (!out->X)
        out->X = p.X;
    if (!out->Y)
        out->Y = p.Y;
    p.X = p.Y = NULL;
    out->feature_names = take_names(&p, 0, p.n_features);
    out->target_names = take_names(&p, 1, p.n_targets);
    if (!out->feature_names || !out->target_names) {
        oom(err, name);
        goto done;
    }
    rc = 0;
done:
    csv_parse_free(&p);
    if (rc < 0)
        lrs_dataset_free(out);
    return rc;
}

int lrs_dataset_load_csv(const char *path, const char *const *targets, int n_targets,
                         int task_hint, lrs_dataset_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    int rc = -1;
    char *text = NULL;
    size_t len = 0, cap = 1 << 16;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot open: %s", path, strerror(errno));
    text = malloc(cap);
    if (!text) {
        oom(err, path);
        goto done;
    }
    for (;;) {
        if (len == cap) {
            char *bigger = cap <= SIZE_MAX / 2 ? realloc(text, cap * 2) : NULL;
            if (!bigger) {
                oom(err, path);
                goto done;
            }
            text = bigger;
            cap *= 2;
        }
        ssize_t got = read(fd, text + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            lrs_err_set(err, errno == EISDIR ? LRS_EXIT_USAGE : LRS_EXIT_RUNTIME,
                        "%s: cannot read: %s", path, strerror(errno));
            goto done;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    rc = lrs_dataset_parse_csv(path, text, len, targets, n_targets, task_hint, out, err);
done:
    close(fd);
    free(text);
    return rc;
}

int lrs_dataset_synthetic(int rows, int features, int outputs, double noise, uint64_t seed,
                          lrs_dataset_t *out, lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    if (rows < 1 || features < 1 || outputs < 1)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "synthetic data: rows, features and outputs must be ≥ 1 "
                           "(got %d, %d, %d)", rows, features, outputs);
    if (!isfinite(noise) || noise < 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "synthetic data: noise must be finite and ≥ 0");
    if ((size_t)rows * (size_t)(features > outputs ? features : outputs) > LRS_CSV_MAX_CELLS ||
        (size_t)outputs * (size_t)features > LRS_CSV_MAX_CELLS)
        return lrs_err_set(err, LRS_EXIT_USAGE, "synthetic data: more than %zu cells",
                           LRS_CSV_MAX_CELLS);
    int rc = -1;
    size_t nx = (size_t)rows * (size_t)features, ny = (size_t)rows * (size_t)outputs;
    double *W = malloc((size_t)outputs * (size_t)features * sizeof *W);
    out->task = LRS_TASK_REGRESSION;
    out->rows = rows;
    out->n_features = features;
    out->n_targets = outputs;
    out->X = malloc(nx * sizeof *out->X);
    out->Y = malloc(ny * sizeof *out->Y);
    out->feature_names = calloc((size_t)features, sizeof *out->feature_names);
    out->target_names = calloc((size_t)outputs, sizeof *out->target_names);
    if (!W || !out->X || !out->Y || !out->feature_names || !out->target_names)
        goto oom;
    for (int j = 0; j < features; j++) {
        char name[24];
        snprintf(name, sizeof name, "x%d", j + 1);
        if (!(out->feature_names[j] = strdup(name)))
            goto oom;
    }
    for (int o = 0; o < outputs; o++) {
        char name[24];
        snprintf(name, sizeof name, "y%d", o + 1);
        if (!(out->target_names[o] = strdup(name)))
            goto oom;
    }
    /* One stream, drawn in a fixed order: X (rows × features, row-major),
     * then W (outputs × features), then the noise (rows × outputs). */
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_DATA));
    for (size_t i = 0; i < nx; i++)
        out->X[i] = lrs_rng_normal(&rng);
    for (size_t i = 0; i < (size_t)outputs * (size_t)features; i++)
        W[i] = lrs_rng_normal(&rng);
    /* Y (rows × outputs) = X (rows × features) · Wᵀ + noise · N(0,1) */
    for (int i = 0; i < rows; i++) {
        const double *x = out->X + (size_t)i * (size_t)features;
        for (int o = 0; o < outputs; o++) {
            const double *w = W + (size_t)o * (size_t)features;
            double s = 0.0;
            for (int j = 0; j < features; j++)
                s += x[j] * w[j];
            out->Y[(size_t)i * (size_t)outputs + (size_t)o] = s;
        }
    }
    for (size_t i = 0; i < ny; i++)
        out->Y[i] += noise * lrs_rng_normal(&rng);
    rc = 0;
    goto done;
oom:
    lrs_err_set(err, LRS_EXIT_RUNTIME, "synthetic data: out of memory");
    lrs_dataset_free(out);
done:
    free(W);
    return rc;
}

void lrs_dataset_free(lrs_dataset_t *d)
{
    if (!d)
        return;
    free(d->X);
    free(d->Y);
    if (d->class_labels)
        for (int i = 0; i < d->n_classes; i++)
            free(d->class_labels[i]);
    free(d->class_labels);
    if (d->feature_names)
        for (int j = 0; j < d->n_features; j++)
            free(d->feature_names[j]);
    free(d->feature_names);
    if (d->target_names)
        for (int t = 0; t < d->n_targets; t++)
            free(d->target_names[t]);
    free(d->target_names);
    memset(d, 0, sizeof *d);
}
