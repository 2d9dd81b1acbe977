/* test_csv_errors.c — every way a CSV can be refused, one table row each.
 *
 * Each entry is a CSV text (explicit length, so NUL bytes can be embedded),
 * the target columns, the task hint, and the exact message expected:
 * "bad.csv:LINE:COLUMN: what" with 1-based physical line and field index.
 * Every failure must be a usage error (exit code 2) and must leave the data
 * set zeroed.  No message quotes the file's bytes: a position, the problem
 * and what was expected there, and at most a target's name (the spec's
 * text).  A second test feeds hostile inputs (huge fields, many
 * columns, random bytes) and requires a clean accept-or-refuse, never a crash
 * (the suite runs under ASan/UBSan).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/csv.h"
#include "common/dataset.h"
#include "common/rng.h"

#define T(s) s, sizeof(s) - 1
#define ANY_TASK (-1)

typedef struct bad_csv {
    const char *text;
    size_t len;
    const char *targets[3];
    int n_targets;
    int task_hint;
    const char *message;
} bad_csv_t;

static const bad_csv_t bad_cases[] = {
    {T(""), {"y"}, 1, ANY_TASK, "bad.csv:1:1: empty file (expected a header row)"},
    {T("\r\n\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: empty file (expected a header row)"},
    {T("\nx,y\n1,2\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: blank header row"},
    {T("x,y\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: no data rows after the header"},
    {T("x,y"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: no data rows after the header"},
    {T("x,y\r\n\r\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: no data rows after the header"},
    {T("x,y,z\n1,2,3\n4,5\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:3: too few fields: expected 3, got 2"},
    {T("x,y\n1,2\n3,4,5,6\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:3: too many fields: expected 2, got 4"},
    {T("x,y\n1,2\n\n3,4\n"), {"y"}, 1, ANY_TASK, "bad.csv:3:1: blank line inside the data"},
    {T("x,y\n1,2\n1.5e,4\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:1: non-numeric value in feature column 1 (expected a number)"},
    {T("x,y\n1,2\n0x10,4\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:1: non-numeric value in feature column 1 (expected a number)"},
    {T("a,b,y\n1,\"two, three\",4\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:2:2: non-numeric value in feature column 2 (expected a number)"},
    {T("x,y\n1,2\nnan,4\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:1: non-finite value in feature column 1 (expected a finite number)"},
    {T("x,y\n inf ,2\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:2:1: non-finite value in feature column 1 (expected a finite number)"},
    {T("x,y\n-inf,2\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:2:1: non-finite value in feature column 1 (expected a finite number)"},
    {T("x,y\n1e999,2\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:2:1: non-finite value in feature column 1 (expected a finite number)"},
    {T("x,y\n1,2\n3,nan\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:2: non-finite value in target column \"y\" (expected a finite number)"},
    {T("x,y\n1,inf\n"), {"y"}, 1, LRS_TASK_REGRESSION,
     "bad.csv:2:2: non-finite value in target column \"y\" (expected a finite number)"},
    {T("x,y\n1,2\n3,5\n"), {"target"}, 1, ANY_TASK,
     "bad.csv:1:1: unknown target column \"target\" (none of the header's 2 columns has that "
     "name)"},
    {T("x,y\n1,\n"), {"y"}, 1, ANY_TASK, "bad.csv:2:2: empty value in target column \"y\""},
    {T("x,y\n,2\n"), {"y"}, 1, ANY_TASK, "bad.csv:2:1: empty value in feature column 1 (expected a number)"},
    {T("x,y\n\"\",2\n"), {"y"}, 1, ANY_TASK, "bad.csv:2:1: empty value in feature column 1 (expected a number)"},
    {T("x,y\n  ,2\n"), {"y"}, 1, ANY_TASK, "bad.csv:2:1: empty value in feature column 1 (expected a number)"},
    {T("x,y\n1,\"a\n2,b\n"), {"y"}, 1, ANY_TASK, "bad.csv:2:2: unterminated quoted field"},
    {T("x,\"y\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:2: unterminated quoted field"},
    {T("x,y\n1,\"a\"b\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:2:2: unexpected character after closing quote"},
    {T("x,y\n1,a\"b\n"), {"y"}, 1, ANY_TASK, "bad.csv:2:2: quote inside an unquoted field"},
    {T("x,y,z\n1,a,b\n"), {"y", "z"}, 2, LRS_TASK_CLASSIFICATION,
     "bad.csv:1:3: classification takes exactly one target column, got 2"},
    {T("x,y,z\n1,2,3\n1,4,cat\n"), {"y", "z"}, 2, ANY_TASK,
     "bad.csv:3:3: non-numeric value in target column \"z\": classification takes "
     "exactly one target column, got 2"},
    {T("x,y\n1,2\n3,dog\n"), {"y"}, 1, LRS_TASK_REGRESSION,
     "bad.csv:3:2: non-numeric value in target column \"y\" (expected a number: the task is "
     "regression)"},
    {T("x,y,x\n1,2,3\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:1:3: duplicate column name (the same as column 1)"},
    {T("x,,y\n1,2,3\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:2: empty column name"},
    {T("x,y\n1,2\n"), {"y", "y"}, 2, ANY_TASK, "bad.csv: target column \"y\" given twice"},
    {T("y\n1\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: no feature columns: every column is a target"},
    {T("x,y\n1,a\n2,a\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:1:2: classification target \"y\" holds a single class (every row has the same "
     "label)"},
    {T("x,y\n1,2\n3\0,4\n"), {"y"}, 1, ANY_TASK, "bad.csv:3:1: NUL byte in field"},
    {T("x\0,y\n1,2\n"), {"y"}, 1, ANY_TASK, "bad.csv:1:1: NUL byte in field"},
    {T("x,y\n\"1\n\n\",2\n3,4,5\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:2:1: non-numeric value in feature column 1 (expected a number)"},
    {T("x,y\n\"a\nb\",2\n3,4,5\n"), {"y"}, 1, LRS_TASK_REGRESSION,
     "bad.csv:2:1: non-numeric value in feature column 1 (expected a number)"},
    {T("x,y\n1,\"a\nb\"\n3,4,5\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:4:3: too many fields: expected 2, got 3"},
    {T("x,y\n1,2\n\"he said \"\"hi\"\"\",4\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:1: non-numeric value in feature column 1 (expected a number)"},
    {T("x,y\n1,2\r\n3\r4,5\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:1: non-numeric value in feature column 1 (expected a number)"},
    {T("x,y\n1,2\nabcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ,2\n"), {"y"}, 1, ANY_TASK,
     "bad.csv:3:1: non-numeric value in feature column 1 (expected a number)"},
    {T("x,y\n1,2\n"), {NULL}, 0, ANY_TASK, "bad.csv: no target column given"},
    {T("x,y\n1,2\n"), {"y", ""}, 2, ANY_TASK, "bad.csv: empty target column name"},
    {NULL, 0, {"y"}, 1, ANY_TASK, "bad.csv:1:1: empty file (expected a header row)"},
};

static void test_bad_csv_table(void **state)
{
    (void)state;
    size_t n = sizeof bad_cases / sizeof bad_cases[0];
    for (size_t i = 0; i < n; i++) {
        const bad_csv_t *c = &bad_cases[i];
        lrs_dataset_t d;
        memset(&d, 0xab, sizeof d);
        lrs_err_t err;
        lrs_err_clear(&err);
        int rc = lrs_dataset_parse_csv("bad.csv", c->text, c->len, c->targets, c->n_targets,
                                       c->task_hint, &d, &err);
        if (rc != -1)
            fail_msg("case %zu: accepted, expected \"%s\"", i, c->message);
        if (strcmp(err.msg, c->message) != 0)
            fail_msg("case %zu:\n  got      %s\n  expected %s", i, err.msg, c->message);
        if (err.code != LRS_EXIT_USAGE || err.code != 2)
            fail_msg("case %zu: exit code %d, expected 2", i, err.code);
        assert_null(d.X);
        assert_null(d.Y);
        assert_int_equal(d.rows, 0);
    }
    printf("%zu bad CSV texts refused with the exact message and exit code 2\n", n);
}

static void test_unknown_target_names_no_header_cell(void **state)
{
    (void)state;
    /* 300 columns: the message counts them and quotes none (a header is the
     * file's text: the first line of whatever file the spec names). */
    size_t cap = 300 * 16, len = 0;
    char *text = malloc(cap);
    assert_non_null(text);
    for (int c = 0; c < 300; c++)
        len += (size_t)snprintf(text + len, cap - len, "%scol%d", c ? "," : "", c);
    len += (size_t)snprintf(text + len, cap - len, "\n");
    for (int c = 0; c < 300; c++)
        len += (size_t)snprintf(text + len, cap - len, "%s1", c ? "," : "");
    const char *target = "nope";
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(lrs_dataset_parse_csv("wide.csv", text, len, &target, 1, -1, &d, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    assert_string_equal(err.msg, "wide.csv:1:1: unknown target column \"nope\" (none of the "
                                 "header's 300 columns has that name)");
    free(text);
}

static void test_secret_text_is_never_echoed(void **state)
{
    (void)state;
    /* A file that is not CSV — one line of "secrets" — is refused by
     * position and problem; none of its bytes appear in the message. */
    static const char shadow[] = "root:$6$SECRETSALT$HASHHASH:19000:0:99999:7:::\n"
                                 "daemon:*:19000:0:99999:7:::\n";
    const char *target = "y";
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(lrs_dataset_parse_csv("shadow", shadow, sizeof shadow - 1, &target, 1, -1,
                                           &d, &err), -1);
    assert_string_equal(err.msg, "shadow:1:1: unknown target column \"y\" (none of the header's "
                                 "1 columns has that name)");
    static const char *const targets[] = {"root:$6$SECRETSALT$HASHHASH:19000:0:99999:7:::"};
    assert_int_equal(lrs_dataset_parse_csv("shadow", shadow, sizeof shadow - 1, targets, 1, -1,
                                           &d, &err), -1);
    assert_null(strstr(err.msg, "daemon"));   /* the cell, not the spec's name, stays out */
    static const char cells[] = "a,y\nSECRET-TOKEN-1234,1\n";
    assert_int_equal(lrs_dataset_parse_csv("f", cells, sizeof cells - 1, &target, 1, -1, &d,
                                           &err), -1);
    assert_string_equal(err.msg, "f:2:1: non-numeric value in feature column 1 (expected a "
                                 "number)");
}

static void test_too_many_columns(void **state)
{
    (void)state;
    size_t cols = 100001, len = 0;
    char *text = malloc(cols * 2 + 8);
    assert_non_null(text);
    for (size_t c = 0; c < cols; c++) {
        text[len++] = c == 0 ? 'y' : 'a' + (char)(c % 26);
        text[len++] = c + 1 < cols ? ',' : '\n';
    }
    const char *target = "y";
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(lrs_dataset_parse_csv("huge.csv", text, len, &target, 1, -1, &d, &err), -1);
    assert_string_equal(err.msg, "huge.csv:1:100001: too many columns (limit 100000)");
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    free(text);
}

static void test_huge_field_is_refused_cleanly(void **state)
{
    (void)state;
    /* An 8 MB unquoted cell and an 8 MB quoted one full of newlines. */
    size_t big = (size_t)8 << 20;
    char *text = malloc(big + 64);
    assert_non_null(text);
    memcpy(text, "x,y\n", 4);
    memset(text + 4, '7', big);
    memcpy(text + 4 + big, ",1\n", 3);
    const char *target = "y";
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(
        lrs_dataset_parse_csv("big.csv", text, big + 7, &target, 1, -1, &d, &err), -1);
    assert_string_equal(err.msg, "big.csv:2:1: non-numeric value in feature column 1 (expected a "
                                 "number)");
    memcpy(text, "x,y\n\"", 5);
    memset(text + 5, '\n', big);
    memcpy(text + 5 + big, "\",1\n", 4);
    assert_int_equal(
        lrs_dataset_parse_csv("big.csv", text, big + 9, &target, 1, -1, &d, &err), -1);
    assert_string_equal(err.msg, "big.csv:2:1: non-numeric value in feature column 1 (expected a "
                                 "number)");
    free(text);
}

static void test_random_bytes_never_crash(void **state)
{
    (void)state;
    /* Mutations of a valid file: each result is either a data set or a usage
     * error with a located message — ASan/UBSan watch the rest. */
    static const char base[] = "a,b,label\n1.5,\"2\",x\r\n-3,4e2,\"y,\"\"z\"\"\"\n5,6,x\n";
    static const char alphabet[] = {',', '"', '\n', '\r', '\0', '1', 'e', '-', ' ', 'x'};
    lrs_rng_t rng;
    lrs_rng_init(&rng, lrs_rng_key(42, 0, LRS_RNG_DATA));
    char text[sizeof base + 8];
    int accepted = 0, refused = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = sizeof base - 1;
        memcpy(text, base, len);
        int edits = 1 + (int)lrs_rng_below(&rng, 4);
        for (int e = 0; e < edits; e++) {
            size_t at = (size_t)lrs_rng_below(&rng, len);
            int op = (int)lrs_rng_below(&rng, 3);
            char ch = alphabet[lrs_rng_below(&rng, sizeof alphabet)];
            if (op == 0) {
                text[at] = ch;
            } else if (op == 1 && len + 1 < sizeof text) {
                memmove(text + at + 1, text + at, len - at);
                text[at] = ch;
                len++;
            } else if (len > 1) {
                memmove(text + at, text + at + 1, len - at - 1);
                len--;
            }
        }
        const char *target = "label";
        lrs_dataset_t d;
        lrs_err_t err;
        lrs_err_clear(&err);
        /* An exact-size heap copy lets ASan catch any read past the end. */
        char *exact = malloc(len ? len : 1);
        assert_non_null(exact);
        memcpy(exact, text, len);
        int rc = lrs_dataset_parse_csv("fuzz.csv", exact, len, &target, 1, -1, &d, &err);
        free(exact);
        if (rc == 0) {
            assert_true(d.rows >= 1);
            lrs_dataset_free(&d);
            accepted++;
        } else {
            assert_int_equal(err.code, LRS_EXIT_USAGE);
            assert_true(strncmp(err.msg, "fuzz.csv", 8) == 0);
            refused++;
        }
    }
    printf("mutated CSVs: %d accepted, %d refused, none crashed\n", accepted, refused);
    assert_true(accepted > 0 && refused > 0);
}

static void test_missing_file(void **state)
{
    (void)state;
    const char *target = "y";
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(lrs_dataset_load_csv("no/such/file.csv", &target, 1, -1, &d, &err), -1);
    assert_string_equal(err.msg, "no/such/file.csv: cannot open: No such file or directory");
    assert_int_equal(err.code, LRS_EXIT_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_csv_table),
        cmocka_unit_test(test_unknown_target_names_no_header_cell),
        cmocka_unit_test(test_secret_text_is_never_echoed),
        cmocka_unit_test(test_too_many_columns),
        cmocka_unit_test(test_huge_field_is_refused_cleanly),
        cmocka_unit_test(test_random_bytes_never_crash),
        cmocka_unit_test(test_missing_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
