/* test_numparse.c — the one rule for numbers read from text. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/numparse.h"

static void test_double(void **state)
{
    (void)state;
    double v = 0;
    assert_int_equal(lrs_parse_double("1e-3", &v), 0);
    assert_true(v == 1e-3);
    assert_int_equal(lrs_parse_double("-0.5", &v), 0);
    assert_true(v == -0.5);
    const char *bad[] = {"", "abc", "1x", "1 ", "inf", "nan", "-inf", "1e999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = 7;
        assert_int_equal(lrs_parse_double(bad[i], &v), -1);
        assert_true(v == 7);   /* untouched on failure */
    }
}

static void test_integers(void **state)
{
    (void)state;
    long l = 0;
    uint64_t u = 0;
    assert_int_equal(lrs_parse_long("-42", &l), 0);
    assert_int_equal(l, -42);
    assert_int_equal(lrs_parse_long("2.0", &l), -1);
    assert_int_equal(lrs_parse_long("1e3", &l), -1);
    assert_int_equal(lrs_parse_long("99999999999999999999", &l), -1);
    /* every 64-bit seed exactly, which a double could not hold */
    assert_int_equal(lrs_parse_u64("18446744073709551615", &u), 0);
    assert_true(u == UINT64_MAX);
    assert_int_equal(lrs_parse_u64("9007199254740993", &u), 0);
    assert_true(u == 9007199254740993ULL);
    assert_int_equal(lrs_parse_u64("-1", &u), -1);
    assert_int_equal(lrs_parse_u64("18446744073709551616", &u), -1);
    assert_int_equal(lrs_parse_u64("", &u), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_double),
        cmocka_unit_test(test_integers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
