/* fuzz_csv.c — libFuzzer harness for the CSV reader, lrs_dataset_parse_csv.
 *
 * Data files are the user's, and workers parse the bytes a coordinator ships
 * them, so the reader (common/csv.h) must take any bytes.  Each input is one
 * CSV text.  The reader needs target column names; to get past the column
 * checks the harness takes them from the input's own first line (split on
 * commas, one level of quotes removed), and parses each input three ways:
 *   1. the last header field, task inferred (labels or numbers);
 *   2. the first header field, classification;
 *   3. the last two header fields, regression (two numeric targets).
 * A data set that comes back is checked as its users read it: every cell of
 * X and Y touched, class ids within 0..n_classes-1, every name present.
 * The sanitizers report the rest (and leaks: everything is freed).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"

#define NAME_MAX_LEN 256

/* The i-th field (negative: from the end) of the first line, quotes removed,
 * into out; "y" when the line has no such field or it is empty. */
static void header_field(const uint8_t *data, size_t size, int i, char out[NAME_MAX_LEN])
{
    const uint8_t *p = data, *end = data + size;
    if (size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
        p += 3;
    const uint8_t *eol = p;
    while (eol < end && *eol != '\n' && *eol != '\r')
        eol++;
    /* field starts: up to 64 of them */
    const uint8_t *starts[65];
    int n = 0;
    starts[n++] = p;
    for (const uint8_t *q = p; q < eol && n < 64; q++)
        if (*q == ',')
            starts[n++] = q + 1;
    starts[n] = eol + 1;
    int k = i < 0 ? n + i : i;
    strcpy(out, "y");
    if (k < 0 || k >= n)
        return;
    const uint8_t *a = starts[k], *b = starts[k + 1] - 1;
    if (b - a >= 2 && *a == '"' && b[-1] == '"') {
        a++;
        b--;
    }
    size_t len = 0;
    for (; a < b && len < NAME_MAX_LEN - 1; a++) {
        if (*a == '"' && a + 1 < b && a[1] == '"')
            a++;
        out[len++] = (char)*a;
    }
    if (len > 0 && memchr(out, '\0', len) == NULL) {
        out[len] = '\0';
    } else {
        strcpy(out, "y");
    }
}

static void check(const lrs_dataset_t *d)
{
    volatile double sum = 0;
    if (d->rows < 1 || d->n_features < 1 || d->n_targets < 1 || !d->X || !d->Y) {
        fprintf(stderr, "fuzz_csv: accepted an empty data set\n");
        abort();
    }
    for (size_t i = 0; i < (size_t)d->rows * (size_t)d->n_features; i++)
        sum += d->X[i];
    for (size_t i = 0; i < (size_t)d->rows * (size_t)d->n_targets; i++)
        sum += d->Y[i];
    for (int j = 0; j < d->n_features; j++)
        sum += (double)strlen(d->feature_names[j]);
    for (int j = 0; j < d->n_targets; j++)
        sum += (double)strlen(d->target_names[j]);
    if (d->task == LRS_TASK_CLASSIFICATION) {
        for (int c = 0; c < d->n_classes; c++)
            sum += (double)strlen(d->class_labels[c]);
        for (int r = 0; r < d->rows; r++) {
            double y = d->Y[(size_t)r * (size_t)d->n_targets];
            if (!(y >= 0 && y < d->n_classes) || y != floor(y)) {
                fprintf(stderr, "fuzz_csv: row %d has class id %g of %d classes\n", r, y,
                        d->n_classes);
                abort();
            }
        }
    }
    (void)sum;
}

static void parse(const uint8_t *data, size_t size, const char *const *targets, int n_targets,
                  int task_hint)
{
    lrs_dataset_t d;
    lrs_err_t err;
    if (lrs_dataset_parse_csv("fuzz.csv", (const char *)data, size, targets, n_targets, task_hint,
                              &d, &err) == 0) {
        check(&d);
    } else if (err.code != LRS_EXIT_USAGE && err.code != LRS_EXIT_RUNTIME) {
        fprintf(stderr, "fuzz_csv: refused without an error code\n");
        abort();
    }
    lrs_dataset_free(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char first[NAME_MAX_LEN], last[NAME_MAX_LEN], before_last[NAME_MAX_LEN];
    header_field(data, size, 0, first);
    header_field(data, size, -1, last);
    header_field(data, size, -2, before_last);
    const char *one[] = {last};
    parse(data, size, one, 1, -1);
    const char *cls[] = {first};
    parse(data, size, cls, 1, LRS_TASK_CLASSIFICATION);
    const char *two[] = {before_last, last};
    parse(data, size, two, 2, LRS_TASK_REGRESSION);
    return 0;
}
