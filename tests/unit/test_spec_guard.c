/* test_spec_guard.c — the text a spec may be (common/yaml_doc.c's guard,
 * through lrs_spec_parse_report, the parser every side uses).
 *
 * libfyaml 0.8 hangs or reads out of bounds on some directives and invalid
 * UTF-8, so spec text is checked before libfyaml sees it: each refusal here
 * names file:line:column and its reason and exits 2 — invalid UTF-8
 * (truncated, overlong, surrogate, above U+10FFFF), control characters (C0,
 * DEL, C1), directive lines, flow nesting deeper than 64 and text over
 * LRS_SPEC_MAX_TEXT.  And what must still pass: UTF-8 text, brackets in
 * quotes, comments and block scalars; a 1 MiB spec of many keys parses in
 * well under a second. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "common/spec.h"
#include "support.h"

/* A valid spec (synthetic model, no data); its search starts on line 4. */
#define VALID "name: t\ntrials: 10\nmodel: {type: synthetic}\nsearch:\n  lr: 0.1\n"

/* Parses len bytes of text as "spec.yaml" (sup_spec_report, no base folder). */
static char *report_of(const char *text, size_t len, int *rc, lrs_err_t *err)
{
    return sup_spec_report(text, len, NULL, rc, err, NULL);
}

/* The text is refused with exit code 2 and "spec.yaml:LINE:COLUMN: WANT…"
 * among the reported lines. */
static void expect_refused_n(const char *text, size_t len, int line, int column, const char *want)
{
    int rc;
    lrs_err_t err;
    char *report = report_of(text, len, &rc, &err);
    char prefix[96];
    snprintf(prefix, sizeof prefix, "spec.yaml:%d:%d: %s", line, column, want);
    if (rc != -1 || err.code != LRS_EXIT_USAGE || !strstr(report, prefix))
        fail_msg("expected \"%s\" (rc %d, code %d); report:\n%s", prefix, rc, err.code, report);
    printf("  %s", report);
    free(report);
}

static void expect_refused(const char *text, int line, int column, const char *want)
{
    expect_refused_n(text, strlen(text), line, column, want);
}

static void expect_accepted(const char *text)
{
    int rc;
    lrs_err_t err;
    char *report = report_of(text, strlen(text), &rc, &err);
    if (rc != 0)
        fail_msg("expected a valid spec; report:\n%s", report);
    free(report);
}

static void test_invalid_utf8(void **state)
{
    (void)state;
    expect_refused("name: caf\xc3\ntrials: 10\n", 1, 10, "byte 0xC3 is not valid UTF-8 (an incomplete sequence)");
    expect_refused("name: a\xc0\xaf\n", 1, 8, "byte 0xC0 is not valid UTF-8 (an overlong encoding)");
    expect_refused("name: a\xe0\x80\xaf\n", 1, 8, "byte 0xE0 is not valid UTF-8 (an overlong encoding)");
    expect_refused("name: a\xed\xa0\x80\n", 1, 8, "byte 0xED is not valid UTF-8 (a UTF-16 surrogate)");
    expect_refused("name: a\xf4\x90\x80\x80\n", 1, 8, "byte 0xF4 is not valid UTF-8 (beyond U+10FFFF)");
    expect_refused("name: a\x80\n", 1, 8, "byte 0x80 is not valid UTF-8 (a continuation byte");
    expect_refused("# \xe2\x80\x94 ok\nname: \xff\n", 2, 7, "byte 0xFF is not valid UTF-8");
}

static void test_control_characters(void **state)
{
    (void)state;
    expect_refused("name: a\x14z\n", 1, 8, "control character U+0014 is not allowed in a spec");
    expect_refused("name: t\n# \x7f\n", 2, 3, "control character U+007F is not allowed in a spec");
    expect_refused("name: \"a\xc2\x85z\"\n", 1, 9, "control character U+0085 is not allowed in a spec");
    /* A run of them on one line is one error. */
    int rc;
    lrs_err_t err;
    const char *run = "name: \x01\x01\x01\x01\x01\x01\x01\n";
    char *report = report_of(run, strlen(run), &rc, &err);
    assert_int_equal(rc, -1);
    assert_string_equal(report, "spec.yaml:1:7: control character U+0001 is not allowed in a spec\n");
    free(report);
}

static void test_directives(void **state)
{
    (void)state;
    expect_refused("%YAML 1.2\n---\n" VALID, 1, 1, "YAML directives (%...) are not accepted in a spec");
    expect_refused("name: t\n%TAG ! tag:x,2000:\n", 2, 1, "YAML directives (%...) are not accepted");
    expect_accepted("name: \"100%\"\ntrials: 10  # 50% more\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n");
}

static void test_flow_depth(void **state)
{
    (void)state;
    char text[512];
    /* 65 levels at the top: refused at the 65th bracket. */
    snprintf(text, sizeof text, "name: %.*s\n", 65, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    expect_refused(text, 1, 71, "nested deeper than 64 levels");
    snprintf(text, sizeof text, "name: t\nx: {a: %.*s\n", 64, "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[");
    expect_refused(text, 2, 71, "nested deeper than 64 levels");
    /* Brackets in quotes, comments, plain scalars and block scalars do not
     * count. */
    char many[80];
    memset(many, '[', 79);
    many[79] = '\0';
    snprintf(text, sizeof text,
             "name: \"%s\"  # %s\ntrials: 10\nmodel: {type: synthetic, x: '%s'}\nsearch: {lr: 0.1}\n", many,
             many, many);
    int rc;
    lrs_err_t err;
    char *report = report_of(text, strlen(text), &rc, &err);
    assert_null(strstr(report, "nested deeper"));   /* (x is an unknown key) */
    free(report);
    snprintf(text, sizeof text, "name: a%s\ntrials: 10\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n", many);
    expect_accepted(text);
    snprintf(text, sizeof text, "name: |\n  %s\n  it's \"%s\ntrials: 10\nmodel: {type: synthetic}\n"
                                "search: {lr: 0.1}\n", many, many);
    expect_accepted(text);
    snprintf(text, sizeof text, "name:\n  \"%s\"\ntrials: 10\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n",
             many);
    expect_accepted(text);
    /* A quote on a line continuing a plain scalar is text: it hides nothing. */
    snprintf(text, sizeof text, "name: a\n  \"b\nx: %.*s\n", 65, many);
    expect_refused(text, 3, 68, "nested deeper than 64 levels");
}

static void test_utf8_accepted(void **state)
{
    (void)state;
    expect_accepted("# synthetic \xe2\x80\x94 a sweep\t\r\nname: na\xc3\xafve \xf0\x9f\x93\x88\r\n"
                    "trials: 10\nmodel: {type: synthetic}\nsearch: {lr: 0.1}  # \xe2\x80\x91\n");
    expect_accepted("\xef\xbb\xbf" VALID);   /* a byte order mark */
}

/* Spec text of exactly LRS_SPEC_MAX_TEXT bytes is read; one more is an
 * error where the limit is passed. */
static void test_size_limit(void **state)
{
    (void)state;
    size_t max = LRS_SPEC_MAX_TEXT;
    char *text = malloc(max + 2);
    assert_non_null(text);
    size_t head = strlen(VALID);
    memcpy(text, VALID, head);
    memset(text + head, '#', max - head);
    for (size_t i = head + 63; i < max; i += 64)
        text[i] = '\n';
    text[max - 1] = '\n';
    text[max] = '#';
    text[max + 1] = '\0';
    int rc;
    lrs_err_t err;
    char *report = report_of(text, max, &rc, &err);
    assert_int_equal(rc, 0);
    free(report);
    int line = 1;   /* of byte max, past the last '\n' */
    for (size_t i = 0; i < max; i++)
        line += text[i] == '\n';
    expect_refused_n(text, max + 1, line, 1, "the spec is longer than its limit of 1048576 bytes (1024 KiB)");
    free(text);
}

/* 1 MiB of top-level keys (all unknown) and 1 MiB of a flow sequence: each
 * accepted or refused in well under a second (2 s: sanitizers slow it). */
static void test_large_specs_fast(void **state)
{
    (void)state;
    size_t max = LRS_SPEC_MAX_TEXT;
    char *text = malloc(max + 1);
    assert_non_null(text);
    for (int kind = 0; kind < 2; kind++) {
        size_t used = (size_t)snprintf(text, max, kind ? "name: t\ntrials: 10\nx: [" : "name: t\n");
        for (int i = 0; used + 40 < max; i++)
            used += (size_t)snprintf(text + used, max - used, kind ? "%d, " : "k%d: [%d, %d]\n", i, i, i);
        used += (size_t)snprintf(text + used, max - used, kind ? "0]\n" : "");
        struct timespec t0, t1;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        int rc;
        lrs_err_t err;
        char *report = report_of(text, used, &rc, &err);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        double s = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9;
        printf("  %zu bytes of %s: %.3f s, %s\n", used, kind ? "a flow sequence" : "keys", s, err.msg);
        assert_int_equal(rc, -1);
        assert_true(s < 2.0);
        free(report);
    }
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_invalid_utf8),     cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_directives),       cmocka_unit_test(test_flow_depth),
        cmocka_unit_test(test_utf8_accepted),    cmocka_unit_test(test_size_limit),
        cmocka_unit_test(test_large_specs_fast),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
