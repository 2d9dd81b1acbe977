/* test_textesc.c — one rule for text shown on a terminal: printable ASCII
 * and valid UTF-8 stay, tab is \t, C0 controls, DEL and invalid bytes are
 * \xNN, C1 controls and line-breaking or reordering marks are \uNNNN, and a
 * cut never splits a character or an escape. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "common/textesc.h"

/* s (a C string) escaped into a buffer that always suffices */
static const char *esc(const char *s)
{
    static char out[LRS_TEXTESC_SIZE(256)];
    return lrs_text_escape_str(s, out, sizeof out);
}

static void test_terminal_controls_are_escaped(void **state)
{
    (void)state;
    assert_string_equal(esc("evil\x1b[2J"), "evil\\x1b[2J");
    assert_string_equal(esc("\x1b]0;pwned\x07"), "\\x1b]0;pwned\\x07");
    assert_string_equal(esc("fake\rline\n"), "fake\\x0dline\\x0a");
    assert_string_equal(esc("a\tb"), "a\\tb");
    assert_string_equal(esc("del\x7f"), "del\\x7f");
    assert_string_equal(esc("\x01\x1f"), "\\x01\\x1f");
    /* NUL inside a counted buffer */
    char out[64];
    assert_string_equal(lrs_text_escape("a\0b", 3, out, sizeof out), "a\\x00b");
}

static void test_c1_raw_and_utf8(void **state)
{
    (void)state;
    /* a raw C1 byte is not UTF-8: \xNN */
    assert_string_equal(esc("x\x9b" "2J"), "x\\x9b2J");
    /* U+009B encoded as UTF-8 (0xC2 0x9B), and both ends of the C1 range */
    assert_string_equal(esc("x\xc2\x9b" "2J"), "x\\u009b2J");
    assert_string_equal(esc("\xc2\x80\xc2\x9f"), "\\u0080\\u009f");
    /* U+00A0 is past C1: kept */
    assert_string_equal(esc("\xc2\xa0"), "\xc2\xa0");
    /* bidi override and line separator */
    assert_string_equal(esc("a\xe2\x80\xae" "b\xe2\x80\xa8"), "a\\u202eb\\u2028");
}

static void test_invalid_utf8_bytes(void **state)
{
    (void)state;
    assert_string_equal(esc("\xff\xfe"), "\\xff\\xfe");
    assert_string_equal(esc("cut \xe2\x82"), "cut \\xe2\\x82");         /* truncated */
    assert_string_equal(esc("\xc0\xaf"), "\\xc0\\xaf");                 /* overlong '/' */
    assert_string_equal(esc("\xed\xa0\x80"), "\\xed\\xa0\\x80");        /* surrogate */
    assert_string_equal(esc("\x80z"), "\\x80z");                        /* stray continuation */
}

static void test_printable_text_is_kept(void **state)
{
    (void)state;
    const char *kept = "caf\xc3\xa9 \xe2\x80\x94 \xf0\x9f\x9a\x80 host-1:42/a \\x1b \"q\"";
    assert_string_equal(esc(kept), kept);
    /* escaping twice changes nothing */
    char once[256];
    snprintf(once, sizeof once, "%s", esc("w\x1b[2J\xc2\x9b\xff\t"));
    assert_string_equal(esc(once), once);
    assert_string_equal(esc(""), "");
    char out[8];
    assert_string_equal(lrs_text_escape_str(NULL, out, sizeof out), "");
    assert_string_equal(lrs_text_escape(NULL, 5, out, sizeof out), "");
}

static void test_cut_at_a_whole_character(void **state)
{
    (void)state;
    char out[6];
    /* "ab" + é (2 bytes) = 4 bytes fit in 5; the emoji (4 bytes) does not */
    assert_string_equal(lrs_text_escape_str("ab\xc3\xa9\xf0\x9f\x9a\x80", out, sizeof out), "ab\xc3\xa9");
    /* an escape is never split: "a" + "\x1b" needs 5 + NUL */
    assert_string_equal(lrs_text_escape_str("ab\x1b", out, 5), "ab");
    assert_string_equal(lrs_text_escape_str("a\x1b", out, 6), "a\\x1b");
    assert_string_equal(lrs_text_escape_str("\xc2\x9b", out, 6), "");
    assert_string_equal(lrs_text_escape_str("\xe2\x80\x94", out, 3), "");
    assert_string_equal(lrs_text_escape_str("xyz", out, 1), "");
    /* the documented size always suffices: 4 bytes out per byte in */
    char big[LRS_TEXTESC_SIZE(3)];
    assert_string_equal(lrs_text_escape("\xff\x1b\x9b", 3, big, sizeof big), "\\xff\\x1b\\x9b");
    assert_string_equal(lrs_text_escape_str("\xc2\x9b", big, LRS_TEXTESC_SIZE(2)), "\\u009b");
}

static void test_utf8_seq(void **state)
{
    (void)state;
    uint32_t cp = 0;
    assert_int_equal(lrs_utf8_seq((const unsigned char *)"A", 1, &cp), 1);
    assert_int_equal(cp, 'A');
    assert_int_equal(lrs_utf8_seq((const unsigned char *)"\xe2\x80\x94", 3, &cp), 3);
    assert_int_equal(cp, 0x2014);
    assert_int_equal(lrs_utf8_seq((const unsigned char *)"\xf0\x9f\x9a\x80", 4, &cp), 4);
    assert_int_equal(cp, 0x1F680);
    assert_int_equal(lrs_utf8_seq((const unsigned char *)"\xf0\x9f\x9a", 3, &cp), 0);
    assert_int_equal(lrs_utf8_seq((const unsigned char *)"\xf4\x90\x80\x80", 4, &cp), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_terminal_controls_are_escaped),
        cmocka_unit_test(test_c1_raw_and_utf8),
        cmocka_unit_test(test_invalid_utf8_bytes),
        cmocka_unit_test(test_printable_text_is_kept),
        cmocka_unit_test(test_cut_at_a_whole_character),
        cmocka_unit_test(test_utf8_seq),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
