/* csv_columns.c — see csv_columns.h.  The header's names are sorted once
 * (name, then column) so duplicates are neighbours and every target is a
 * binary search away; messages name the column as the file numbers it.
 */
#include "common/csv_columns.h"

#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"

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

/* Checks names, resolves the targets and the role of every column. */
int lrs_csv_assign_columns(lrs_csv_parse_t *p, const char *const *targets, int n_targets)
{
    lrs_csv_reader_t *r = &p->r;
    int rc = -1;
    name_ref_t *sorted = malloc((size_t)p->n_cols * sizeof *sorted);
    p->col_feature = malloc((size_t)p->n_cols * sizeof *p->col_feature);
    p->col_target = malloc((size_t)p->n_cols * sizeof *p->col_target);
    if (!sorted || !p->col_feature || !p->col_target) {
        lrs_csv_oom(r->err, r->name);
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
        lrs_csv_fail(r, 1, dup_second + 1, "duplicate column name (the same as column %d)",
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
            lrs_excerpt_t q;   /* the header's names are the file's: not listed */
            lrs_csv_quote(q, targets[t], strlen(targets[t]));
            lrs_csv_fail(r, 1, 1, "unknown target column %s (none of the header's %d columns "
                         "has that name)", q, p->n_cols);
            goto done;
        }
        if (p->col_target[hit->col] >= 0) {
            lrs_excerpt_t q;
            lrs_csv_quote(q, targets[t], strlen(targets[t]));
            lrs_err_set(r->err, LRS_EXIT_USAGE, "%s: target column %s given twice", r->name, q);
            goto done;
        }
        p->col_target[hit->col] = t;
    }
    p->n_targets = n_targets;
    for (int c = 0; c < p->n_cols; c++)
        p->col_feature[c] = p->col_target[c] >= 0 ? -1 : p->n_features++;
    if (p->n_features == 0) {
        lrs_csv_fail(r, 1, 1, "no feature columns: every column is a target");
        goto done;
    }
    if (p->task_hint == LRS_TASK_CLASSIFICATION && n_targets > 1) {
        int second = -1, seen = 0;
        for (int c = 0; c < p->n_cols && second < 0; c++)
            if (p->col_target[c] >= 0 && ++seen == 2)
                second = c;
        lrs_csv_fail(r, 1, second + 1, "classification takes exactly one target column, got %d",
                     n_targets);
        goto done;
    }
    rc = 0;
done:
    free(sorted);
    return rc;
}
