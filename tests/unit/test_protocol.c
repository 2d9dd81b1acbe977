/* test_protocol.c — the wire codec: every message type survives a round
 * trip; hostile frames (truncated at every length, oversized declared
 * lengths, wrong version, unknown type, wrong field count or type, trailing
 * bytes, NUL in strings, out-of-range numbers, random bytes) are refused
 * with a message and without crashing or allocating beyond the frame. */
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
#include "common/rng.h"
#include "common/version.h"

static lrs_msg_t decode_ok(const lrs_wbuf_t *b)
{
    lrs_msg_t m;
    lrs_err_t err;
    lrs_err_clear(&err);
    int rc = lrs_proto_decode(b->sb.data, b->sb.size, &m, &err);
    if (rc != 0)
        print_error("decode failed: %s\n", err.msg);
    assert_int_equal(rc, 0);
    return m;
}

static void expect_reject(const void *data, size_t len, const char *fragment)
{
    lrs_msg_t m;
    lrs_err_t err;
    lrs_err_clear(&err);
    assert_int_equal(lrs_proto_decode(data, len, &m, &err), -1);
    assert_int_equal(err.code, LRS_EXIT_USAGE);
    if (fragment && !strstr(err.msg, fragment)) {
        print_error("error '%s' lacks '%s'\n", err.msg, fragment);
        fail();
    }
    assert_int_equal(m.type, 0);   /* nothing left allocated */
    assert_null(m.results);
}

static void build_results(lrs_wbuf_t *b)
{
    lrs_fold_result_t folds[2] = {{0, 0.5, 0.6, NAN, 0}, {0, 0.4, 0.7, 0.9, 1}};
    lrs_epoch_stat_t epochs[3] = {{1, 0.1, 1.0, 1.1, 0}, {2, 0.05, 0.8, 0.9, 0}, {1, 0.01, 0.7, 0.8, 1}};
    double repeat_scores[2] = {0.6, 0.7};
    lrs_wire_result_t r[2] = {
        {.trial = 7, .attempt = 2, .result = {.status = LRS_STATUS_COMPLETE, .score = 0.65, .score_std = 0.05, .seconds = 1.5, .n_folds = 2, .folds = folds, .n_epochs = 3, .epochs = epochs, .n_repeats = 2, .repeat_scores = repeat_scores}},
        {.trial = 1u << 31, .attempt = 1, .result = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN, .seconds = 0, .error = "boom: bad \"thing\""}},
    };
    lrs_proto_results_begin(b, 0xfeedbeefcafeULL, 2);
    lrs_proto_results_add(b, &r[0]);
    lrs_proto_results_add(b, &r[1]);
}

static void test_round_trip(void **state)
{
    (void)state;
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_msg_t m;

    lrs_proto_hello(&b, "host:12", "host", 12, 4);
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_HELLO);
    assert_string_equal(m.worker_name, "host:12");
    assert_int_equal(m.pid, 12);
    assert_int_equal(m.jobs, 4);
    assert_int_equal(m.hello_flags, 0);
    lrs_msg_free(&m);
    lrs_proto_hello_flags(&b, "w", "host", 12, 4, LRS_HELLO_RUNS_COMMANDS);
    m = decode_ok(&b);
    assert_int_equal(m.hello_flags, LRS_HELLO_RUNS_COMMANDS);
    lrs_msg_free(&m);
    lrs_proto_hello_pinned(&b, "w", "host", 12, 4, 0, 0xfeedULL, "0,GPU-1a");
    m = decode_ok(&b);
    assert_true(m.sweep == 0xfeedULL);   /* the sweep it is pinned to */
    assert_string_equal(m.gpus, "0,GPU-1a");
    lrs_msg_free(&m);
    /* a HELLO whose gpus is not a device list is refused */
    lrs_err_t gerr;
    lrs_proto_hello_pinned(&b, "w", "host", 12, 4, 0, 0, "0,0");
    assert_int_equal(lrs_proto_decode(b.sb.data, b.sb.size, &m, &gerr), -1);
    assert_non_null(strstr(gerr.msg, "gpus: device 0 is listed twice"));
    lrs_proto_hello_pinned(&b, "w", "host", 12, 4, 0, 0, "<script>");
    assert_int_equal(lrs_proto_decode(b.sb.data, b.sb.size, &m, &gerr), -1);
    lrs_proto_hello(&b, "w", "host", 12, 4);
    m = decode_ok(&b);
    assert_string_equal(m.gpus, "");
    lrs_msg_free(&m);
    /* protocol 2's HELLO (4 fields): refused by decode, told apart as foreign */
    static const char old_hello[] = "\x96\x02\x01\xa1w\xa1h\x0c\x04";
    lrs_err_t err;
    assert_int_equal(lrs_proto_decode(old_hello, sizeof old_hello - 1, &m, &err), -1);
    assert_non_null(strstr(err.msg, "protocol version 2"));
    uint64_t version = 0;
    char said[64];
    assert_int_equal(lrs_proto_foreign(old_hello, sizeof old_hello - 1, &version, said, sizeof said), 1);
    assert_true(version == 2);
    assert_string_equal(said, "");
    /* protocol 2's REJECT [2, 11, reason] and a later one's [9, 11, code, reason]: the reason */
    static const char old_reject[] = "\x93\x02\x0b\xa3old";
    assert_int_equal(lrs_proto_foreign(old_reject, sizeof old_reject - 1, &version, said, sizeof said), 1);
    assert_string_equal(said, "old");
    static const char new_reject[] = "\x94\x09\x0b\x04\xa3new";
    assert_int_equal(lrs_proto_foreign(new_reject, sizeof new_reject - 1, &version, said, sizeof said), 1);
    assert_true(version == 9);
    assert_string_equal(said, "new");
    /* this version's own frames are not foreign */
    lrs_proto_heartbeat(&b);
    assert_int_equal(lrs_proto_foreign(b.sb.data, b.sb.size, &version, said, sizeof said), 0);
    char skew[512];
    lrs_proto_version_skew(2, "coordinator", "worker", skew, sizeof skew);
    assert_non_null(strstr(skew, "speaks protocol 2"));
    assert_non_null(strstr(skew, "lrsweep " LRS_VERSION));

    lrs_proto_welcome(&b, UINT64_MAX, "sw", "0123456789abcdef", 9, 0x1234567890abcdefULL, "00ff",
                      99, 1000, 7, 1);
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_WELCOME);
    assert_true(m.sweep == UINT64_MAX);
    assert_string_equal(m.spec_hash, "0123456789abcdef");
    assert_int_equal(m.spec_size, 9);
    assert_null(m.spec_text);   /* the spec comes on request (SPEC) */
    assert_true(m.space_hash == 0x1234567890abcdefULL);
    assert_string_equal(m.data_hash, "00ff");
    assert_int_equal(m.data_size, 99);
    assert_int_equal(m.heartbeat_ms, 1000);
    assert_int_equal(m.liveness, 7);
    assert_int_equal(m.rules, 1);
    lrs_msg_free(&m);
    lrs_proto_spec_req(&b, "0123456789abcdef");
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_SPEC_REQ);
    assert_string_equal(m.spec_hash, "0123456789abcdef");
    lrs_msg_free(&m);
    lrs_proto_spec(&b, "0123456789abcdef", "name: sw\n");
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_SPEC);
    assert_string_equal(m.spec_text, "name: sw\n");
    assert_int_equal(m.spec_len, 9);
    lrs_msg_free(&m);

    lrs_proto_ready(&b, 5, 17);
    m = decode_ok(&b);
    assert_int_equal(m.credit, 17);
    assert_int_equal(m.sweep, 5);
    lrs_msg_free(&m);

    lrs_proto_trials_begin(&b, 5, 2);
    lrs_wire_trial_t t1 = {3, 1, UINT64_MAX}, t2 = {1000000, 3, 42};
    lrs_proto_trials_add(&b, &t1);
    lrs_proto_trials_add(&b, &t2);
    m = decode_ok(&b);
    assert_int_equal(m.n_trials, 2);
    assert_true(m.trials[0].seed == UINT64_MAX);
    assert_int_equal(m.trials[1].trial, 1000000);
    assert_int_equal(m.trials[1].attempt, 3);
    lrs_msg_free(&m);

    build_results(&b);
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_RESULTS);
    assert_int_equal(m.n_results, 2);
    assert_int_equal(m.results[0].trial, 7);
    assert_int_equal(m.results[0].result.n_folds, 2);
    assert_true(isnan(m.results[0].result.folds[0].accuracy));
    assert_true(m.results[0].result.folds[1].accuracy == 0.9);
    assert_int_equal(m.results[0].result.n_epochs, 3);
    assert_true(m.results[0].result.epochs[2].val_loss == 0.8);
    assert_int_equal(m.results[0].result.folds[1].repeat, 1);   /* each repeat's folds and curve */
    assert_int_equal(m.results[0].result.epochs[1].repeat, 0);
    assert_int_equal(m.results[0].result.epochs[2].repeat, 1);
    assert_int_equal(m.results[0].result.n_repeats, 2);
    assert_true(m.results[0].result.repeat_scores[1] == 0.7);
    assert_int_equal(m.results[1].result.n_repeats, 0);
    assert_true(m.results[0].result.score == 0.65);
    assert_int_equal(m.results[1].result.status, LRS_STATUS_FAILED);
    assert_string_equal(m.results[1].result.error, "boom: bad \"thing\"");
    assert_true(isnan(m.results[1].result.score));
    lrs_msg_free(&m);

    lrs_proto_ack_begin(&b, 9, 3);
    for (uint64_t i = 0; i < 3; i++)
        lrs_proto_ack_add(&b, i * 1000);
    m = decode_ok(&b);
    assert_int_equal(m.n_acks, 3);
    assert_int_equal(m.acks[2], 2000);
    lrs_msg_free(&m);

    char bytes[300];
    for (int i = 0; i < 300; i++)
        bytes[i] = (char)i;
    lrs_proto_data(&b, "abc", 1000, 1300, bytes, sizeof bytes);
    m = decode_ok(&b);
    assert_string_equal(m.data_hash, "abc");
    assert_int_equal(m.data_offset, 1000);
    assert_int_equal(m.data_size, 1300);
    assert_int_equal(m.data_len, 300);
    assert_memory_equal(m.data, bytes, 300);
    lrs_msg_free(&m);

    lrs_proto_heartbeat(&b);
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_HEARTBEAT);
    lrs_msg_free(&m);
    lrs_proto_data_req(&b, "abc", (uint64_t)5 << 30, LRS_PROTO_MAX_DATA_CHUNKS);
    m = decode_ok(&b);
    assert_string_equal(m.data_hash, "abc");
    assert_true(m.data_offset == (uint64_t)5 << 30);
    assert_int_equal(m.data_chunks, LRS_PROTO_MAX_DATA_CHUNKS);
    lrs_msg_free(&m);
    lrs_proto_shutdown(&b, 42, 1, "done");
    m = decode_ok(&b);
    assert_string_equal(m.reason, "done");
    assert_true(m.sweep == 42);
    assert_int_equal(m.ended, 1);
    lrs_msg_free(&m);
    lrs_proto_reject(&b, LRS_REJECT_REFUSED, "no");
    m = decode_ok(&b);
    assert_int_equal(m.type, LRS_MSG_REJECT);
    assert_int_equal(m.code, LRS_REJECT_REFUSED);
    lrs_msg_free(&m);
    lrs_wbuf_free(&b);

    assert_string_equal(lrs_msg_name(LRS_MSG_RESULTS), "RESULTS");
    assert_string_equal(lrs_msg_name(0), "?");
    assert_string_equal(lrs_msg_name(999), "?");
}

static void test_truncated_everywhere(void **state)
{
    (void)state;
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    build_results(&b);
    for (size_t len = 0; len < b.sb.size; len++)
        expect_reject(b.sb.data, len, NULL);
    /* and one byte too many */
    char *longer = malloc(b.sb.size + 1);
    memcpy(longer, b.sb.data, b.sb.size);
    longer[b.sb.size] = 0;
    expect_reject(longer, b.sb.size + 1, "trailing");
    free(longer);
    lrs_wbuf_free(&b);
}

/* Hand-made frames: a table of hostile inputs and what the error names. */
#define F(literal) literal, sizeof(literal) - 1

static void test_hostile_table(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        const char *bytes;
        size_t len;
        const char *fragment;
    } cases[] = {
        {"empty frame", F(""), "truncated"},
        {"not an array", F("\x01"), "expected an array"},
        {"one element", F("\x91\x08"), "expected [version"},
        {"wrong version", F("\x92\x09\x05"), "protocol version 9"},
        {"version as string", F("\x92\xa1\x31\x05"), "expected an integer"},
        {"unknown type 99", F("\x92\x08\x63"), "unknown message type 99"},
        {"type 0", F("\x92\x08\x00"), "unknown message type 0"},
        {"heartbeat with a field", F("\x93\x08\x05\x01"), "expected 0 fields"},
        {"hello missing fields", F("\x94\x08\x01\xa1x\xa1y"), "expected 7 fields"},
        {"hello with a flag it cannot have", F("\x99\x08\x01\xa1x\xa1y\x01\x01\x02\x00\xa0"), "flags"},
        {"hello jobs 0", F("\x99\x08\x01\xa1x\xa1y\x01\x00\x00\x00\xa0"), "out of range"},
        {"hello negative pid", F("\x99\x08\x01\xa1x\xa1y\xff\x01\x00\x00\xa0"), "out of range"},
        {"hello name with NUL", F("\x99\x08\x01\xa2x\x00\xa1y\x01\x01\x00\x00\xa0"), "NUL"},
        {"hello gpus not a list", F("\x99\x08\x01\xa1x\xa1y\x01\x01\x00\x00\xa3" "0,0"), "listed twice"},
        {"hello gpus is an int", F("\x99\x08\x01\xa1x\xa1y\x01\x01\x00\x00\x00"), "expected a string"},
        {"hello name is an int", F("\x99\x08\x01\x05\xa1y\x01\x01\x00\x00\xa0"), "expected a string"},
        {"array of 4 billion", F("\xdd\xff\xff\xff\xff\x01\x01"), "too many"},
        {"acks declaring 4000 with 1 byte", F("\x94\x08\x07\x01\xdc\x0f\xa0\x01"), "truncated"},
        {"acks over the batch cap", F("\x94\x08\x07\x01\xdd\x00\x01\x00\x00"), "too many"},
        {"string of 4 GB", F("\x94\x08\x0b\x01\xdb\xff\xff\xff\xff"), "too long"},
        {"ready credit too big", F("\x94\x08\x03\x01\xce\x10\x00\x00\x00"), "out of range"},
        {"ready credit negative", F("\x94\x08\x03\x01\xd0\x80"), "out of range"},
        {"trial attempt 0", F("\x94\x08\x04\x01\x91\x93\x02\x00\x01"), "out of range"},
        {"trial tuple of 2", F("\x94\x08\x04\x01\x91\x92\x02\x01"), "wrong number"},
        {"result status 7", F("\x94\x08\x06\x01\x91\x9b\x02\x01\x07\xc0\xc0\xc0\x00\xc0\x90\x90\x90"),
         "out of range"},
        {"result score is a string", F("\x94\x08\x06\x01\x91\x9b\x02\x01\x00\xa1x\xc0\xc0\x00\xc0\x90\x90\x90"), "expected a number"},
        {"result epoch 0", F("\x94\x08\x06\x01\x91\x9b\x02\x01\x00\xc0\xc0\xc0\x00\xc0\x90\x91\x95\x00\x00\x00\x00\x00\x90"), "out of range"},
        {"result fold of repeat 100", F("\x94\x08\x06\x01\x91\x9b\x02\x01\x00\xc0\xc0\xc0\x00\xc0\x91\x95\x00\x00\x00\x00\x64\x90\x90"), "out of range"},
        {"result fold of 4 fields (protocol 4)", F("\x94\x08\x06\x01\x91\x9b\x02\x01\x00\xc0\xc0\xc0\x00\xc0\x91\x94\x00\x00\x00\x00\x90\x90"), "wrong number"},
        {"result of 101 repeat scores", F("\x94\x08\x06\x01\x91\x9b\x02\x01\x00\xc0\xc0\xc0\x00\xc0\x90\x90\xdc\x00\x65"), "too many"},
        {"data hash as int", F("\x96\x08\x09\x01\x00\x01\xc4\x01\x00"), "expected a string"},
        {"data of the protocol before chunks", F("\x94\x08\x09\xa1h\xc4\x00"), "fields"},
        {"data chunk past its total", F("\x96\x08\x09\xa1h\x0a\x05\xc4\x00"), "chunk outside"},
        {"data chunk longer than its total", F("\x96\x08\x09\xa1h\x00\x01\xc4\x02\x00\x00"),
         "chunk outside"},
        {"data chunk declaring 1 MiB + 1", F("\x96\x08\x09\xa1h\x00\xce\x00\x20\x00\x00\xc6\x00\x10\x00\x01"),
         "data"},
        {"data total over the bound", F("\x96\x08\x09\xa1h\x00\xcf\x00\x00\x00\x05\x00\x00\x00\x00\xc4\x00"),
         "out of range"},
        {"data_req of 0 chunks", F("\x95\x08\x08\xa1h\x00\x00"), "out of range"},
        {"data_req of 17 chunks", F("\x95\x08\x08\xa1h\x00\x11"), "out of range"},
        {"data_req offset negative", F("\x95\x08\x08\xa1h\xff\x01"), "out of range"},
        {"map instead of array", F("\x81\x01\x01"), "expected an array"},
        {"trial index above int64", F("\x94\x08\x07\x01\x91\xcf\xff\xff\xff\xff\xff\xff\xff\xff"),
         "out of range"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        print_message("hostile: %s\n", cases[i].what);
        expect_reject(cases[i].bytes, cases[i].len, cases[i].fragment);
    }
}

/* Random frames and random mutations of a valid frame: never a crash, and
 * every accepted frame frees cleanly. */
static void test_fuzz(void **state)
{
    (void)state;
    lrs_rng_t rng;
    lrs_rng_init(&rng, 12345);
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    build_results(&b);
    uint8_t buf[512];
    int accepted = 0;
    for (int iter = 0; iter < 20000; iter++) {
        size_t len;
        if (iter % 2) {
            len = b.sb.size < sizeof buf ? b.sb.size : sizeof buf;
            memcpy(buf, b.sb.data, len);
            for (int k = 0; k < 1 + (int)lrs_rng_below(&rng, 4); k++)
                buf[lrs_rng_below(&rng, len)] = (uint8_t)lrs_rng_u64(&rng);
        } else {
            len = (size_t)lrs_rng_below(&rng, 64);
            buf[0] = (uint8_t)(0x90 + lrs_rng_below(&rng, 12));
            buf[1] = 1;
            for (size_t k = 2; k < len; k++)
                buf[k] = (uint8_t)lrs_rng_u64(&rng);
        }
        lrs_msg_t m;
        lrs_err_t err;
        if (lrs_proto_decode(buf, len, &m, &err) == 0) {
            accepted++;
            lrs_msg_free(&m);
        } else {
            assert_true(err.msg[0] != '\0');
        }
    }
    print_message("fuzz: %d of 20000 frames decoded, the rest refused\n", accepted);
    lrs_wbuf_free(&b);
}

static void test_content_hash(void **state)
{
    (void)state;
    char h[17];
    lrs_proto_content_hash("", 0, h);
    assert_string_equal(h, "cbf29ce484222325");   /* FNV-1a 64 offset basis */
    lrs_proto_content_hash("a", 1, h);
    assert_string_equal(h, "af63dc4c8601ec8c");   /* published FNV-1a 64 test vector */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_truncated_everywhere),
        cmocka_unit_test(test_hostile_table),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_content_hash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
