/* test_data.c — data sets that should load, and what they load into.
 *
 * Good CSV texts (quoted fields with commas, quotes and newlines, CRLF, a
 * byte-order mark, trailing blank lines, no final newline), class ids in
 * LabelEncoder order (byte order for strings, numeric order for numbers so
 * 2 < 10), task inference, several regression targets in the order asked
 * for; the example data sets; the synthetic problem (reproducible per
 * seed, the documented draw order, Y = X·Wᵀ exactly with noise 0 and
 * Y − X·Wᵀ = noise·z otherwise); standardization and row gathering.  The reader's fast decimal path must
 * give strtod's double bit for bit; a larger generated file checks the
 * parsed values and prints the parse rate.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/csv.h"
#include "common/dataset.h"
#include "common/rng.h"
#include "worker/scale.h"

static void parse_ok(const char *text, const char *const *targets, int n_targets, int hint,
                     lrs_dataset_t *d)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_dataset_parse_csv("good.csv", text, strlen(text), targets, n_targets, hint, d,
                              &err) != 0)
        fail_msg("refused: %s", err.msg);
}

/* d's task, row count and numbers of features and targets. */
static void expect_shape(const lrs_dataset_t *d, lrs_task_t task, int rows, int n_features,
                         int n_targets)
{
    assert_int_equal(d->task, task);
    assert_int_equal(d->rows, rows);
    assert_int_equal(d->n_features, n_features);
    assert_int_equal(d->n_targets, n_targets);
}

/* names[0..n) are want[0..n), in order. */
static void expect_names(char *const *names, const char *const *want, int n)
{
    for (int i = 0; i < n; i++)
        assert_string_equal(names[i], want[i]);
}

static void test_quotes_crlf_and_string_labels(void **state)
{
    (void)state;
    const char *text = "\xef\xbb\xbf"
                       "\"alcohol\",\"od280/od315\",kind,\"ash, total\"\r\n"
                       "1.5,\" 2 \",\"pinot, \"\"noir\"\"\",-3e2\r\n"
                       "+4,5.25,merlot,0\r\n"
                       "6,7,\"multi\nline\",1E-3\r\n"
                       "8,9,merlot,  10\t\r\n"
                       "\r\n\r\n";
    const char *target = "kind";
    lrs_dataset_t d;
    parse_ok(text, &target, 1, -1, &d);
    expect_shape(&d, LRS_TASK_CLASSIFICATION, 4, 3, 1);
    expect_names(d.feature_names, (const char *const[]){"alcohol", "od280/od315", "ash, total"}, 3);
    assert_string_equal(d.target_names[0], "kind");
    const double X[4][3] = {{1.5, 2, -300}, {4, 5.25, 0}, {6, 7, 1e-3}, {8, 9, 10}};
    for (int i = 0; i < 4; i++)
        for (int j = 0; j < 3; j++)
            assert_true(d.X[i * 3 + j] == X[i][j]);
    /* byte order: "merlot" < "multi\nline" < "pinot, \"noir\"" */
    assert_int_equal(d.n_classes, 3);
    expect_names(d.class_labels, (const char *const[]){"merlot", "multi\nline", "pinot, \"noir\""},
                 3);
    const double ids[4] = {2, 0, 1, 0};
    for (int i = 0; i < 4; i++)
        assert_true(d.Y[i] == ids[i]);
    lrs_dataset_free(&d);
    assert_null(d.X);
    lrs_dataset_free(&d);   /* twice is harmless */
}

static void test_numeric_labels_sort_numerically(void **state)
{
    (void)state;
    const char *text = "x,grade\n0,10\n1,2\n2,10.0\n3,-1\n4,2\n5,1.5";   /* no final newline */
    const char *target = "grade";
    lrs_dataset_t d;
    parse_ok(text, &target, 1, LRS_TASK_CLASSIFICATION, &d);
    assert_int_equal(d.task, LRS_TASK_CLASSIFICATION);
    assert_int_equal(d.n_classes, 4);
    expect_names(d.class_labels, (const char *const[]){"-1", "1.5", "2", "10"}, 4);
    const double ids[6] = {3, 2, 3, 0, 2, 1};
    for (int i = 0; i < 6; i++)
        assert_true(d.Y[i] == ids[i]);
    lrs_dataset_free(&d);

    /* One non-number among them: every label sorts as bytes ("10" < "2"). */
    const char *mixed = "x,grade\n0,10\n1,2\n2,b\n3,nan\n";
    parse_ok(mixed, &target, 1, -1, &d);
    assert_int_equal(d.task, LRS_TASK_CLASSIFICATION);
    assert_int_equal(d.n_classes, 4);
    expect_names(d.class_labels, (const char *const[]){"10", "2", "b", "nan"}, 4);
    lrs_dataset_free(&d);
}

static void test_task_inference(void **state)
{
    (void)state;
    const char *target = "y";
    lrs_dataset_t d;
    parse_ok("x,y\n1,0\n2,1\n3,1\n", &target, 1, -1, &d);
    assert_int_equal(d.task, LRS_TASK_REGRESSION);   /* numbers only: regression */
    assert_int_equal(d.n_classes, 0);
    assert_null(d.class_labels);
    assert_true(d.Y[1] == 1.0);
    lrs_dataset_free(&d);
    parse_ok("x,y\n1,0\n2,1\n3,1\n", &target, 1, LRS_TASK_CLASSIFICATION, &d);
    assert_int_equal(d.task, LRS_TASK_CLASSIFICATION);
    assert_int_equal(d.n_classes, 2);
    lrs_dataset_free(&d);
}

static void test_several_regression_targets(void **state)
{
    (void)state;
    const char *text = "t1,a,t2,b\n1,2,3,4\n5,6,7,8\n9,10,11,12\n";
    const char *targets[2] = {"t2", "t1"};   /* Y columns follow this order */
    lrs_dataset_t d;
    parse_ok(text, targets, 2, -1, &d);
    expect_shape(&d, LRS_TASK_REGRESSION, 3, 2, 2);
    expect_names(d.target_names, (const char *const[]){"t2", "t1"}, 2);
    expect_names(d.feature_names, (const char *const[]){"a", "b"}, 2);
    const double Y[3][2] = {{3, 1}, {7, 5}, {11, 9}}, X[3][2] = {{2, 4}, {6, 8}, {10, 12}};
    for (int i = 0; i < 3; i++)
        for (int j = 0; j < 2; j++) {
            assert_true(d.Y[i * 2 + j] == Y[i][j]);
            assert_true(d.X[i * 2 + j] == X[i][j]);
        }
    lrs_dataset_free(&d);
}

static void test_load_csv_file(void **state)
{
    (void)state;
    char path[] = "/tmp/lrs_test_data_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    const char *text = "f,label\n0.5,yes\n-0.5,no\n1.5,yes\n";
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    const char *target = "label";
    lrs_dataset_t d;
    lrs_err_t err;
    lrs_err_clear(&err);
    int rc = lrs_dataset_load_csv(path, &target, 1, -1, &d, &err);
    unlink(path);
    if (rc != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(d.rows, 3);
    assert_int_equal(d.n_classes, 2);
    assert_string_equal(d.class_labels[0], "no");
    assert_true(d.Y[0] == 1 && d.Y[1] == 0 && d.Y[2] == 1);
    lrs_dataset_free(&d);
}

static void test_example_data_sets(void **state)
{
    (void)state;
    /* examples/wine.csv and diabetes.csv (make_datasets.py) load with the shapes the docs state. */
    const char *cultivar = "cultivar", *progression = "progression";
    lrs_dataset_t d;
    lrs_err_t err;
    if (lrs_dataset_load_csv("../../examples/wine.csv", &cultivar, 1, -1, &d, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(d.task, LRS_TASK_CLASSIFICATION);
    assert_int_equal(d.rows, 178);
    assert_int_equal(d.n_features, 13);
    assert_int_equal(d.n_classes, 3);
    assert_string_equal(d.class_labels[0], "class_0");
    assert_string_equal(d.class_labels[2], "class_2");
    assert_string_equal(d.feature_names[11], "od280/od315_of_diluted_wines");
    assert_true(d.X[0] == 14.23 && d.X[12] == 1065 && d.Y[0] == 0);
    lrs_dataset_free(&d);
    if (lrs_dataset_load_csv("../../examples/diabetes.csv", &progression, 1, -1, &d, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(d.task, LRS_TASK_REGRESSION);
    assert_int_equal(d.rows, 442);
    assert_int_equal(d.n_features, 10);
    assert_true(d.Y[0] == 151 && d.X[8] == 4.8598);
    lrs_dataset_free(&d);
}

/* Y (rows × outputs) − X · Wᵀ, with W redrawn from the documented stream. */
static double worst_linear_residual(const lrs_dataset_t *d, uint64_t seed, double noise)
{
    int n = d->rows, f = d->n_features, o = d->n_targets;
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(seed, 0, LRS_RNG_DATA));
    for (int i = 0; i < n * f; i++)
        assert_true(lrs_rng_normal(&rng) == d->X[i]);   /* X first, row-major */
    double *W = malloc((size_t)(o * f) * sizeof *W);
    assert_non_null(W);
    for (int i = 0; i < o * f; i++)
        W[i] = lrs_rng_normal(&rng);
    double worst = 0.0;
    for (int i = 0; i < n; i++)
        for (int k = 0; k < o; k++) {
            double s = 0.0;
            for (int j = 0; j < f; j++)
                s += d->X[i * f + j] * W[k * f + j];
            worst = fmax(worst, fabs(d->Y[i * o + k] - s));
        }
    /* Then the noise, in the same stream, after W. */
    if (noise > 0)
        for (int i = 0; i < n; i++)
            for (int k = 0; k < o; k++) {
                double s = 0.0;
                for (int j = 0; j < f; j++)
                    s += d->X[i * f + j] * W[k * f + j];
                double z = lrs_rng_normal(&rng);
                assert_true(fabs(d->Y[i * o + k] - (s + noise * z)) < 1e-12);
            }
    free(W);
    return worst;
}

static void test_synthetic(void **state)
{
    (void)state;
    lrs_dataset_t a, b, c;
    lrs_err_t err;
    assert_int_equal(lrs_dataset_synthetic(50, 4, 3, 0.0, 7, &a, &err), 0);
    expect_shape(&a, LRS_TASK_REGRESSION, 50, 4, 3);
    assert_string_equal(a.feature_names[0], "x1");
    assert_string_equal(a.feature_names[3], "x4");
    assert_string_equal(a.target_names[2], "y3");
    double resid = worst_linear_residual(&a, 7, 0.0);
    printf("synthetic noise 0: worst |Y - X·Wᵀ| = %.3g\n", resid);
    assert_true(resid == 0.0);

    assert_int_equal(lrs_dataset_synthetic(50, 4, 3, 0.0, 7, &b, &err), 0);
    assert_memory_equal(a.X, b.X, 50 * 4 * sizeof(double));
    assert_memory_equal(a.Y, b.Y, 50 * 3 * sizeof(double));
    lrs_dataset_free(&b);

    assert_int_equal(lrs_dataset_synthetic(50, 4, 3, 0.5, 8, &c, &err), 0);
    assert_true(memcmp(a.X, c.X, 50 * 4 * sizeof(double)) != 0);
    double noisy = worst_linear_residual(&c, 8, 0.5);
    assert_true(noisy > 0.1);   /* the noise is really there */
    lrs_dataset_free(&c);

    /* Noise is drawn last: the same seed keeps X and W. */
    assert_int_equal(lrs_dataset_synthetic(50, 4, 3, 0.25, 7, &c, &err), 0);
    assert_memory_equal(a.X, c.X, 50 * 4 * sizeof(double));
    lrs_dataset_free(&c);
    lrs_dataset_free(&a);

    assert_int_equal(lrs_dataset_synthetic(0, 4, 1, 0.0, 1, &a, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_int_equal(lrs_dataset_synthetic(5, 4, 1, -1.0, 1, &a, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_null(a.X);
}

static void test_standardize_and_gather(void **state)
{
    (void)state;
    /* X is (5, 3); column 2 is constant over the chosen rows. */
    const double X[5 * 3] = {1, 10, 7, 2, 20, 7, 3, 30, 7, 4, 40, 9, 100, -5, 7};
    const uint32_t rows[4] = {0, 1, 2, 4};
    double mean[3], scale[3];
    lrs_standardize_fit(X, 3, rows, 4, mean, scale);
    assert_true(fabs(mean[0] - 26.5) < 1e-12);
    assert_true(fabs(mean[1] - 13.75) < 1e-12);
    assert_true(mean[2] == 7.0);
    assert_true(scale[2] == 1.0);   /* constant column */
    double out[4 * 3];
    lrs_gather_rows(X, 3, rows, 4, mean, scale, out);
    for (int j = 0; j < 3; j++) {
        double s = 0, ss = 0;
        for (int i = 0; i < 4; i++) {
            s += out[i * 3 + j];
            ss += out[i * 3 + j] * out[i * 3 + j];
        }
        assert_true(fabs(s / 4) < 1e-12);
        if (j < 2)
            assert_true(fabs(ss / 4 - 1.0) < 1e-12);   /* population variance 1 */
        else
            assert_true(ss == 0.0);
    }
    /* Row 3 (not fitted) standardized with the same mean/scale. */
    const uint32_t other[1] = {3};
    double one[3];
    lrs_gather_rows(X, 3, other, 1, mean, scale, one);
    assert_true(fabs(one[0] - (4 - 26.5) / scale[0]) < 1e-12);
    assert_true(one[2] == 2.0);
    /* Without mean/scale: a plain copy, in the listed order. */
    const uint32_t order[2] = {4, 0};
    double raw[2 * 3];
    lrs_gather_rows(X, 3, order, 2, NULL, NULL, raw);
    assert_memory_equal(raw, X + 12, 3 * sizeof(double));
    assert_memory_equal(raw + 3, X, 3 * sizeof(double));
}

static void test_numbers_equal_strtod(void **state)
{
    (void)state;
    /* The reader's fast decimal path against strtod, bit for bit, on numbers
     * of every shape: 1–19 digits, a point anywhere, exponents up to ±40. */
    const int count = 20000;
    size_t cap = (size_t)count * 48 + 16, len = 0;
    char *text = malloc(cap), *cells = malloc((size_t)count * 40);
    assert_non_null(text);
    assert_non_null(cells);
    len += (size_t)snprintf(text, cap, "x,y\n");
    lrs_rng_t rng;
    lrs_rng_init(&rng, 5);
    for (int i = 0; i < count; i++) {
        char *c = cells + (size_t)i * 40;
        int k = 0, digits = 1 + (int)lrs_rng_below(&rng, 19);
        int point = (int)lrs_rng_below(&rng, (uint64_t)digits + 2) - 1;   /* -1: none */
        if (lrs_rng_below(&rng, 3) == 0)
            c[k++] = lrs_rng_below(&rng, 2) ? '-' : '+';
        for (int j = 0; j < digits; j++) {
            if (j == point)
                c[k++] = '.';
            c[k++] = (char)('0' + lrs_rng_below(&rng, 10));
        }
        if (point == digits)
            c[k++] = '.';
        if (lrs_rng_below(&rng, 2))
            k += sprintf(c + k, "%c%d", lrs_rng_below(&rng, 2) ? 'e' : 'E',
                         (int)lrs_rng_below(&rng, 81) - 40);
        c[k] = '\0';
        len += (size_t)snprintf(text + len, cap - len, "%s,0\n", c);
    }
    const char *target = "y";
    lrs_dataset_t d;
    lrs_err_t err;
    if (lrs_dataset_parse_csv("num.csv", text, len, &target, 1, LRS_TASK_REGRESSION, &d, &err))
        fail_msg("%s", err.msg);
    assert_int_equal(d.rows, count);
    for (int i = 0; i < count; i++) {
        const char *c = cells + (size_t)i * 40;
        double want = strtod(c, NULL);
        if (memcmp(&want, &d.X[i], sizeof want) != 0)
            fail_msg("\"%s\": reader %.17g, strtod %.17g", c, d.X[i], want);
    }
    printf("%d numbers parsed bit-identical to strtod\n", count);
    lrs_dataset_free(&d);
    free(text);
    free(cells);
}

static void test_rows_beyond_initial_reservation(void **state)
{
    (void)state;
    /* More rows than the reader reserves up front (2^20): the matrices grow. */
    const int rows = (1 << 20) + 12345;
    size_t cap = (size_t)rows * 6 + 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    len += (size_t)snprintf(text, cap, "x,y\n");
    for (int i = 0; i < rows; i++) {
        text[len++] = (char)('0' + i % 10);
        text[len++] = ',';
        text[len++] = (char)('0' + i % 7);
        text[len++] = '\n';
    }
    const char *target = "y";
    lrs_dataset_t d;
    lrs_err_t err;
    if (lrs_dataset_parse_csv("long.csv", text, len, &target, 1, -1, &d, &err) != 0)
        fail_msg("%s", err.msg);
    assert_int_equal(d.rows, rows);
    for (int i = 0; i < rows; i += 9973)
        assert_true(d.X[i] == i % 10 && d.Y[i] == i % 7);
    assert_true(d.X[rows - 1] == (rows - 1) % 10 && d.Y[rows - 1] == (rows - 1) % 7);
    lrs_dataset_free(&d);
    free(text);
}

static void test_large_file_values_and_rate(void **state)
{
    (void)state;
    /* 40,000 rows × 12 columns of formatted numbers (~6 MB). */
    const int rows = 40000, cols = 12;
    size_t cap = (size_t)rows * cols * 16 + 256, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int j = 0; j < cols; j++)
        len += (size_t)snprintf(text + len, cap - len, "%sc%d", j ? "," : "", j);
    text[len++] = '\n';
    lrs_rng_t rng;
    lrs_rng_init(&rng, 99);
    double expect_sum = 0.0;
    for (int i = 0; i < rows; i++)
        for (int j = 0; j < cols; j++) {
            double v = (double)(int64_t)(lrs_rng_normal(&rng) * 1e6) / 1e3;
            len += (size_t)snprintf(text + len, cap - len, "%.3f%c", v, j + 1 < cols ? ',' : '\n');
            if (j != 5)
                expect_sum += v;
        }
    const char *target = "c5";
    lrs_dataset_t d;
    lrs_err_t err;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = lrs_dataset_parse_csv("big.csv", text, len, &target, 1, -1, &d, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc != 0)
        fail_msg("%s", err.msg);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("parsed %.1f MB in %.3f s: %.0f MB/s (this build)\n", (double)len / 1e6, secs,
           (double)len / 1e6 / secs);
    assert_int_equal(d.rows, rows);
    assert_int_equal(d.n_features, cols - 1);
    double sum = 0.0;
    for (size_t i = 0; i < (size_t)rows * (size_t)(cols - 1); i++)
        sum += d.X[i];
    assert_true(fabs(sum - expect_sum) < 1e-6 * fmax(1.0, fabs(expect_sum)));
    lrs_dataset_free(&d);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_quotes_crlf_and_string_labels),
        cmocka_unit_test(test_numeric_labels_sort_numerically),
        cmocka_unit_test(test_task_inference),
        cmocka_unit_test(test_several_regression_targets),
        cmocka_unit_test(test_load_csv_file),
        cmocka_unit_test(test_example_data_sets),
        cmocka_unit_test(test_synthetic),
        cmocka_unit_test(test_standardize_and_gather),
        cmocka_unit_test(test_numbers_equal_strtod),
        cmocka_unit_test(test_rows_beyond_initial_reservation),
        cmocka_unit_test(test_large_file_values_and_rate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
