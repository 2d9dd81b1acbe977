/* test_bytesize.c — sizes as an operator writes them (common/bytesize.h):
 * binary units with an optional B / iB, plain bytes, and what is refused —
 * no digits, a sign, spaces, an unknown unit, a size past 64 bits; and the
 * human form shown back in messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "common/bytesize.h"

static void test_parse_units(void **state)
{
    (void)state;
    static const struct { const char *text; uint64_t bytes; } ok[] = {
        {"0", 0},
        {"1048576", 1048576},
        {"512B", 512},
        {"1k", 1024},
        {"512M", 512ull << 20},
        {"512MiB", 512ull << 20},
        {"4G", 4ull << 30},
        {"4gb", 4ull << 30},
        {"2T", 2ull << 40},
        {"16777215T", 16777215ull << 40},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        uint64_t v = 1;
        lrs_err_t err;
        assert_int_equal(lrs_bytesize_parse(ok[i].text, &v, &err), 0);
        assert_true(v == ok[i].bytes);
    }
}

static void test_parse_refused(void **state)
{
    (void)state;
    static const char *const bad[] = {"", "M", "-1", "+4G", " 4G", "4 G", "4X", "4GG", "4iB",
                                      "0x10", "1.5G", "16777216T", "99999999999999999999"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        uint64_t v = 7;
        lrs_err_t err;
        assert_int_equal(lrs_bytesize_parse(bad[i], &v, &err), -1);
        assert_int_equal(err.code, LRS_EXIT_USAGE);
        assert_true(v == 7);
    }
}

static void test_show(void **state)
{
    (void)state;
    char buf[32];
    assert_string_equal(lrs_bytesize_show(1000, buf, sizeof buf), "1000 bytes");
    assert_string_equal(lrs_bytesize_show(1024, buf, sizeof buf), "1 KiB");
    assert_string_equal(lrs_bytesize_show(3u << 19, buf, sizeof buf), "1.5 MiB");
    assert_string_equal(lrs_bytesize_show(4ull << 30, buf, sizeof buf), "4 GiB");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_units),
        cmocka_unit_test(test_parse_refused),
        cmocka_unit_test(test_show),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
