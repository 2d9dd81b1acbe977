/* test_protocol_exec.c — the wire codec's user's-command part: a result
 * with its exec element (exit status, signal, raw stderr / log tails with
 * invalid UTF-8 and NUL bytes, metric names, last values, curve points) and
 * PROGRESS survive a round trip, a result without it still decodes as the
 * built-in engine's; hostile variants (a point naming a missing metric,
 * finals not matching names, oversized counts, empty names, truncation at
 * every length) are refused without leaks. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"

static char *names[3] = {"lr", "train_loss", "val_loss"};
static lrs_curve_point_t points[4] = {
    {0, 1, 0, 0.1}, {0, 1, 2, 0.75}, {2, 7, 1, NAN}, {1, -3, 2, INFINITY}};
static double finals[3] = {0.1, NAN, 0.5};
static const char stderr_bytes[] = "line 1\n\377bad\0nul\n";
static const char log_bytes[] = "epoch=1 lr=0.1\n";

static void build_exec_result(lrs_wbuf_t *b, int n_points, int n_names)
{
    lrs_command_result_t e = {
        .exit_status = 3, .term_signal = 0, .stderr_tail = (char *)stderr_bytes,
        .stderr_len = sizeof stderr_bytes - 1, .log_tail = (char *)log_bytes,
        .log_len = sizeof log_bytes - 1, .finals = finals, .curve_truncated = 1,
        .curve = {.n_names = n_names, .names = names, .n_points = (size_t)n_points,
                  .points = points}};
    lrs_wire_result_t r[2] = {
        {.trial = 4, .attempt = 1, .result = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN, .seconds = 2.5, .error = "exit status 3", .command = &e}},
        {.trial = 5, .attempt = 2, .result = {.status = LRS_STATUS_COMPLETE, .score = 0.5, .score_std = 0, .seconds = 1}},
    };
    lrs_proto_results_begin(b, 99, 2);
    lrs_proto_results_add(b, &r[0]);
    lrs_proto_results_add(b, &r[1]);
}

static void same_real(double want, double got)
{
    if (isnan(want))
        assert_true(isnan(got));
    else
        assert_true(want == got);
}

static void test_exec_result_round_trip(void **state)
{
    (void)state;
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    build_exec_result(&b, 4, 3);
    lrs_msg_t m;
    lrs_err_t err;
    assert_int_equal(lrs_proto_decode(b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.n_results, 2);
    const lrs_command_result_t *e = m.results[0].result.command;
    assert_non_null(e);
    assert_null(m.results[1].result.command);   /* the built-in engine's form: 10 elements */
    assert_string_equal(m.results[0].result.error, "exit status 3");
    assert_int_equal(e->exit_status, 3);
    assert_int_equal(e->term_signal, 0);
    assert_int_equal(e->curve_truncated, 1);
    assert_int_equal(e->stderr_len, sizeof stderr_bytes - 1);
    assert_memory_equal(e->stderr_tail, stderr_bytes, sizeof stderr_bytes - 1);
    assert_int_equal(e->log_len, sizeof log_bytes - 1);
    assert_memory_equal(e->log_tail, log_bytes, sizeof log_bytes - 1);
    assert_int_equal(e->curve.n_names, 3);
    for (int i = 0; i < 3; i++) {
        assert_string_equal(e->curve.names[i], names[i]);
        same_real(finals[i], e->finals[i]);
    }
    assert_int_equal(e->curve.n_points, 4);
    for (int i = 0; i < 4; i++) {
        assert_int_equal(e->curve.points[i].fold, points[i].fold);
        assert_int_equal(e->curve.points[i].epoch, points[i].epoch);
        assert_int_equal(e->curve.points[i].name, points[i].name);
        same_real(points[i].value, e->curve.points[i].value);
    }
    lrs_msg_free(&m);

    /* every truncation is refused and frees what it had built */
    for (size_t len = 0; len < b.sb.size; len++) {
        lrs_err_clear(&err);
        assert_int_equal(lrs_proto_decode(b.sb.data, len, &m, &err), -1);
        assert_true(err.msg[0] != '\0');
    }
    lrs_wbuf_free(&b);
}

static void test_progress_round_trip(void **state)
{
    (void)state;
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_curve_t c = {.n_names = 3, .names = names, .n_points = 2, .points = points};
    lrs_proto_progress(&b, 7, 123456789, 2, &c);
    lrs_msg_t m;
    lrs_err_t err;
    assert_int_equal(lrs_proto_decode(b.sb.data, b.sb.size, &m, &err), 0);
    assert_int_equal(m.type, LRS_MSG_PROGRESS);
    assert_string_equal(lrs_msg_name(m.type), "PROGRESS");
    assert_int_equal(m.sweep, 7);
    assert_int_equal(m.trial, 123456789);
    assert_int_equal(m.attempt, 2);
    assert_int_equal(m.curve.n_names, 3);
    assert_string_equal(m.curve.names[2], "val_loss");
    assert_int_equal(m.curve.n_points, 2);
    assert_int_equal(m.curve.points[1].name, 2);
    assert_true(m.curve.points[1].value == 0.75);
    lrs_msg_free(&m);
    for (size_t len = 0; len < b.sb.size; len++)
        assert_int_equal(lrs_proto_decode(b.sb.data, len, &m, &err), -1);
    lrs_wbuf_free(&b);
}

/* Starts a frame packed by hand in b: an array of n fields, the protocol
 * version and the message type. */
static void pack_head(lrs_wbuf_t *b, uint32_t n, uint64_t type)
{
    lrs_wbuf_reset(b);
    msgpack_pack_array(&b->pk, n);
    msgpack_pack_uint64(&b->pk, LRS_PROTO_VERSION);
    msgpack_pack_uint64(&b->pk, type);
}

/* The head of a PROGRESS frame packed by hand (7 fields declared): sweep 1,
 * trial 1, attempt 1; the names and points are the caller's. */
static void pack_progress_head(lrs_wbuf_t *b)
{
    pack_head(b, 7, LRS_MSG_PROGRESS);
    for (int i = 0; i < 3; i++)
        msgpack_pack_uint64(&b->pk, 1);
}

static void expect_reject(const lrs_wbuf_t *b, const char *fragment)
{
    lrs_msg_t m;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_proto_decode(b->sb.data, b->sb.size, &m, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    if (!strstr(err.msg, fragment)) {
        print_error("error '%s' lacks '%s'\n", err.msg, fragment);
        fail();
    }
    assert_null(m.results);
    assert_null(m.curve.names);
}

static void test_hostile(void **state)
{
    (void)state;
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);

    /* a point naming metric 2 when only 2 names (0, 1) are sent */
    lrs_curve_t c = {.n_names = 2, .names = names, .n_points = 2, .points = points};
    lrs_proto_progress(&b, 1, 1, 1, &c);
    expect_reject(&b, "name: integer out of range");

    /* attempt 0 */
    c.n_points = 1;
    lrs_proto_progress(&b, 1, 1, 0, &c);
    expect_reject(&b, "attempt");

    /* an empty metric name */
    char *empty[1] = {""};
    lrs_curve_t ce = {.n_names = 1, .names = empty};
    lrs_proto_progress(&b, 1, 1, 1, &ce);
    expect_reject(&b, "empty metric name");

    /* a name longer than LRS_PROTO_MAX_NAME */
    char longname[LRS_PROTO_MAX_NAME + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    char *longnames[1] = {longname};
    lrs_curve_t cl = {.n_names = 1, .names = longnames};
    lrs_proto_progress(&b, 1, 1, 1, &cl);
    expect_reject(&b, "too long");

    /* more names than LRS_PROTO_MAX_NAMES, declared without the bytes */
    pack_progress_head(&b);
    msgpack_pack_array(&b.pk, LRS_PROTO_MAX_NAMES + 1);
    expect_reject(&b, "too many");

    /* points declared beyond the cap */
    pack_progress_head(&b);
    msgpack_pack_array(&b.pk, 0);
    msgpack_pack_array(&b.pk, LRS_PROTO_MAX_POINTS + 1);
    expect_reject(&b, "too many");

    /* the encoder writes one final per name (here the first 2 of 3): fine */
    lrs_command_result_t e = {.exit_status = -1, .finals = finals,
                         .curve = {.n_names = 2, .names = names}};
    lrs_wbuf_reset(&b);
    lrs_wire_result_t r = {.trial = 1, .attempt = 1, .result = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN, .command = &e}};
    lrs_proto_results_begin(&b, 1, 1);
    lrs_proto_results_add(&b, &r);
    lrs_msg_t m;
    lrs_err_t err;
    assert_int_equal(lrs_proto_decode(b.sb.data, b.sb.size, &m, &err), 0);   /* 2 and 2: fine */
    lrs_msg_free(&m);
    /* by hand: one final for two names */
    pack_head(&b, 4, LRS_MSG_RESULTS);
    msgpack_pack_uint64(&b.pk, 1);
    msgpack_pack_array(&b.pk, 1);
    msgpack_pack_array(&b.pk, 12);
    msgpack_pack_uint64(&b.pk, 1);
    msgpack_pack_uint64(&b.pk, 1);
    msgpack_pack_int64(&b.pk, LRS_STATUS_FAILED);
    msgpack_pack_nil(&b.pk);
    msgpack_pack_nil(&b.pk);
    msgpack_pack_nil(&b.pk);
    msgpack_pack_int64(&b.pk, 0);
    msgpack_pack_nil(&b.pk);
    msgpack_pack_array(&b.pk, 0);
    msgpack_pack_array(&b.pk, 0);
    msgpack_pack_array(&b.pk, 0);            /* repeat scores */
    msgpack_pack_array(&b.pk, 8);            /* exec */
    msgpack_pack_int64(&b.pk, 1);
    msgpack_pack_int64(&b.pk, 0);
    msgpack_pack_bin_with_body(&b.pk, "x", 1);
    msgpack_pack_str_with_body(&b.pk, "y", 1);   /* a str is accepted for a tail too */
    msgpack_pack_array(&b.pk, 1);            /* one final ... */
    msgpack_pack_double(&b.pk, 1.0);
    msgpack_pack_int64(&b.pk, 0);
    msgpack_pack_array(&b.pk, 2);            /* ... two names */
    msgpack_pack_str_with_body(&b.pk, "a", 1);
    msgpack_pack_str_with_body(&b.pk, "b", 1);
    msgpack_pack_array(&b.pk, 0);
    expect_reject(&b, "not one per metric name");

    /* exit status out of range */
    e.exit_status = 300;
    lrs_proto_results_begin(&b, 1, 1);
    lrs_proto_results_add(&b, &r);
    expect_reject(&b, "exit_status");
    lrs_wbuf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_exec_result_round_trip),
        cmocka_unit_test(test_progress_round_trip),
        cmocka_unit_test(test_hostile),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
