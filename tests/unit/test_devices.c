/* test_devices.c — `--gpus` lists (common/devices.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "common/devices.h"

static void expect_refused(const char *text, const char *fragment)
{
    lrs_devices_t d;
    char why[160] = "";
    assert_int_equal(lrs_devices_parse(text, &d, why, sizeof why), -1);
    if (!strstr(why, fragment))
        fail_msg("'%s': reason '%s' lacks '%s'", text, why, fragment);
}

static void test_lists(void **state)
{
    (void)state;
    lrs_devices_t d;
    char why[160];
    assert_int_equal(lrs_devices_parse("0,1,3", &d, why, sizeof why), 0);
    assert_int_equal(d.n, 3);
    assert_string_equal(d.id[2], "3");
    /* slot k runs on device k mod n */
    assert_string_equal(lrs_devices_for_slot(&d, 0), "0");
    assert_string_equal(lrs_devices_for_slot(&d, 2), "3");
    assert_string_equal(lrs_devices_for_slot(&d, 4), "1");
    assert_int_equal(lrs_devices_parse("GPU-8f2c1a7e-55aa-4b7e-9f00-0123456789ab", &d, why, sizeof why), 0);
    assert_int_equal(d.n, 1);
    assert_string_equal(lrs_devices_for_slot(&d, 7), "GPU-8f2c1a7e-55aa-4b7e-9f00-0123456789ab");
    lrs_devices_t none = {0};
    assert_null(lrs_devices_for_slot(&none, 0));
    assert_null(lrs_devices_for_slot(NULL, 0));
}

static void test_refused(void **state)
{
    (void)state;
    expect_refused("", "an empty device id");
    expect_refused("0,,1", "an empty device id");
    expect_refused("0,", "an empty device id");
    expect_refused("0,1,0", "device 0 is listed twice");
    expect_refused("0 1", "holds a character other than");
    expect_refused("0;rm", "holds a character other than");
    char many[400] = "";
    for (int i = 0; i <= LRS_MAX_DEVICES; i++) {
        char one[8];
        snprintf(one, sizeof one, i ? ",%d" : "%d", i);
        strcat(many, one);
    }
    expect_refused(many, "more than 64 devices");
    char longid[80];
    memset(longid, 'a', sizeof longid - 1);
    longid[sizeof longid - 1] = '\0';
    expect_refused(longid, "longer than 63");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lists),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
