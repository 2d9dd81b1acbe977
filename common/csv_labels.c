/* csv_labels.c — see csv_labels.h.  The labels are sorted once by reference
 * (text in the reader's arena, number, row); distinct neighbours become
 * the classes, and each row's id is written back through its reference.
 * Numeric labels are named as the shortest text that reads back the same.
 */
#include "common/csv_labels.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
static int encode_labels(lrs_csv_parse_t *p, int numeric, lrs_dataset_t *d)
{
    lrs_csv_reader_t *r = &p->r;
    int rc = -1;
    label_ref_t *refs = malloc(p->rows * sizeof *refs);
    if (!refs) {
        lrs_csv_oom(r->err, r->name);
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
        lrs_csv_oom(r->err, r->name);
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
                lrs_csv_oom(r->err, r->name);
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
        lrs_excerpt_t name;   /* the spec's target name; the label is the file's */
        lrs_csv_quote(name, p->col_names[col], strlen(p->col_names[col]));
        lrs_csv_fail(r, 1, col + 1,
                     "classification target %s holds a single class (every row has the same "
                     "label)", name);
        goto done;
    }
    rc = 0;
done:
    free(refs);
    return rc;
}

/* Decides the task of a LRS_CSV_TARGET_LABEL parse and finishes Y. */
int lrs_csv_finish_targets(lrs_csv_parse_t *p, lrs_dataset_t *d)
{
    int classify = p->task_hint == LRS_TASK_CLASSIFICATION ||
                   (p->task_hint < 0 && !p->all_numeric);
    int numeric = p->all_numeric;
    if ((!classify || numeric) && p->nonfinite_seen) {
        lrs_excerpt_t name;
        const char *cname = p->col_names[p->nonfinite_col - 1];
        lrs_csv_quote(name, cname, strlen(cname));
        return lrs_csv_fail(&p->r, p->nonfinite_line, p->nonfinite_col,
                            "non-finite value in target column %s (expected a finite number)",
                            name);
    }
    d->task = classify ? LRS_TASK_CLASSIFICATION : LRS_TASK_REGRESSION;
    if (!classify)
        return 0;
    return encode_labels(p, numeric, d);
}
