/* test_folds.c — fold assignment and standardization against scikit-learn.
 *
 * golden/folds.json (gen_folds.py) lists, per case, the validation indices of
 * each fold of KFold(n_splits=k) or StratifiedKFold(n_splits=k) without
 * shuffling.  Stratified cases carry the raw labels: this test writes them as
 * a CSV (every label double-quoted, so commas and quotes in labels go through
 * the quoted-field path), loads it as a classification data set, checks the
 * class labels against LabelEncoder's classes_, then requires every fold's
 * validation rows to equal scikit-learn's exactly (membership and order) and
 * its training rows to be the ascending complement.
 *
 * golden/scaler.json holds StandardScaler mean_ / scale_ fitted on all rows
 * and on a subset; lrs_standardize_fit must agree within 1e-12 relative to
 * max(1, |value|).  The worst differences are printed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/dataset.h"
#include "common/folds.h"
#include "worker/scale.h"

#define SCALER_TOLERANCE 1e-12

static json_t *load_golden(const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s:%d: %s (run /usr/bin/python3 gen_folds.py)", path, jerr.line, jerr.text);
    return root;
}

/* Appends s to the growing buffer *buf. */
static void append(char **buf, size_t *len, size_t *cap, const char *s)
{
    size_t n = strlen(s);
    while (*len + n + 1 > *cap) {
        *cap = *cap ? *cap * 2 : 256;
        *buf = realloc(*buf, *cap);
        assert_non_null(*buf);
    }
    memcpy(*buf + *len, s, n + 1);
    *len += n;
}

/* A classification data set whose only target is the case's labels. */
static void dataset_from_labels(const json_t *labels, lrs_dataset_t *d)
{
    char *csv = NULL, cell[256];
    size_t len = 0, cap = 0;
    append(&csv, &len, &cap, "row,label\r\n");
    for (size_t i = 0; i < json_array_size(labels); i++) {
        const json_t *v = json_array_get(labels, i);
        snprintf(cell, sizeof cell, "%zu,\"", i);
        append(&csv, &len, &cap, cell);
        if (json_is_integer(v)) {
            snprintf(cell, sizeof cell, "%lld", (long long)json_integer_value(v));
            append(&csv, &len, &cap, cell);
        } else {
            for (const char *p = json_string_value(v); *p; p++) {
                char two[3] = {*p, *p == '"' ? '"' : '\0', '\0'};
                append(&csv, &len, &cap, two);
            }
        }
        append(&csv, &len, &cap, "\"\r\n");
    }
    const char *target = "label";
    lrs_err_t err;
    lrs_err_clear(&err);
    int rc = lrs_dataset_parse_csv("labels.csv", csv, len, &target, 1,
                                   LRS_TASK_CLASSIFICATION, d, &err);
    free(csv);
    if (rc != 0)
        fail_msg("parse: %s", err.msg);
}

/* Checks one split against the golden validation rows of n. */
static void check_split(const char *name, int fold, const lrs_split_t *s, const json_t *val, int n)
{
    int n_val = (int)json_array_size(val);
    if (s->n_val != n_val)
        fail_msg("%s fold %d: %d validation rows, sklearn %d", name, fold, s->n_val, n_val);
    char *in_val = calloc((size_t)n, 1);
    assert_non_null(in_val);
    for (int i = 0; i < n_val; i++) {
        int want = (int)json_integer_value(json_array_get(val, (size_t)i));
        if ((int)s->val[i] != want)
            fail_msg("%s fold %d: validation[%d] = %u, sklearn %d", name, fold, i, s->val[i],
                     want);
        in_val[want] = 1;
    }
    assert_int_equal(s->n_train + s->n_val, n);
    int t = 0;
    for (int r = 0; r < n; r++)
        if (!in_val[r]) {
            if ((int)s->train[t] != r)
                fail_msg("%s fold %d: train[%d] = %u, expected %d", name, fold, t, s->train[t], r);
            t++;
        }
    free(in_val);
}

static void test_folds_match_sklearn(void **state)
{
    (void)state;
    json_t *root = load_golden("golden/folds.json");
    const json_t *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) >= 10);
    int kfold_cases = 0, stratified_cases = 0;
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *gc = json_array_get(cases, c);
        const char *name = json_string_value(json_object_get(gc, "name"));
        const char *kind = json_string_value(json_object_get(gc, "kind"));
        int n = (int)json_integer_value(json_object_get(gc, "n"));
        int k = (int)json_integer_value(json_object_get(gc, "k"));
        const json_t *folds = json_object_get(gc, "folds");
        lrs_dataset_t d;
        memset(&d, 0, sizeof d);
        if (strcmp(kind, "stratified") == 0) {
            dataset_from_labels(json_object_get(gc, "labels"), &d);
            const json_t *classes = json_object_get(gc, "classes");
            assert_int_equal(d.n_classes, (int)json_array_size(classes));
            for (int i = 0; i < d.n_classes; i++)
                if (strcmp(d.class_labels[i],
                           json_string_value(json_array_get(classes, (size_t)i))) != 0)
                    fail_msg("%s: class %d is \"%s\", LabelEncoder \"%s\"", name, i,
                             d.class_labels[i],
                             json_string_value(json_array_get(classes, (size_t)i)));
            stratified_cases++;
        } else {
            d.task = LRS_TASK_REGRESSION;
            d.rows = n;
            d.n_targets = 1;
            kfold_cases++;
        }
        assert_int_equal(d.rows, n);
        lrs_folds_t f;
        lrs_err_t err;
        lrs_err_clear(&err);
        if (lrs_folds_kfold(&d, k, 0, 0, &f, &err) != 0)
            fail_msg("%s: %s", name, err.msg);
        assert_int_equal(f.count, k);
        assert_int_equal((int)json_array_size(folds), k);
        for (int i = 0; i < k; i++)
            check_split(name, i, &f.splits[i], json_array_get(folds, (size_t)i), n);
        lrs_folds_free(&f);
        lrs_dataset_free(&d);
    }
    printf("folds: %d KFold and %d StratifiedKFold cases match scikit-learn exactly\n",
           kfold_cases, stratified_cases);
    assert_true(kfold_cases >= 5 && stratified_cases >= 5);
    json_decref(root);
}

static void test_scaler_matches_sklearn(void **state)
{
    (void)state;
    json_t *root = load_golden("golden/scaler.json");
    const json_t *X = json_object_get(root, "X");
    int rows = (int)json_array_size(X);
    int cols = (int)json_array_size(json_array_get(X, 0));
    double *x = malloc((size_t)rows * (size_t)cols * sizeof *x);
    double *mean = malloc((size_t)cols * sizeof *mean), *scale = malloc((size_t)cols * sizeof *scale);
    assert_non_null(x);
    assert_non_null(mean);
    assert_non_null(scale);
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++)
            x[i * cols + j] = json_number_value(json_array_get(json_array_get(X, (size_t)i),
                                                               (size_t)j));
    const json_t *cases = json_object_get(root, "cases");
    assert_true(json_array_size(cases) >= 2);
    double worst = 0.0;
    const char *worst_at = "none: bit-exact";
    for (size_t c = 0; c < json_array_size(cases); c++) {
        const json_t *gc = json_array_get(cases, c);
        const json_t *jrows = json_object_get(gc, "rows");
        int n = (int)json_array_size(jrows);
        uint32_t idx[64];
        assert_true(n <= 64);
        for (int i = 0; i < n; i++)
            idx[i] = (uint32_t)json_integer_value(json_array_get(jrows, (size_t)i));
        lrs_standardize_fit(x, cols, idx, n, mean, scale);
        for (int j = 0; j < cols; j++) {
            double want_m = json_number_value(json_array_get(json_object_get(gc, "mean"), (size_t)j));
            double want_s =
                json_number_value(json_array_get(json_object_get(gc, "scale"), (size_t)j));
            double dm = fabs(mean[j] - want_m) / fmax(1.0, fabs(want_m));
            double ds = fabs(scale[j] - want_s) / fmax(1.0, fabs(want_s));
            if (dm > worst || ds > worst) {
                worst = fmax(dm, ds);
                worst_at = json_string_value(json_object_get(gc, "name"));
            }
            if (dm > SCALER_TOLERANCE || ds > SCALER_TOLERANCE)
                fail_msg("%s column %d: mean %.17g (sklearn %.17g), scale %.17g (sklearn %.17g)",
                         json_string_value(json_object_get(gc, "name")), j, mean[j], want_m,
                         scale[j], want_s);
        }
    }
    printf("scaler: worst relative difference %.3g (%s), tolerance %g\n", worst, worst_at,
           SCALER_TOLERANCE);
    free(x);
    free(mean);
    free(scale);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_folds_match_sklearn),
        cmocka_unit_test(test_scaler_matches_sklearn),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
