/* test_data_blob.c — a data set's binary form (common/data_blob.h), what
 * the coordinator ships instead of CSV text.
 *
 * Round trips: the wine and diabetes examples and a multi-target set come
 * back bit for bit, copied or adopted (values read in place in the block) (values, -0, class codes, labels, names) with the same
 * content hash, so a sweep created before the form existed resumes; the
 * bytes are laid out as documented (pinned against the header written by
 * hand here).  Hostile forms: every truncation, one byte too many, and
 * header counts that lie (rows or columns beyond the cell bound or the
 * bytes, a names length past the end, a name running out of the names, a
 * task or class count out of range, a class code naming no class, a NUL in
 * a name) are refused with a message and nothing left allocated; random
 * mutations never crash and every accepted form frees cleanly.  And the
 * form's name on the wire, the word-wise FNV-1a, against Python goldens.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/csv.h"
#include "common/data_blob.h"
#include "common/dataset.h"
#include "common/fnv.h"
#include "common/rng.h"

static void load(const char *text, const char *const *targets, int n_targets, lrs_dataset_t *d)
{
    lrs_err_t err;
    if (lrs_dataset_parse_csv("t.csv", text, strlen(text), targets, n_targets, -1, d, &err) != 0)
        fail_msg("refused: %s", err.msg);
}

static void load_file(const char *path, const char *target, lrs_dataset_t *d)
{
    lrs_err_t err;
    if (lrs_dataset_load_csv(path, &target, 1, -1, d, &err) != 0)
        fail_msg("refused: %s", err.msg);
}

static void assert_same(const lrs_dataset_t *a, const lrs_dataset_t *b)
{
    assert_int_equal(a->task, b->task);
    assert_int_equal(a->rows, b->rows);
    assert_int_equal(a->n_features, b->n_features);
    assert_int_equal(a->n_targets, b->n_targets);
    assert_int_equal(a->n_classes, b->n_classes);
    /* bits, not values: -0 and every last digit survive */
    assert_memory_equal(a->X, b->X, (size_t)a->rows * (size_t)a->n_features * sizeof(double));
    assert_memory_equal(a->Y, b->Y, (size_t)a->rows * (size_t)a->n_targets * sizeof(double));
    for (int i = 0; a->task == LRS_TASK_CLASSIFICATION && i < a->n_classes; i++)
        assert_string_equal(a->class_labels[i], b->class_labels[i]);
    for (int j = 0; j < a->n_features; j++)
        assert_string_equal(a->feature_names[j], b->feature_names[j]);
    for (int t = 0; t < a->n_targets; t++)
        assert_string_equal(a->target_names[t], b->target_names[t]);
    char ha[17], hb[17];
    lrs_dataset_content_hash(a, ha);
    lrs_dataset_content_hash(b, hb);
    assert_string_equal(ha, hb);
}

/* d through the form and back: the same data set. */
static void round_trip(const lrs_dataset_t *d)
{
    uint8_t *blob;
    size_t len;
    lrs_err_t err;
    assert_int_equal(lrs_data_blob_encode(d, &blob, &len, &err), 0);
    assert_int_equal(len % 8, 0);
    lrs_dataset_t back;
    if (lrs_data_blob_decode(blob, len, "form", &back, &err) != 0)
        fail_msg("decode refused its own form: %s", err.msg);
    assert_same(d, &back);
    lrs_dataset_free(&back);
    /* adopted: the same data set, its values read in place in the block */
    if (lrs_data_blob_adopt(blob, len, "form", &back, &err) != 0)
        fail_msg("adopt refused its own form: %s", err.msg);
    assert_same(d, &back);
    assert_ptr_equal(back.values_block, blob);
    assert_true((uint8_t *)back.X > blob && (uint8_t *)back.X < blob + len);
    lrs_dataset_free(&back);   /* frees blob */
}

static void test_round_trips(void **state)
{
    (void)state;
    lrs_dataset_t d;
    load_file("../../examples/wine.csv", "cultivar", &d);
    assert_int_equal(d.task, LRS_TASK_CLASSIFICATION);
    round_trip(&d);
    lrs_dataset_free(&d);
    load_file("../../examples/diabetes.csv", "progression", &d);
    assert_int_equal(d.task, LRS_TASK_REGRESSION);
    round_trip(&d);
    lrs_dataset_free(&d);
    const char *two[] = {"y2", "y1"};
    load("a,y1,b,y2\n-0,1.5,1e300,7\n2.25,-3,4,5e-320\n", two, 2, &d);
    round_trip(&d);
    lrs_dataset_free(&d);
}

/* The layout of data_blob.h, byte by byte, for a small classification set. */
static void test_layout(void **state)
{
    (void)state;
    const char *y[] = {"y"};
    lrs_dataset_t d;
    load("x,y\n1.5,b\n-2,a\n", y, 1, &d);
    uint8_t *blob;
    size_t len;
    lrs_err_t err;
    assert_int_equal(lrs_data_blob_encode(&d, &blob, &len, &err), 0);
    lrs_dataset_free(&d);
    /* header 56, names 4+1 4+1 4+1 4+1 = 20 -> 76, padded to 80; 2 x + 2 y */
    assert_int_equal(len, 80 + 4 * 8);
    assert_memory_equal(blob, "LRSDATA1", 8);
    const uint8_t counts[48] = {1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0,
                                1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0,
                                2, 0, 0, 0, 0, 0, 0, 0, 20, 0, 0, 0, 0, 0, 0, 0};
    assert_memory_equal(blob + 8, counts, sizeof counts);
    assert_memory_equal(blob + 56, "\1\0\0\0a\1\0\0\0b\1\0\0\0x\1\0\0\0y\0\0\0\0", 24);
    const double values[4] = {1.5, -2, 1, 0};   /* X, then Y: class codes b = 1, a = 0 */
    uint8_t le[32];
    for (int i = 0; i < 4; i++) {
        uint64_t bits;
        memcpy(&bits, &values[i], 8);
        for (int k = 0; k < 8; k++)
            le[8 * i + k] = (uint8_t)(bits >> (8 * k));
    }
    assert_memory_equal(blob + 80, le, 32);
    free(blob);
}

static void expect_refused(const uint8_t *bytes, size_t len, const char *fragment)
{
    lrs_dataset_t d;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_data_blob_decode(bytes, len, "hostile", &d, &err), -1);
    assert_int_equal(err.code, 2);
    if (fragment && !strstr(err.msg, fragment))
        fail_msg("error '%s' lacks '%s'", err.msg, fragment);
    assert_null(d.X);   /* nothing left allocated */
    assert_null(d.feature_names);
}

static void put64(uint8_t *p, uint64_t v)
{
    for (int k = 0; k < 8; k++)
        p[k] = (uint8_t)(v >> (8 * k));
}

/* The small form of test_layout, for mutations. */
static uint8_t *small_form(size_t *len)
{
    const char *y[] = {"y"};
    lrs_dataset_t d;
    load("x,y\n1.5,b\n-2,a\n", y, 1, &d);
    uint8_t *blob;
    lrs_err_t err;
    assert_int_equal(lrs_data_blob_encode(&d, &blob, len, &err), 0);
    lrs_dataset_free(&d);
    return blob;
}

static void test_hostile(void **state)
{
    (void)state;
    size_t len;
    uint8_t *good = small_form(&len);
    for (size_t n = 0; n < len; n++)
        expect_refused(good, n, NULL);
    uint8_t *b = calloc(len + 8, 1);
    assert_non_null(b);
    memcpy(b, good, len);
    expect_refused(b, len + 8, "length");
    static const struct {
        const char *what;
        size_t at;        /* byte offset of the u64 changed */
        uint64_t value;
        const char *fragment;
    } lies[] = {
        {"task 2", 8, 2, "task"},
        {"rows 0", 16, 0, "out of range"},
        {"rows 2^40", 16, (uint64_t)1 << 40, "out of range"},
        {"rows 2^31 (cells over the bound)", 16, (uint64_t)1 << 31, "out of range"},
        {"features 2^62", 24, (uint64_t)1 << 62, "out of range"},
        {"features 3 (more bytes than there are)", 24, 3, "length"},
        {"targets 0", 32, 0, "out of range"},
        {"targets 2 of a classification", 32, 2, "class count"},
        {"classes 0", 40, 0, "class count"},
        {"classes 3 of 2 rows", 40, 3, "class count"},
        {"names longer than the data", 48, 1 << 20, "names longer"},
        {"names length 2^63", 48, (uint64_t)1 << 63, "names longer"},
        {"names length 19 (a name cut)", 48, 19, "name"},
        {"a name of 4 G", 56, 0xffffffffu | (uint64_t)'a' << 32, "name"},
    };
    for (size_t i = 0; i < sizeof lies / sizeof lies[0]; i++) {
        print_message("hostile: %s\n", lies[i].what);
        memcpy(b, good, len);
        put64(b + lies[i].at, lies[i].value);
        expect_refused(b, len, lies[i].fragment);
    }
    memcpy(b, good, len);
    b[60] = '\0';   /* class label "a" -> NUL */
    expect_refused(b, len, "NUL");
    const double bad_codes[] = {2, -1, 0.5, NAN};
    for (size_t i = 0; i < sizeof bad_codes / sizeof bad_codes[0]; i++) {
        memcpy(b, good, len);
        memcpy(b + len - 8, &bad_codes[i], 8);   /* the last class code */
        expect_refused(b, len, "class code");
    }
    memcpy(b, good, 8);
    b[7] = '2';
    expect_refused(b, len, "LRSDATA1");
    /* a form adopted and refused is freed (the sanitizers see a leak else) */
    uint8_t *taken = malloc(len);
    assert_non_null(taken);
    memcpy(taken, good, len);
    memcpy(taken + len - 8, &bad_codes[0], 8);
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(lrs_data_blob_adopt(taken, len, "hostile", &d, &err), -1);
    assert_null(d.values_block);
    free(b);
    free(good);
}

/* The form's name on the wire (lrs_fnv64w): golden values from a few lines
 * of Python (FNV-1a's step on each little-endian u64, the tail byte-wise);
 * fed in pieces of every split it is the whole's; one changed byte in any
 * word changes it. */
static void test_wire_hash(void **state)
{
    (void)state;
    uint8_t bytes[20];
    for (int i = 0; i < 20; i++)
        bytes[i] = (uint8_t)i;
    char h[17];
    lrs_fnv64w_hex(bytes, 0, h);
    assert_string_equal(h, "cbf29ce484222325");
    lrs_fnv64w_hex(bytes, 20, h);
    assert_string_equal(h, "54af7405172e3a41");
    lrs_fnv64w_hex("LRSDATA1", 8, h);
    assert_string_equal(h, "70ef5aa600c3b56b");
    for (size_t a = 0; a <= 20; a++)
        for (size_t b = a; b <= 20; b++) {
            lrs_fnv64w_t s;
            lrs_fnv64w_init(&s);
            lrs_fnv64w_update(&s, bytes, a);
            lrs_fnv64w_update(&s, bytes + a, b - a);
            lrs_fnv64w_update(&s, bytes + b, 20 - b);
            char got[17];
            lrs_fnv64_hex(lrs_fnv64w_final(&s), got);
            assert_string_equal(got, "54af7405172e3a41");
        }
    for (int i = 0; i < 20; i++) {
        bytes[i] ^= 0x80;
        char other[17];
        lrs_fnv64w_hex(bytes, 20, other);
        assert_string_not_equal(other, "54af7405172e3a41");
        bytes[i] ^= 0x80;
    }
}

/* Random mutations of a valid form: never a crash; accepted ones free. */
static void test_mutations(void **state)
{
    (void)state;
    size_t len;
    uint8_t *good = small_form(&len);
    uint8_t *b = malloc(len);
    assert_non_null(b);
    lrs_rng_t rng;
    lrs_rng_init(&rng, 77);
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        memcpy(b, good, len);
        for (int k = 0; k < 1 + (int)lrs_rng_below(&rng, 4); k++)
            b[lrs_rng_below(&rng, len)] = (uint8_t)lrs_rng_u64(&rng);
        lrs_dataset_t d;
        lrs_err_t err;
        if (lrs_data_blob_decode(b, len, "mutated", &d, &err) == 0) {
            accepted++;
            lrs_dataset_free(&d);
        } else {
            assert_true(err.msg[0] != '\0');
        }
    }
    print_message("mutations: %d of 20000 decoded (values changed), the rest refused\n", accepted);
    free(b);
    free(good);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trips),
        cmocka_unit_test(test_layout),
        cmocka_unit_test(test_hostile),
        cmocka_unit_test(test_wire_hash),
        cmocka_unit_test(test_mutations),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
