/* diag.c — collecting, sorting and printing a file's errors (see diag.h). */
#include "common/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "common/textesc.h"

#define MAX_DIAGS 100

void lrs_diag_add(lrs_diags_t *d, int line, int column, const char *fmt, ...)
{
    char buf[768];
    int same_place = 0;
    for (int i = 0; i < d->n && !same_place; i++)
        same_place = d->v[i].line == line && d->v[i].column == column;
    /* Once the list is full, an error at a new place is only counted: a
     * spec of 100,000 unknown keys costs no 100,000 formatted messages. */
    if (d->n == MAX_DIAGS && !same_place) {
        d->dropped++;
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    /* A check run once per combination of branches meets the same mistake
     * once per combination: keep one. */
    for (int i = 0; same_place && i < d->n; i++)
        if (d->v[i].line == line && d->v[i].column == column && strcmp(d->v[i].msg, buf) == 0)
            return;
    if (d->n == MAX_DIAGS) {
        d->dropped++;
        return;
    }
    if (d->n == d->cap) {
        int cap = d->cap ? 2 * d->cap : 16;
        lrs_diag_entry_t *v = realloc(d->v, (size_t)cap * sizeof *v);
        if (!v) {
            d->oom = 1;
            return;
        }
        d->v = v;
        d->cap = cap;
    }
    char *msg = strdup(buf);
    if (!msg) {
        d->oom = 1;
        return;
    }
    d->v[d->n] = (lrs_diag_entry_t){line, column, d->n, msg};
    d->n++;
}

static int diag_cmp(const void *a, const void *b)
{
    const lrs_diag_entry_t *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    if (x->column != y->column)
        return x->column < y->column ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void diag_format(const lrs_diags_t *d, const lrs_diag_entry_t *e, char *buf, size_t size)
{
    if (e->line > 0)
        snprintf(buf, size, "%s:%d:%d: %s", d->file, e->line, e->column, e->msg);
    else
        snprintf(buf, size, "%s: %s", d->file, e->msg);
}

int lrs_diag_finish(lrs_diags_t *d, FILE *report, lrs_err_t *err)
{
    if (d->oom)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory while validating", d->file);
    qsort(d->v, (size_t)d->n, sizeof *d->v, diag_cmp);
    char line[1024], shown[LRS_TEXTESC_SIZE(sizeof line)];
    for (int i = 0; report && i < d->n; i++) {
        diag_format(d, &d->v[i], line, sizeof line);   /* may quote the file: escaped */
        fprintf(report, "%s\n", lrs_text_escape_str(line, shown, sizeof shown));
    }
    if (report && d->dropped)
        fprintf(report, "%s: %d more errors not shown\n", d->file, d->dropped);
    diag_format(d, &d->v[0], line, sizeof line);
    int more = d->n - 1 + d->dropped;
    if (more > 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s (and %d more error%s)", line, more, more > 1 ? "s" : "");
    return lrs_err_set(err, LRS_EXIT_USAGE, "%s", line);
}

void lrs_diag_free(lrs_diags_t *d)
{
    for (int i = 0; i < d->n; i++)
        free(d->v[i].msg);
    free(d->v);
    d->v = NULL;
    d->n = d->cap = 0;
}
