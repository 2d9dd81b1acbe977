/* csv_parse.c — see csv_parse.h.  How the CSV reader words a rejection.
 *
 * Everything here runs once per parse or on the way out with an error, never
 * per field: the tokenizer's loop stays in csv.c.
 */
#include "common/csv_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

void lrs_csv_quote(char *out, const char *s, size_t n)
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

int lrs_csv_fail(lrs_csv_reader_t *r, size_t line, int col, const char *fmt, ...)
{
    char what[900];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    return lrs_err_set(r->err, LRS_EXIT_USAGE, "%s:%zu:%d: %s", r->name, line, col, what);
}

int lrs_csv_oom(lrs_err_t *err, const char *name)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", name);
}

void lrs_csv_parse_free(lrs_csv_parse_t *p)
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
