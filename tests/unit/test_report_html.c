/* test_report_html.c — the report page's two escapes (coordinator/
 * report_html.h): HTML text and attributes, and JSON inside a script
 * element, each on the characters that could end, open or bend the
 * context they land in, and nothing else touched. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "coordinator/report_html.h"

/* What fn wrote for s, as a new string. */
static char *written(int html, const char *s)
{
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    if (html)
        lrs_html_text(f, s);
    else
        assert_int_equal(lrs_html_script_json(f, s), 0);
    fclose(f);
    return buf;
}

static void test_html_text(void **state)
{
    (void)state;
    char *got = written(1, "<script>a=\"1\" & b='2'</script> ok é");
    assert_string_equal(got, "&lt;script&gt;a=&quot;1&quot; &amp; b=&#39;2&#39;&lt;/script&gt; ok é");
    free(got);
    got = written(1, "");
    assert_string_equal(got, "");
    free(got);
}

static void test_script_json(void **state)
{
    (void)state;
    /* as jansson writes a string holding </script><!-- & U+2028 U+2029 */
    char *got = written(0, "{\"n\":\"</script><!--a&b\xe2\x80\xa8\xe2\x80\xa9\xe2\x80\xaa\"}");
    assert_string_equal(got, "{\"n\":\"\\u003c/script\\u003e\\u003c!--a\\u0026b\\u2028\\u2029"
                             "\xe2\x80\xaa\"}");
    assert_null(strchr(got, '<'));
    assert_null(strchr(got, '>'));
    free(got);
    got = written(0, "[1,2.5,null,\"\xc3\xa9\"]");
    assert_string_equal(got, "[1,2.5,null,\"\xc3\xa9\"]");
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html_text),
        cmocka_unit_test(test_script_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
