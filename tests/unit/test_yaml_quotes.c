/* test_yaml_quotes.c — single-quoted scalars, which lrsweep decodes itself
 * (libfyaml 0.7.12 leaks on many '' escapes): every sample must read as
 * libfyaml's own fy_token_get_text reads it — escapes, folded line breaks,
 * kept and stripped blanks — and a scalar of 3000 '' escapes as 3000
 * quotes (where libfyaml's text is the leak, so it is not asked). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfyaml.h>

#include "common/arena.h"
#include "common/diag.h"
#include "common/yaml_doc.h"

/* libfyaml's value of the scalar under key "v" (malloc'd). */
static char *reference(const char *text)
{
    struct fy_parse_cfg cfg = {.flags = FYPCF_QUIET};
    struct fy_parser *p = fy_parser_create(&cfg);
    assert_non_null(p);
    assert_int_equal(fy_parser_set_string(p, text, strlen(text)), 0);
    struct fy_event *ev;
    char *value = NULL;
    int next_is_value = 0;
    while ((ev = fy_parser_parse(p))) {
        if (ev->type == FYET_SCALAR && ev->scalar.value) {
            size_t len;
            const char *t = fy_token_get_text(ev->scalar.value, &len);
            if (next_is_value && !value)
                value = strndup(t, len);
            next_is_value = len == 1 && t[0] == 'v';
        }
        fy_parser_event_free(p, ev);
    }
    fy_parser_destroy(p);
    assert_non_null(value);
    return value;
}

static const char *ours(const char *text, lrs_arena_t *arena)
{
    lrs_diags_t d = {.file = "t"};
    const lrs_ynode_t *root = lrs_y_read(text, strlen(text), 1 << 20, "spec", arena, &d);
    if (!root || d.n)
        fail_msg("not read: %s", text);
    lrs_diag_free(&d);
    const lrs_ynode_t *v = lrs_y_get(root, "v");
    assert_non_null(v);
    return v->text;
}

static void test_same_as_libfyaml(void **state)
{
    (void)state;
    static const char *const samples[] = {
        "v: 'plain'\n",
        "v: ''\n",
        "v: 'it''s'\n",
        "v: ''''\n",
        "v: 'a''b''c''d'\n",
        "v: ' lead and trail  '\n",
        "v: 'one\n  two'\n",
        "v: 'trailing  \n  next'\n",
        "v: 'para\n\n  two\n\n\n  three'\n",
        "v: 'tab\there'\n",
        "v: 'crlf\r\n  line'\n",
        "v: 'x''\n  y'\n",
        "v: 'é — ünïcode'\n",
        "k: {w: 'in flow', u: 1}\nv: 'after'\n",
        "v: '  \n  '\n",
    };
    lrs_arena_t arena = {0};
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        char *want = reference(samples[i]);
        const char *got = ours(samples[i], &arena);
        if (strcmp(got, want) != 0)
            fail_msg("sample %zu: lrsweep reads [%s], libfyaml [%s]", i, got, want);
        free(want);
    }
    lrs_arena_free(&arena);
}

static void test_many_escapes(void **state)
{
    (void)state;
    size_t n = 3000;
    char *text = malloc(2 * n + 16);
    assert_non_null(text);
    size_t o = (size_t)sprintf(text, "v: '");
    for (size_t i = 0; i < n; i++)
        o += (size_t)sprintf(text + o, "''");
    sprintf(text + o, "'\n");
    lrs_arena_t arena = {0};
    const char *got = ours(text, &arena);
    assert_int_equal(strlen(got), n);
    assert_int_equal(strspn(got, "'"), n);
    lrs_arena_free(&arena);
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_as_libfyaml),
        cmocka_unit_test(test_many_escapes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
