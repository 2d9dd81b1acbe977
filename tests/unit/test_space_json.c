/* test_space_json.c — the search space as JSON (common/space_json.h), the
 * text the coordinator stores in sweeps.space: each node of a parsed spec's
 * tree once, in pre-order, with its kind, type, distribution, bounds or
 * typed values, choices, grid and the chain of branches above it (nested
 * and repeated parameters too); a command sweep's user parameters as kind
 * user with their own types, inside a branch too; numbers that read back as the spec's doubles.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "common/space_json.h"
#include "common/spec.h"

static json_t *space_of(const char *text)
{
    lrs_spec_t *spec = NULL;
    lrs_err_t err;
    lrs_err_clear(&err);
    if (lrs_spec_parse("s.yaml", text, strlen(text), NULL, &spec, &err) < 0)
        fail_msg("parse: %s", err.msg);
    char *json = lrs_space_json_text(lrs_spec_space(spec));
    assert_non_null(json);
    json_error_t jerr;
    json_t *doc = json_loads(json, 0, &jerr);
    if (!doc)
        fail_msg("not JSON (%s): %s", jerr.text, json);
    free(json);
    lrs_spec_destroy(&spec);
    assert_int_equal(json_integer_value(json_object_get(doc, "version")), 1);
    return doc;
}

/* Entry i of the parameter list, checked to be named name. */
static json_t *entry(json_t *doc, size_t i, const char *name)
{
    json_t *e = json_array_get(json_object_get(doc, "parameters"), i);
    assert_non_null(e);
    assert_string_equal(json_string_value(json_object_get(e, "name")), name);
    return e;
}

static const char *str(json_t *e, const char *key)
{
    const char *s = json_string_value(json_object_get(e, key));
    if (!s)
        fail_msg("no string %s", key);
    return s;
}

/* The entry's branch chain as "p=v/p=v" text. */
static void branch_text(json_t *e, char *buf, size_t size)
{
    json_t *chain = json_object_get(e, "branch"), *c;
    size_t i, pos = 0;
    assert_true(json_is_array(chain));
    buf[0] = '\0';
    json_array_foreach(chain, i, c) {
        json_t *v = json_object_get(c, "value");
        pos += (size_t)snprintf(buf + pos, size - pos, "%s%s=%s", i ? "/" : "",
                                str(c, "parameter"),
                                json_is_string(v) ? json_string_value(v)
                                : json_is_true(v) ? "true" : "false");
    }
}

static void test_builtin_space(void **state)
{
    (void)state;
    json_t *doc = space_of(
        "name: s\ntrials: 4\nseed: 1\nmodel: {type: synthetic}\n"
        "search:\n"
        "  lr: {log_uniform: [1.0e-4, 0.3], grid: 3}\n"
        "  epochs: 7\n"
        "  batch_size: {int_log_uniform: [8, 64]}\n"
        "  optimizer:\n"
        "    sgd: {momentum: {uniform: [0.1, 0.9]}, nesterov: {values: [false, true]}}\n"
        "    rmsprop: {momentum: {values: [0.0, 0.5]}}\n"
        "    adam: {}\n"
        "  scheduler:\n"
        "    multistep: {milestones: {values: [[2, 4], [3]]}}\n"
        "    constant: {}\n");
    json_t *params = json_object_get(doc, "parameters");
    /* pre-order in parameter-table order: lr, optimizer, its branches in the
     * order of optimizer's choices (sgd, adam, rmsprop), scheduler, … */
    json_t *lr = entry(doc, 0, "lr");
    assert_string_equal(str(lr, "kind"), "lrsweep");
    assert_string_equal(str(lr, "type"), "float");
    assert_string_equal(str(lr, "distribution"), "log_uniform");
    assert_true(json_is_true(json_object_get(lr, "log")));
    assert_true(json_real_value(json_object_get(lr, "low")) == 1.0e-4);
    assert_true(json_real_value(json_object_get(lr, "high")) == 0.3);
    assert_int_equal(json_integer_value(json_object_get(lr, "grid")), 3);
    assert_int_equal(json_array_size(json_object_get(lr, "branch")), 0);
    assert_null(json_object_get(lr, "values"));

    json_t *opt = entry(doc, 1, "optimizer");
    assert_string_equal(str(opt, "type"), "choice");
    assert_string_equal(str(opt, "distribution"), "values");
    assert_true(json_is_false(json_object_get(opt, "log")));
    json_t *values = json_object_get(opt, "values");
    assert_int_equal(json_array_size(values), 3);
    assert_string_equal(json_string_value(json_array_get(values, 0)), "sgd");
    assert_string_equal(json_string_value(json_array_get(values, 1)), "adam");
    assert_string_equal(json_string_value(json_array_get(values, 2)), "rmsprop");
    json_t *choices = json_object_get(opt, "choices");
    assert_int_equal(json_array_size(choices), 5);
    assert_string_equal(json_string_value(json_array_get(choices, 2)), "adamw");

    char chain[256];
    json_t *m1 = entry(doc, 2, "momentum");
    branch_text(m1, chain, sizeof chain);
    assert_string_equal(chain, "optimizer=sgd");
    assert_string_equal(str(m1, "distribution"), "uniform");
    json_t *nest = entry(doc, 3, "nesterov");
    assert_string_equal(str(nest, "type"), "bool");
    assert_true(json_is_false(json_array_get(json_object_get(nest, "values"), 0)));
    assert_true(json_is_true(json_array_get(json_object_get(nest, "values"), 1)));
    json_t *m2 = entry(doc, 4, "momentum");   /* the same name in another branch */
    branch_text(m2, chain, sizeof chain);
    assert_string_equal(chain, "optimizer=rmsprop");
    assert_true(json_real_value(json_array_get(json_object_get(m2, "values"), 1)) == 0.5);

    json_t *sched = entry(doc, 5, "scheduler");
    assert_string_equal(json_string_value(json_array_get(json_object_get(sched, "values"), 0)),
                        "constant");
    json_t *ms = entry(doc, 6, "milestones");
    assert_string_equal(str(ms, "type"), "int_list");
    branch_text(ms, chain, sizeof chain);
    assert_string_equal(chain, "scheduler=multistep");
    json_t *first = json_array_get(json_object_get(ms, "values"), 0);
    assert_int_equal(json_array_size(first), 2);
    assert_int_equal(json_integer_value(json_array_get(first, 1)), 4);

    json_t *ep = entry(doc, 7, "epochs");
    assert_string_equal(str(ep, "type"), "int");
    assert_int_equal(json_integer_value(json_array_get(json_object_get(ep, "values"), 0)), 7);
    json_t *bs = entry(doc, 8, "batch_size");
    assert_string_equal(str(bs, "distribution"), "int_log_uniform");
    assert_true(json_is_true(json_object_get(bs, "log")));
    assert_true(json_is_integer(json_object_get(bs, "low")));
    assert_int_equal(json_integer_value(json_object_get(bs, "high")), 64);
    assert_int_equal(json_array_size(params), 9);
    json_decref(doc);
}

static void test_user_parameters(void **state)
{
    (void)state;
    json_t *doc = space_of(
        "name: u\ntrials: 4\nseed: 1\nmetric: val_loss\ncommand: ./train {args}\n"
        "search:\n"
        "  lr: {log_uniform: [1.0e-3, 1.0]}\n"
        "  dropout: {uniform: [0.0, 0.5]}\n"
        "  layers: {int_uniform: [1, 4]}\n"
        "  act: {values: [relu, gelu]}\n"
        "  use_bn: {values: [true, false]}\n"
        "  optimizer:\n"
        "    sgd: {bn_momentum: {values: [0.1, 0.01]}}\n"
        "    adam: {}\n");
    json_t *params = json_object_get(doc, "parameters"), *e;
    size_t i;
    int seen = 0;
    json_array_foreach(params, i, e) {
        const char *name = str(e, "name");
        char chain[256];
        branch_text(e, chain, sizeof chain);
        if (strcmp(name, "lr") == 0 || strcmp(name, "optimizer") == 0) {
            assert_string_equal(str(e, "kind"), "lrsweep");
            seen |= 1;
            continue;
        }
        assert_string_equal(str(e, "kind"), "user");
        if (strcmp(name, "dropout") == 0) {
            assert_string_equal(str(e, "type"), "float");
            assert_true(json_real_value(json_object_get(e, "high")) == 0.5);
            seen |= 2;
        } else if (strcmp(name, "layers") == 0) {
            assert_string_equal(str(e, "type"), "int");
            assert_int_equal(json_integer_value(json_object_get(e, "low")), 1);
            seen |= 4;
        } else if (strcmp(name, "act") == 0) {
            assert_string_equal(str(e, "type"), "string");
            assert_null(json_object_get(e, "choices"));
            assert_string_equal(json_string_value(json_array_get(json_object_get(e, "values"), 1)),
                                "gelu");
            seen |= 8;
        } else if (strcmp(name, "use_bn") == 0) {
            assert_string_equal(str(e, "type"), "bool");
            assert_string_equal(chain, "");
            seen |= 16;
        } else if (strcmp(name, "bn_momentum") == 0) {
            assert_string_equal(str(e, "type"), "float");
            assert_string_equal(chain, "optimizer=sgd");
            seen |= 32;
        } else {
            fail_msg("unexpected parameter %s", name);
        }
    }
    assert_int_equal(seen, 63);
    json_decref(doc);
}

static void test_empty_space(void **state)
{
    (void)state;
    char *json = lrs_space_json_text(NULL);
    assert_non_null(json);
    assert_string_equal(json, "{\"version\":1,\"parameters\":[]}");
    free(json);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builtin_space),
        cmocka_unit_test(test_user_parameters),
        cmocka_unit_test(test_empty_space),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
