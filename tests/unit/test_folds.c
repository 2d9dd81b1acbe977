/* test_folds.c — properties of the splitters that goldens cannot pin down.
 *
 * Shuffled k-fold: the validation sets partition the rows, each split lists
 * ascending rows with training = complement, fold sizes equal the unshuffled
 * ones, a seed reproduces its folds and another seed changes them.
 * Shuffled stratified k-fold keeps, per fold, exactly the per-class counts of
 * the unshuffled assignment (so class ratios hold).  Holdout and all-rows
 * splits, and every refusal (k < 2, k > rows, a class smaller than k, bad
 * holdout fractions), with their messages.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/dataset.h"
#include "common/folds.h"

/* A data set of `rows` rows: regression when labels is NULL, else
 * classification with labels[i] in 0..n_classes-1. */
static void make_dataset(lrs_dataset_t *d, int rows, const int *labels, int n_classes)
{
    memset(d, 0, sizeof *d);
    d->rows = rows;
    d->n_features = 1;
    d->n_targets = 1;
    d->X = calloc((size_t)rows, sizeof *d->X);
    d->Y = calloc((size_t)rows, sizeof *d->Y);
    assert_non_null(d->X);
    assert_non_null(d->Y);
    if (!labels) {
        d->task = LRS_TASK_REGRESSION;
        return;
    }
    d->task = LRS_TASK_CLASSIFICATION;
    d->n_classes = n_classes;
    d->class_labels = calloc((size_t)n_classes, sizeof *d->class_labels);
    assert_non_null(d->class_labels);
    for (int c = 0; c < n_classes; c++) {
        char name[16];
        snprintf(name, sizeof name, "c%d", c);
        d->class_labels[c] = strdup(name);
    }
    for (int i = 0; i < rows; i++)
        d->Y[i] = labels[i];
}

/* The split lists ascending rows and training is the complement of
 * validation. */
static void check_split(const lrs_split_t *s, int rows)
{
    assert_int_equal(s->n_train + s->n_val, rows);
    for (int i = 0; i < s->n_val; i++) {
        assert_true(s->val[i] < (uint32_t)rows);
        if (i)
            assert_true(s->val[i - 1] < s->val[i]);
    }
    int v = 0, t = 0;
    for (int r = 0; r < rows; r++) {
        if (v < s->n_val && s->val[v] == (uint32_t)r)
            v++;
        else
            assert_int_equal(s->train[t++], r);
    }
    assert_int_equal(t, s->n_train);
}

/* Every row validates in exactly one fold, and every split is well formed. */
static void check_partition(const lrs_folds_t *f, int rows)
{
    int *seen = calloc((size_t)rows, sizeof *seen);
    assert_non_null(seen);
    for (int k = 0; k < f->count; k++) {
        check_split(&f->splits[k], rows);
        for (int i = 0; i < f->splits[k].n_val; i++)
            seen[f->splits[k].val[i]]++;
    }
    for (int r = 0; r < rows; r++)
        assert_int_equal(seen[r], 1);
    free(seen);
}

static int same_folds(const lrs_folds_t *a, const lrs_folds_t *b)
{
    if (a->count != b->count)
        return 0;
    for (int k = 0; k < a->count; k++) {
        if (a->splits[k].n_val != b->splits[k].n_val ||
            memcmp(a->splits[k].val, b->splits[k].val,
                   (size_t)a->splits[k].n_val * sizeof(uint32_t)) != 0)
            return 0;
    }
    return 1;
}

static void test_shuffled_kfold(void **state)
{
    (void)state;
    lrs_dataset_t d;
    make_dataset(&d, 103, NULL, 0);
    lrs_folds_t plain, a, b, c;
    lrs_err_t err;
    assert_int_equal(lrs_folds_kfold(&d, 5, 0, 0, &plain, &err), 0);
    assert_int_equal(lrs_folds_kfold(&d, 5, 1, 11, &a, &err), 0);
    assert_int_equal(lrs_folds_kfold(&d, 5, 1, 11, &b, &err), 0);
    assert_int_equal(lrs_folds_kfold(&d, 5, 1, 12, &c, &err), 0);
    check_partition(&plain, 103);
    check_partition(&a, 103);
    check_partition(&c, 103);
    for (int k = 0; k < 5; k++)
        assert_int_equal(a.splits[k].n_val, plain.splits[k].n_val);   /* 21,21,21,20,20 */
    assert_int_equal(a.splits[0].n_val, 21);
    assert_int_equal(a.splits[4].n_val, 20);
    assert_true(same_folds(&a, &b));
    assert_false(same_folds(&a, &c));
    assert_false(same_folds(&a, &plain));
    lrs_folds_free(&plain);
    lrs_folds_free(&a);
    lrs_folds_free(&b);
    lrs_folds_free(&c);
    assert_null(c.splits);
    lrs_dataset_free(&d);
}

static void test_shuffled_stratified_keeps_class_counts(void **state)
{
    (void)state;
    enum { ROWS = 90, K = 4, CLASSES = 3 };
    int labels[ROWS];
    for (int i = 0; i < ROWS; i++)   /* 60 / 20 / 10, interleaved */
        labels[i] = i % 9 == 0 ? 2 : (i % 9 < 7 ? 0 : 1);
    labels[1] = 2;   /* 11 of class 2, 59 of class 0 */
    lrs_dataset_t d;
    make_dataset(&d, ROWS, labels, CLASSES);
    lrs_folds_t plain, a, b;
    lrs_err_t err;
    assert_int_equal(lrs_folds_kfold(&d, K, 0, 0, &plain, &err), 0);
    assert_int_equal(lrs_folds_kfold(&d, K, 1, 3, &a, &err), 0);
    assert_int_equal(lrs_folds_kfold(&d, K, 1, 3, &b, &err), 0);
    check_partition(&plain, ROWS);
    check_partition(&a, ROWS);
    assert_true(same_folds(&a, &b));
    assert_false(same_folds(&a, &plain));
    int total[CLASSES] = {0};
    for (int i = 0; i < ROWS; i++)
        total[labels[i]]++;
    for (int k = 0; k < K; k++) {
        int want[CLASSES] = {0}, got[CLASSES] = {0};
        for (int i = 0; i < plain.splits[k].n_val; i++)
            want[labels[plain.splits[k].val[i]]]++;
        for (int i = 0; i < a.splits[k].n_val; i++)
            got[labels[a.splits[k].val[i]]]++;
        for (int c = 0; c < CLASSES; c++) {
            assert_int_equal(got[c], want[c]);
            /* a fold holds its class's share to within one row */
            int lo = total[c] / K, hi = (total[c] + K - 1) / K;
            assert_true(got[c] >= lo && got[c] <= hi);
        }
    }
    lrs_folds_free(&plain);
    lrs_folds_free(&a);
    lrs_folds_free(&b);
    lrs_dataset_free(&d);
}

static void test_kfold_refusals(void **state)
{
    (void)state;
    lrs_dataset_t d;
    lrs_folds_t f;
    lrs_err_t err;
    make_dataset(&d, 4, NULL, 0);
    assert_int_equal(lrs_folds_kfold(&d, 1, 0, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: k-fold needs k ≥ 2, got 1");
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_int_equal(lrs_folds_kfold(&d, 5, 0, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: 5 folds need at least 5 rows; the data set has 4");
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_int_equal(lrs_folds_kfold(&d, 4, 0, 0, &f, &err), 0);   /* leave-one-out */
    check_partition(&f, 4);
    lrs_folds_free(&f);
    lrs_dataset_free(&d);

    /* c1 (2 rows) is seen before c2 (1 row): the message names the smallest. */
    const int labels[10] = {0, 1, 0, 0, 1, 0, 0, 2, 0, 0};
    make_dataset(&d, 10, labels, 3);
    assert_int_equal(lrs_folds_kfold(&d, 3, 1, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: stratified 3-fold needs at least 3 rows of every "
                                 "class; class 3 of 3 (in sorted label order) has 1");
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_int_equal(lrs_folds_kfold(&d, 2, 0, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: stratified 2-fold needs at least 2 rows of every "
                                 "class; class 3 of 3 (in sorted label order) has 1");
    d.Y[3] = 7;   /* a class id out of range is refused, not trusted */
    assert_int_equal(lrs_folds_kfold(&d, 2, 0, 0, &f, &err), -1);
    assert_null(f.splits);
    lrs_dataset_free(&d);
}

static void test_holdout(void **state)
{
    (void)state;
    lrs_dataset_t d;
    lrs_folds_t f, g;
    lrs_err_t err;
    make_dataset(&d, 10, NULL, 0);
    assert_int_equal(lrs_folds_holdout(&d, 0.25, 0, 0, &f, &err), 0);   /* round(2.5) = 3 */
    assert_int_equal(f.count, 1);
    assert_int_equal(f.splits[0].n_val, 3);
    assert_int_equal(f.splits[0].val[0], 7);
    assert_int_equal(f.splits[0].val[2], 9);
    check_split(&f.splits[0], 10);
    lrs_folds_free(&f);

    assert_int_equal(lrs_folds_holdout(&d, 0.3, 1, 9, &f, &err), 0);
    assert_int_equal(lrs_folds_holdout(&d, 0.3, 1, 9, &g, &err), 0);
    assert_int_equal(f.splits[0].n_val, 3);
    assert_int_equal(f.splits[0].n_train, 7);
    assert_true(same_folds(&f, &g));
    check_split(&f.splits[0], 10);
    assert_false(f.splits[0].val[0] == 7 && f.splits[0].val[1] == 8);   /* not the tail */
    lrs_folds_free(&f);
    lrs_folds_free(&g);

    assert_int_equal(lrs_folds_holdout(&d, 0.0, 0, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: holdout fraction must be in (0, 1), got 0");
    assert_int_equal(lrs_folds_holdout(&d, 1.0, 0, 0, &f, &err), -1);
    assert_int_equal(lrs_folds_holdout(&d, 0.01, 0, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: holdout fraction 0.01 of 10 rows leaves no validation rows");
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_int_equal(lrs_folds_holdout(&d, 0.99, 0, 0, &f, &err), -1);
    assert_string_equal(err.msg, "folds: holdout fraction 0.99 of 10 rows leaves no training rows");
    lrs_dataset_free(&d);
}

static void test_all_rows(void **state)
{
    (void)state;
    lrs_dataset_t d;
    lrs_folds_t f;
    lrs_err_t err;
    make_dataset(&d, 6, NULL, 0);
    assert_int_equal(lrs_folds_all(&d, &f, &err), 0);
    assert_int_equal(f.count, 1);
    assert_int_equal(f.splits[0].n_train, 6);
    assert_int_equal(f.splits[0].n_val, 0);
    assert_null(f.splits[0].val);
    for (int i = 0; i < 6; i++)
        assert_int_equal(f.splits[0].train[i], i);
    lrs_folds_free(&f);
    lrs_folds_free(&f);   /* twice is harmless */
    lrs_dataset_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shuffled_kfold),
        cmocka_unit_test(test_shuffled_stratified_keeps_class_counts),
        cmocka_unit_test(test_kfold_refusals),
        cmocka_unit_test(test_holdout),
        cmocka_unit_test(test_all_rows),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
