/* test_numfmt.c — one way to print a number: the JSON writer's numbers are
 * the shortest round trip (0.05, not 0.050000000000000003; one exponent
 * style), NaN/Inf become null, strings are escaped, keys keep their order;
 * table values have the module's display precision. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/numfmt.h"

static void test_json_numbers_are_shortest(void **state)
{
    (void)state;
    json_t *o = json_object();
    json_object_set_new(o, "lr", lrs_json_number(0.05));
    json_object_set_new(o, "small", lrs_json_number(2.19e-5));
    json_object_set_new(o, "tiny", lrs_json_number(9.59e-05));
    json_object_set_new(o, "whole", lrs_json_number(60.0));
    json_object_set_new(o, "third", lrs_json_number(1.0 / 3.0));
    json_object_set_new(o, "nan", lrs_json_number(NAN));
    json_object_set_new(o, "inf", lrs_json_number(-INFINITY));
    json_object_set_new(o, "n", json_integer(-42));
    json_object_set_new(o, "s", json_string("a\"b\n\xc3\xa9"));
    json_t *a = json_array();
    json_array_append_new(a, json_true());
    json_array_append_new(a, json_real(1e300));
    json_object_set_new(o, "list", a);
    char *text = lrs_json_text(o);
    assert_non_null(text);
    assert_string_equal(text, "{\"lr\":0.05,\"small\":2.19e-05,\"tiny\":9.59e-05,\"whole\":60.0,"
                              "\"third\":0.3333333333333333,\"nan\":null,\"inf\":null,\"n\":-42,"
                              "\"s\":\"a\\\"b\\n\xc3\xa9\",\"list\":[true,1e+300]}");
    /* every number reads back as the same double */
    json_t *back = json_loads(text, 0, NULL);
    assert_non_null(back);
    assert_true(json_real_value(json_object_get(back, "third")) == 1.0 / 3.0);
    assert_true(json_real_value(json_object_get(back, "small")) == 2.19e-5);
    json_decref(back);
    free(text);
    json_decref(o);
}

static void test_round_trip_many(void **state)
{
    (void)state;
    char buf[48];
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        double v;
        memcpy(&v, &x, sizeof v);
        if (!isfinite(v))
            continue;
        assert_true(lrs_fmt_number(v, buf, sizeof buf) > 0);
        assert_true(strtod(buf, NULL) == v);
    }
}

static void test_display(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(lrs_fmt_display(NAN, LRS_FMT_VALUE_DIGITS, buf, sizeof buf), 1);
    assert_string_equal(buf, "-");
    lrs_fmt_display(INFINITY, LRS_FMT_VALUE_DIGITS, buf, sizeof buf);
    assert_string_equal(buf, "inf");
    lrs_fmt_display(-INFINITY, LRS_FMT_VALUE_DIGITS, buf, sizeof buf);
    assert_string_equal(buf, "-inf");
    lrs_fmt_display(0.123456789, LRS_FMT_VALUE_DIGITS, buf, sizeof buf);
    assert_string_equal(buf, "0.123457");
    lrs_fmt_display(0.123456789, LRS_FMT_SHORT_DIGITS, buf, sizeof buf);
    assert_string_equal(buf, "0.1235");
    assert_int_equal(lrs_fmt_display(0.123456789, LRS_FMT_VALUE_DIGITS, buf, 4), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_numbers_are_shortest),
        cmocka_unit_test(test_round_trip_many),
        cmocka_unit_test(test_display),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
