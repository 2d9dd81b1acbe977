/* csv.c — see csv.h.  The CSV reader: tokenizer, numbers, header and rows.
 *
 * The reader is a single forward pass over the text with a small field
 * tokenizer (RFC 4180: commas, double quotes with "" escapes, LF or CRLF).
 * Numbers are converted with strtod from a stack copy of the cell, straight
 * into the row-major feature matrix, so there is no allocation per cell; the
 * matrices grow geometrically from an estimate made by counting newlines.
 * Classification labels are copied once into one arena, then sorted to give
 * class ids in LabelEncoder order (csv_labels.c).  Every rejection names
 * FILE:LINE:COLUMN (1-based physical line, 1-based field index) and is a
 * usage error (exit 2); hostile text (NUL bytes, enormous fields, ragged
 * rows) is reported, never trusted.
 *
 * Everything the reader does per byte or per field — the tokenizer, the
 * number parser, the cell handlers and the row loop — is in this one
 * translation unit, so the compiler sees the whole hot loop; the other files
 * of the reader (csv_parse.c, csv_columns.c, csv_labels.c) run once per parse
 * or only on the way out with an error.
 */
#include "common/csv.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/csv_columns.h"
#include "common/csv_labels.h"
#include "common/csv_parse.h"

#define LRS_CSV_MAX_COLUMNS 100000
#define LRS_CSV_MAX_NUMBER_LEN 1024   /* longer cells are not numbers we accept */

/* ---------------------------------------------------------------- tokenizer */

enum { FIELD_MORE, FIELD_LAST };   /* a comma follows / the record ended */

/* Bytes that end an unquoted field's fast scan. */
static const unsigned char csv_stop[256] = {
    [','] = 1, ['\n'] = 1, ['\r'] = 1, ['"'] = 1,
};

/* Ends the record or the field after a closing quote or unquoted content at q.
 * Returns FIELD_MORE / FIELD_LAST, or -1 when q holds another byte. */
static int csv_terminator(lrs_csv_reader_t *r, const char *q)
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
static int csv_next_field(lrs_csv_reader_t *r, int col, lrs_csv_field_t *f)
{
    const char *start = r->pos, *end = r->end;
    f->line = r->line;
    f->escapes = 0;
    if (start < end && *start == '"') {
        const char *q = start + 1;
        for (;;) {
            const char *quote = memchr(q, '"', (size_t)(end - q));
            if (!quote)
                return lrs_csv_fail(r, f->line, col, "unterminated quoted field");
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
                return lrs_csv_fail(r, r->line, col, "unexpected character after closing quote");
            return t;
        }
    }
    const char *q = start;
    for (;;) {
        while (q < end && !csv_stop[(unsigned char)*q])
            q++;
        if (q < end && *q == '"')
            return lrs_csv_fail(r, f->line, col, "quote inside an unquoted field");
        f->p = start;
        f->len = (size_t)(q - start);
        int t = csv_terminator(r, q);
        if (t >= 0)
            return t;
        q++;   /* a bare CR is content */
    }
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

/* ---------------------------------------------------------------- storage */

static void *grow(void *p, size_t count, size_t size)
{
    if (count == 0)
        count = 1;
    if (count > SIZE_MAX / size)
        return NULL;
    return realloc(p, count * size);
}

/* Makes room for at least `want` rows. */
static int reserve_rows(lrs_csv_parse_t *p, size_t want)
{
    if (want <= p->cap)
        return 0;
    size_t cap = p->cap ? p->cap : 64;
    while (cap < want)
        cap *= 2;
    double *X = grow(p->X, cap * (size_t)p->n_features, sizeof *X);
    if (!X)
        return lrs_csv_oom(p->r.err, p->r.name);
    p->X = X;
    double *Y = grow(p->Y, cap * (size_t)p->n_targets, sizeof *Y);
    if (!Y)
        return lrs_csv_oom(p->r.err, p->r.name);
    p->Y = Y;
    if (p->mode == LRS_CSV_TARGET_LABEL) {
        size_t *off = grow(p->label_off, cap, sizeof *off);
        if (!off)
            return lrs_csv_oom(p->r.err, p->r.name);
        p->label_off = off;
        size_t *len = grow(p->label_len, cap, sizeof *len);
        if (!len)
            return lrs_csv_oom(p->r.err, p->r.name);
        p->label_len = len;
    }
    p->cap = cap;
    return 0;
}

/* ---------------------------------------------------------------- header */

static int read_header(lrs_csv_parse_t *p)
{
    lrs_csv_reader_t *r = &p->r;
    size_t cap = 16;
    p->col_names = malloc(cap * sizeof *p->col_names);
    if (!p->col_names)
        return lrs_csv_oom(r->err, r->name);
    int t;
    do {
        int col = p->n_cols + 1;
        if (col > LRS_CSV_MAX_COLUMNS)
            return lrs_csv_fail(r, 1, col, "too many columns (limit %d)", LRS_CSV_MAX_COLUMNS);
        lrs_csv_field_t f;
        t = csv_next_field(r, col, &f);
        if (t < 0)
            return -1;
        if (f.len == 0)
            return lrs_csv_fail(r, f.line, col, "empty column name");
        if (p->has_nul && memchr(f.p, '\0', f.len))
            return lrs_csv_fail(r, f.line, col, "NUL byte in field");
        if ((size_t)p->n_cols == cap) {
            char **names = grow(p->col_names, cap * 2, sizeof *names);
            if (!names)
                return lrs_csv_oom(r->err, r->name);
            p->col_names = names;
            cap *= 2;
        }
        size_t n = lrs_csv_field_unescape(&f, NULL);
        char *name = malloc(n + 1);
        if (!name)
            return lrs_csv_oom(r->err, r->name);
        lrs_csv_field_unescape(&f, name);
        name[n] = '\0';
        p->col_names[p->n_cols++] = name;
    } while (t == FIELD_MORE);
    return 0;
}

/* ---------------------------------------------------------------- rows */

static int target_cell(lrs_csv_parse_t *p, const lrs_csv_field_t *f, int col, int t)
{
    lrs_csv_reader_t *r = &p->r;
    size_t row = p->rows;
    double v = 0.0;
    int kind = f->escapes ? NUM_BAD : parse_number(f->p, f->len, &v);
    if (p->mode == LRS_CSV_TARGET_NUMERIC) {
        if (kind == NUM_OK) {
            p->Y[row * (size_t)p->n_targets + (size_t)t] = v;
            return 0;
        }
        lrs_excerpt_t name;   /* a target's name is the spec's text */
        lrs_csv_quote(name, p->col_names[col - 1], strlen(p->col_names[col - 1]));
        if (kind == NUM_EMPTY)
            return lrs_csv_fail(r, f->line, col, "empty value in target column %s", name);
        if (kind == NUM_NONFINITE)
            return lrs_csv_fail(r, f->line, col,
                                "non-finite value in target column %s (expected a finite number)",
                                name);
        if (p->task_hint < 0)
            return lrs_csv_fail(r, f->line, col,
                                "non-numeric value in target column %s: classification takes "
                                "exactly one target column, got %d",
                                name, p->n_targets);
        return lrs_csv_fail(r, f->line, col,
                            "non-numeric value in target column %s (expected a number: the task "
                            "is regression)",
                            name);
    }
    if (kind == NUM_EMPTY) {
        lrs_excerpt_t name;
        lrs_csv_quote(name, p->col_names[col - 1], strlen(p->col_names[col - 1]));
        return lrs_csv_fail(r, f->line, col, "empty value in target column %s", name);
    }
    size_t n = lrs_csv_field_unescape(f, p->arena + p->arena_len);
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
        }
    } else {
        p->all_numeric = 0;
    }
    return 0;
}

static int feature_cell(lrs_csv_parse_t *p, const lrs_csv_field_t *f, int col, int j)
{
    double v;
    int kind = f->escapes ? NUM_BAD : parse_number(f->p, f->len, &v);
    if (kind == NUM_OK) {
        p->X[p->rows * (size_t)p->n_features + (size_t)j] = v;
        return 0;
    }
    /* A feature's name and text are the file's, so neither is shown. */
    if (kind == NUM_EMPTY)
        return lrs_csv_fail(&p->r, f->line, col, "empty value in feature column %d (expected a "
                            "number)", col);
    if (kind == NUM_NONFINITE)
        return lrs_csv_fail(&p->r, f->line, col, "non-finite value in feature column %d "
                            "(expected a finite number)", col);
    return lrs_csv_fail(&p->r, f->line, col, "non-numeric value in feature column %d (expected "
                        "a number)", col);
}

/* Parses one record into row p->rows. */
static int read_row(lrs_csv_parse_t *p)
{
    lrs_csv_reader_t *r = &p->r;
    long fields = 0;   /* long: a hostile line may hold more than INT_MAX commas */
    size_t extra_line = 0, last_line = r->line;
    int t;
    do {
        lrs_csv_field_t f;
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
            return lrs_csv_fail(r, f.line, col, "NUL byte in field");
        int rc = p->col_target[col - 1] >= 0
                     ? target_cell(p, &f, col, p->col_target[col - 1])
                     : feature_cell(p, &f, col, p->col_feature[col - 1]);
        if (rc < 0)
            return -1;
    } while (t == FIELD_MORE);
    if (fields < p->n_cols)
        return lrs_csv_fail(r, last_line, (int)fields + 1, "too few fields: expected %d, got %ld",
                            p->n_cols, fields);
    if (fields > p->n_cols)
        return lrs_csv_fail(r, extra_line, p->n_cols + 1, "too many fields: expected %d, got %ld",
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

static int read_rows(lrs_csv_parse_t *p)
{
    lrs_csv_reader_t *r = &p->r;
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
    if (p->mode == LRS_CSV_TARGET_LABEL) {
        p->arena = malloc(body + 1);
        if (!p->arena)
            return lrs_csv_oom(r->err, r->name);
    }
    while (r->pos < r->end) {
        if (*r->pos == '\n' || (*r->pos == '\r' && r->pos + 1 < r->end && r->pos[1] == '\n')) {
            if (only_line_breaks(r->pos, r->end))
                break;
            return lrs_csv_fail(r, r->line, 1, "blank line inside the data");
        }
        if ((p->rows + 1) * (size_t)p->n_cols > LRS_DATASET_MAX_CELLS)
            return lrs_csv_fail(r, r->line, 1, "too many cells (limit %zu)", LRS_DATASET_MAX_CELLS);
        if (reserve_rows(p, p->rows + 1) < 0 || read_row(p) < 0)
            return -1;
    }
    if (p->rows == 0)
        return lrs_csv_fail(r, 1, 1, "no data rows after the header");
    return 0;
}

/* ---------------------------------------------------------------- public */

static char **take_names(lrs_csv_parse_t *p, int want_target, int count)
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
    lrs_csv_parse_t p;
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
    p.r = (lrs_csv_reader_t){name, text, text + len, 1, err};
    p.task_hint = task_hint;
    p.has_nul = memchr(text, '\0', len) != NULL;
    p.all_numeric = 1;
    if (len >= 3 && memcmp(text, "\xef\xbb\xbf", 3) == 0)
        p.r.pos += 3;   /* a UTF-8 byte-order mark */
    if (only_line_breaks(p.r.pos, p.r.end)) {
        lrs_csv_fail(&p.r, 1, 1, "empty file (expected a header row)");
        goto done;
    }
    if (*p.r.pos == '\n' || *p.r.pos == '\r') {
        lrs_csv_fail(&p.r, 1, 1, "blank header row");
        goto done;
    }
    if (read_header(&p) < 0 || lrs_csv_assign_columns(&p, targets, n_targets) < 0)
        goto done;
    p.mode = task_hint == LRS_TASK_REGRESSION || n_targets > 1 ? LRS_CSV_TARGET_NUMERIC
                                                               : LRS_CSV_TARGET_LABEL;
    if (read_rows(&p) < 0)
        goto done;
    out->task = LRS_TASK_REGRESSION;
    if (p.mode == LRS_CSV_TARGET_LABEL && lrs_csv_finish_targets(&p, out) < 0)
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
        lrs_csv_oom(err, name);
        goto done;
    }
    rc = 0;
done:
    lrs_csv_parse_free(&p);
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
        lrs_csv_oom(err, path);
        goto done;
    }
    for (;;) {
        if (len == cap) {
            char *bigger = cap <= SIZE_MAX / 2 ? realloc(text, cap * 2) : NULL;
            if (!bigger) {
                lrs_csv_oom(err, path);
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
