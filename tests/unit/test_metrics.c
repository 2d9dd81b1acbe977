/* test_metrics.c — which printed lines are metric reports (common/metrics.h).
 *
 * Katib's NAME=NUMBER form and JSON object lines are reports; everything
 * else, including lines that merely contain '=' or look like JSON but hold
 * no number, is log text.  NaN and infinities must get through both forms,
 * since they are how a diverged run shows itself.
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

#include "common/metrics.h"

static int parse(const char *text, lrs_metric_line_t *m)
{
    return lrs_metrics_parse_line(text, strlen(text), m);
}

static double value_of(const lrs_metric_line_t *m, const char *name)
{
    int i = lrs_metrics_find(m, name);
    assert_true(i >= 0);
    return m->items[i].value;
}

static void test_katib_pairs(void **state)
{
    (void)state;
    lrs_metric_line_t m;
    assert_int_equal(parse("epoch=3 val_loss=0.25 lr=1e-2", &m), 1);
    assert_int_equal(m.n, 3);
    assert_string_equal(m.items[0].name, "epoch");
    assert_true(value_of(&m, "epoch") == 3.0);
    assert_true(value_of(&m, "val_loss") == 0.25);
    assert_true(value_of(&m, "lr") == 0.01);
    /* tabs, a trailing CR, commas after tokens, signs, names with . / - : */
    assert_int_equal(parse("  epoch=1,\tloss/train=-0.5, acc.top-1=+7E-1 a:b=2\r", &m), 1);
    assert_int_equal(m.n, 4);
    assert_true(value_of(&m, "loss/train") == -0.5);
    assert_true(value_of(&m, "acc.top-1") == 0.7);
    assert_true(value_of(&m, "a:b") == 2.0);
    /* a later report of the same name replaces the earlier one */
    assert_int_equal(parse("x=1 x=2", &m), 1);
    assert_int_equal(m.n, 1);
    assert_true(value_of(&m, "x") == 2.0);
}

static void test_katib_non_finite(void **state)
{
    (void)state;
    lrs_metric_line_t m;
    assert_int_equal(parse("epoch=4 val_loss=nan", &m), 1);
    assert_true(isnan(value_of(&m, "val_loss")));
    assert_int_equal(parse("val_loss=inf train_loss=-inf", &m), 1);
    assert_true(isinf(value_of(&m, "val_loss")) && value_of(&m, "val_loss") > 0);
    assert_true(isinf(value_of(&m, "train_loss")) && value_of(&m, "train_loss") < 0);
    assert_int_equal(parse("val_loss=1e999", &m), 1);   /* overflow is an infinite report */
    assert_true(isinf(value_of(&m, "val_loss")));
}

static void test_plain_text(void **state)
{
    (void)state;
    static const char *const lines[] = {
        "",
        "   ",
        "Epoch 3: val_loss 0.25",
        "epoch=3 val_loss=0.25 done",      /* one token is not NAME=NUMBER */
        "epoch=3 val_loss=",               /* empty value */
        "epoch=3 val_loss=0.25abc",        /* trailing junk */
        "val loss=0.2",
        "=0.5",
        "3x=1",                            /* name must start with a letter or _ */
        "a= 1",
        "key=value",
        "{}",
        "{\"name\": \"run-1\", \"ok\": true}",   /* JSON without numbers */
        "{\"val_loss\": 0.25",                     /* not closed */
        "[1, 2, 3]",
        "{not json}",
        "{\"bad name\": 1}",
    };
    for (size_t i = 0; i < sizeof lines / sizeof lines[0]; i++) {
        lrs_metric_line_t m;
        m.n = 99;
        if (parse(lines[i], &m) != 0 || m.n != 0)
            fail_msg("line %zu '%s' was taken as a metric line", i, lines[i]);
    }
}

static void test_json_object(void **state)
{
    (void)state;
    lrs_metric_line_t m;
    assert_int_equal(parse("{\"epoch\": 3, \"val_loss\": 0.25, \"tag\": \"x\", \"nested\": {\"a\": 1}}", &m),
                     1);
    assert_int_equal(m.n, 2);
    assert_true(value_of(&m, "epoch") == 3.0);
    assert_true(value_of(&m, "val_loss") == 0.25);
    assert_int_equal(lrs_metrics_find(&m, "nested"), -1);
    assert_int_equal(lrs_metrics_find(&m, "a"), -1);
    /* Python's json.dumps spellings of non-finite floats */
    assert_int_equal(parse("{\"val_loss\": NaN, \"hi\": Infinity, \"lo\": -Infinity, \"s\": \"NaN in text\"}",
                           &m),
                     1);
    assert_int_equal(m.n, 3);
    assert_true(isnan(value_of(&m, "val_loss")));
    assert_true(isinf(value_of(&m, "hi")) && value_of(&m, "hi") > 0);
    assert_true(isinf(value_of(&m, "lo")) && value_of(&m, "lo") < 0);
    /* what Python's print(dict) writes */
    assert_int_equal(parse("{'epoch': 2, 'val_loss': nan, 'hi': inf, 'lo': -inf, 'ok': True, "
                           "'none': None, 'text': \"it's \\\"x\\\" nan\", 'q': 'say \"hi\"', "
                           "'lr': 0.5, 'nanny': False}", &m),
                     1);
    assert_int_equal(m.n, 5);
    assert_true(value_of(&m, "epoch") == 2.0);
    assert_true(isnan(value_of(&m, "val_loss")));
    assert_true(isinf(value_of(&m, "hi")) && value_of(&m, "hi") > 0);
    assert_true(isinf(value_of(&m, "lo")) && value_of(&m, "lo") < 0);
    assert_true(value_of(&m, "lr") == 0.5);
    /* a string holding exactly "NaN" as a value is the same report */
    assert_int_equal(parse("{\"val_loss\": \"NaN\"}", &m), 1);
    assert_true(isnan(value_of(&m, "val_loss")));
}

static void test_not_nul_terminated_and_limits(void **state)
{
    (void)state;
    lrs_metric_line_t m;
    const char text[] = "loss=0.5 epoch=2XXXX";
    assert_int_equal(lrs_metrics_parse_line(text, 16, &m), 1);   /* "loss=0.5 epoch=2" */
    assert_true(value_of(&m, "epoch") == 2.0);
    /* names of 63 bytes are fine, 64 are not */
    char line[200];
    memset(line, 'a', 63);
    strcpy(line + 63, "=1");
    assert_int_equal(parse(line, &m), 1);
    memset(line, 'a', 64);
    strcpy(line + 64, "=1");
    assert_int_equal(parse(line, &m), 0);
    /* more names than fit: the first LRS_METRICS_PER_LINE are kept */
    char *many = malloc(LRS_METRICS_PER_LINE * 16 + 64);
    assert_non_null(many);
    size_t len = 0;
    for (int i = 0; i < LRS_METRICS_PER_LINE + 5; i++)
        len += (size_t)sprintf(many + len, "m%d=%d ", i, i);
    assert_int_equal(lrs_metrics_parse_line(many, len, &m), 1);
    assert_int_equal(m.n, LRS_METRICS_PER_LINE);
    free(many);
    /* over-long lines are never parsed */
    char *huge = malloc(LRS_METRIC_LINE_MAX + 10);
    assert_non_null(huge);
    memset(huge, ' ', LRS_METRIC_LINE_MAX + 10);
    memcpy(huge, "loss=1", 6);
    assert_int_equal(lrs_metrics_parse_line(huge, LRS_METRIC_LINE_MAX + 10, &m), 0);
    free(huge);
    assert_true(lrs_metrics_valid_name("val_loss"));
    assert_false(lrs_metrics_valid_name("val loss"));
    assert_false(lrs_metrics_valid_name(""));
}

/* Random lines built from the characters the parser cares about must never
 * crash it (ASan watches) and must give a consistent answer. */
static void test_random_lines_are_safe(void **state)
{
    (void)state;
    static const char alphabet[] = "{}[]'\"\\=:,. \t-+eE0123456789naifINFTruxlsNoe_\x80\xff";
    uint64_t x = 0x9e3779b97f4a7c15ull;
    char line[96];
    int metric_lines = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len = 0;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        size_t want = x % sizeof line;
        /* half the lines start like a report, to reach deep into both parsers */
        const char *prefix = (x >> 20) % 3 == 0 ? "{'val_loss': " : (x >> 20) % 3 == 1 ? "epoch=1 " : "";
        len = strlen(prefix);
        memcpy(line, prefix, len);
        while (len < want) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            line[len++] = alphabet[x % (sizeof alphabet - 1)];
        }
        lrs_metric_line_t m;
        int r = lrs_metrics_parse_line(line, len, &m);
        assert_true(r == 0 || r == 1);
        assert_true(r == 1 ? m.n > 0 : m.n == 0);
        metric_lines += r;
        for (int i = 0; i < m.n; i++)
            assert_true(lrs_metrics_valid_name(m.items[i].name));
    }
    printf("random lines: %d of 20000 were metric lines\n", metric_lines);
    assert_true(metric_lines > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_katib_pairs),
        cmocka_unit_test(test_katib_non_finite),
        cmocka_unit_test(test_plain_text),
        cmocka_unit_test(test_json_object),
        cmocka_unit_test(test_not_nul_terminated_and_limits),
        cmocka_unit_test(test_random_lines_are_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
