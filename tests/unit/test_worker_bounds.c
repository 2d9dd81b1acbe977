/* test_worker_bounds.c — a real worker (the agent, in a thread of this test)
 * against a fake coordinator: a raw ZeroMQ ROUTER that speaks the protocol
 * through the encoders and lies.  The worker must stay within what it asked
 * for and what --max-data allows, and survive every bad message:
 *   - TRIALS ten times the credit asked for: it runs at most that credit;
 *   - a data set announced over max_data: refused with the sizes named, no
 *     DATA_REQ ever sent; DATA frames of a larger total than announced:
 *     refused too, no trial taken; a frame over the chunk cap: the
 *     connection it cuts is noticed;
 *   - a transfer of the data set's binary form cut after two of its four
 *     chunks resumes at the third after the worker joins again;
 *   - a DATA frame whose content hash is not the WELCOME's, a WELCOME whose
 *     spec does not parse, a frame that does not decode and TRIALS of
 *     another sweep: each logged once and followed by a new HELLO; then an
 *     honest session (WELCOME, cached data, TRIALS, ACK, SHUTDOWN) runs
 *     every trial and the worker exits 0. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/csv.h"
#include "common/data_blob.h"
#include "common/fnv.h"
#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/spec.h"
#include "common/version.h"
#include "worker/agent.h"

#define TOKEN 4242
#define HEARTBEAT_MS 10000   /* the worker's liveness (3 intervals) never runs out here */

static const char synthetic_spec[] = "name: flood\n"
                                     "seed: 5\n"
                                     "trials: 100000\n"
                                     "sampler: random\n"
                                     "objective: {metric: val_loss, goal: minimize}\n"
                                     "model: {type: synthetic}\n"
                                     "search:\n"
                                     "  lr: {log_uniform: [1.0e-4, 1.0]}\n"
                                     "  epochs: 3\n";

#define DATA_TRIALS 6
static const char data_spec[] = "name: bounded\n"
                                "seed: 3\n"
                                "trials: 6\n"
                                "sampler: random\n"
                                "objective: {metric: val_loss, goal: minimize}\n"
                                "data: {path: d.csv, target: [y], task: regression}\n"
                                "model: {type: linear}\n"
                                "train: {folds: 2}\n"
                                "search:\n"
                                "  lr: {log_uniform: [1.0e-3, 1.0e-1]}\n"
                                "  epochs: 3\n";

/* ---- the fake coordinator --------------------------------------------- */

typedef struct fake {
    char dir[64], endpoint[160];
    void *zctx, *router;
    uint8_t id[256];             /* the worker's routing id (one worker) */
    size_t id_len;
    lrs_wbuf_t b;
    lrs_spec_t *spec;
    char *served_spec;           /* the last WELCOME's spec text, served on SPEC_REQ */
    char served_hash[17];
    int spec_reqs;               /* SPEC_REQs served */
} fake_t;

static void fake_open(fake_t *f, const char *spec_text)
{
    memset(f, 0, sizeof *f);
    snprintf(f->dir, sizeof f->dir, "/tmp/lrs-wbounds-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->endpoint, sizeof f->endpoint, "ipc://%s/c.sock", f->dir);
    f->zctx = zmq_ctx_new();
    f->router = zmq_socket(f->zctx, ZMQ_ROUTER);
    int one = 1, linger = 0;
    zmq_setsockopt(f->router, ZMQ_ROUTER_HANDOVER, &one, sizeof one);   /* the worker reconnects */
    zmq_setsockopt(f->router, ZMQ_LINGER, &linger, sizeof linger);
    assert_int_equal(zmq_bind(f->router, f->endpoint), 0);
    lrs_wbuf_init(&f->b);
    lrs_err_t err;
    assert_int_equal(lrs_spec_parse("fake.yaml", spec_text, strlen(spec_text), NULL, &f->spec, &err), 0);
}

static void fake_close(fake_t *f)
{
    zmq_close(f->router);
    zmq_ctx_term(f->zctx);
    lrs_wbuf_free(&f->b);
    lrs_spec_destroy(&f->spec);
    free(f->served_spec);
    char path[128];
    snprintf(path, sizeof path, "%s/c.sock", f->dir);
    unlink(path);
    rmdir(f->dir);
}

static void fake_send_raw(fake_t *f, const void *data, size_t len);

/* The next message from the worker other than a HEARTBEAT or a SPEC_REQ
 * (answered with the last WELCOME's spec, as a coordinator does), decoded
 * into m (up to timeout_ms): its type, or -1 when none came. */
static int fake_next(fake_t *f, int timeout_ms, lrs_msg_t *m)
{
    int64_t until = lrs_mono_ms() + timeout_ms;
    for (;;) {
        int64_t left = until - lrs_mono_ms();
        zmq_pollitem_t item = {.socket = f->router, .events = ZMQ_POLLIN};
        if (left <= 0 || zmq_poll(&item, 1, (long)left) <= 0)
            return -1;
        int n = zmq_recv(f->router, f->id, sizeof f->id, 0);
        assert_true(n > 0 && (size_t)n <= sizeof f->id);
        f->id_len = (size_t)n;
        zmq_msg_t body;
        zmq_msg_init(&body);
        assert_true(zmq_msg_recv(&body, f->router, 0) >= 0);
        lrs_err_t err;
        int rc = lrs_proto_decode(zmq_msg_data(&body), zmq_msg_size(&body), m, &err);
        zmq_msg_close(&body);
        if (rc != 0)
            fail_msg("the worker sent a frame that does not decode: %s", err.msg);
        if (m->type == LRS_MSG_SPEC_REQ && f->served_spec &&
            strcmp(m->spec_hash, f->served_hash) == 0) {
            lrs_wbuf_t sb;
            lrs_wbuf_init(&sb);
            lrs_proto_spec(&sb, f->served_hash, f->served_spec);
            fake_send_raw(f, sb.sb.data, sb.sb.size);
            lrs_wbuf_free(&sb);
            f->spec_reqs++;
        } else if (m->type != LRS_MSG_HEARTBEAT) {
            return m->type;
        }
        lrs_msg_free(m);
    }
}

/* Waits for a message of type (up to timeout_ms); fails on any other. */
static void fake_expect(fake_t *f, int type, int timeout_ms, lrs_msg_t *m)
{
    int got = fake_next(f, timeout_ms, m);
    if (got != type)
        fail_msg("expected %s from the worker, got %s", lrs_msg_name(type),
                 got < 0 ? "nothing" : lrs_msg_name(got));
}

/* Waits for the worker's (next) HELLO. */
static void fake_hello(fake_t *f, int timeout_ms)
{
    lrs_msg_t m;
    fake_expect(f, LRS_MSG_HELLO, timeout_ms, &m);
    lrs_msg_free(&m);
}

static void fake_send_raw(fake_t *f, const void *data, size_t len)
{
    assert_true(zmq_send(f->router, f->id, f->id_len, ZMQ_SNDMORE) >= 0);
    assert_true(zmq_send(f->router, data, len, 0) >= 0);
}

static void fake_send(fake_t *f) { fake_send_raw(f, f->b.sb.data, f->b.sb.size); }

/* A WELCOME naming spec_text (served on request) and the data set hash of
 * size bytes. */
static void fake_welcome(fake_t *f, const char *spec_text, const char *hash, uint64_t size)
{
    free(f->served_spec);
    f->served_spec = strdup(spec_text);
    lrs_proto_content_hash(spec_text, strlen(spec_text), f->served_hash);
    lrs_proto_welcome(&f->b, TOKEN, "bounded", f->served_hash, strlen(spec_text),
                      lrs_spec_space_hash(f->spec), hash, size, HEARTBEAT_MS, 3,
                      lrs_spec_rules(f->spec));
    fake_send(f);
}

/* Sends TRIALS of sweep token: trials first .. first + n - 1, with their
 * seeds. */
static void fake_trials(fake_t *f, uint64_t token, uint64_t first, int n)
{
    lrs_proto_trials_begin(&f->b, token, n);
    for (int i = 0; i < n; i++) {
        lrs_trial_cfg_t cfg;
        lrs_wire_trial_t t = {.trial = first + (uint64_t)i, .attempt = 1};
        lrs_err_t err;
        assert_int_equal(lrs_spec_sample(f->spec, t.trial, &cfg, &t.seed, &err), 0);
        lrs_proto_trials_add(&f->b, &t);
    }
    fake_send(f);
}

/* ACKs every result of m; returns how many it carried. */
static int fake_ack(fake_t *f, const lrs_msg_t *m)
{
    lrs_proto_ack_begin(&f->b, m->sweep, m->n_results);
    for (int i = 0; i < m->n_results; i++)
        lrs_proto_ack_add(&f->b, m->results[i].trial);
    fake_send(f);
    return m->n_results;
}

/* Answers DATA_REQs for the `sent` bytes given, named hash, in frames of
 * at most `chunk` bytes, from offset `from` until `upto` bytes were served
 * (or after one round when the worker is not to ask again: a frame over
 * its cap, a total it was not told).  Returns the first offset asked. */
static uint64_t fake_chunks(fake_t *f, const char *hash, const char *bytes, size_t sent,
                            size_t chunk, size_t upto, int one_round)
{
    uint64_t first = UINT64_MAX;
    for (uint64_t served = 0; served < upto;) {
        lrs_msg_t m;
        fake_expect(f, LRS_MSG_DATA_REQ, 5000, &m);
        assert_string_equal(m.data_hash, hash);
        if (first == UINT64_MAX)
            first = m.data_offset;
        uint64_t at = m.data_offset;
        for (int k = 0; k < m.data_chunks && at < upto; k++) {
            size_t n = sent - at < chunk ? sent - at : chunk;
            lrs_proto_data(&f->b, hash, at, sent, bytes + at, n);
            fake_send(f);
            at += n;
        }
        served = at > served ? at : served;
        lrs_msg_free(&m);
        if (one_round)
            break;
    }
    return first;
}

/* A WELCOME naming hash and announcing `announced` bytes, and the `sent`
 * bytes given in chunks as the worker asks for them. */
static void fake_serve(fake_t *f, const char *hash, size_t announced, const char *bytes,
                       size_t sent)
{
    fake_welcome(f, data_spec, hash, announced);
    fake_chunks(f, hash, bytes, sent, LRS_PROTO_DATA_CHUNK, sent, announced != sent);
}

/* `sent` zero bytes under their own hash, announced as `announced`, in
 * frames of `chunk` bytes. */
static void fake_serve_zeros(fake_t *f, size_t announced, size_t sent, size_t chunk)
{
    char *bytes = calloc(sent, 1);
    assert_non_null(bytes);
    char hash[17];
    lrs_fnv64w_hex(bytes, sent, hash);
    fake_welcome(f, data_spec, hash, announced);
    fake_chunks(f, hash, bytes, sent, chunk, sent, 1);
    free(bytes);
}

static void fake_shutdown(fake_t *f)
{
    lrs_proto_shutdown(&f->b, TOKEN, 1, "the sweep is over");
    fake_send(f);
}

/* ---- the worker -------------------------------------------------------- */

typedef struct worker {
    lrs_agent_opts_t opts;
    atomic_int interrupts;
    pthread_t thread;
    int rc;
    lrs_err_t err;
    FILE *log;
} worker_t;

static void *worker_thread(void *arg)
{
    worker_t *w = arg;
    w->rc = lrs_agent_run(&w->opts, &w->err);
    return NULL;
}

static void worker_start(worker_t *w, const fake_t *f, uint64_t max_data)
{
    memset(w, 0, sizeof *w);
    lrs_agent_opts_init(&w->opts);
    atomic_init(&w->interrupts, 0);
    w->log = tmpfile();
    assert_non_null(w->log);
    w->opts.endpoint = f->endpoint;
    w->opts.name = "bounded";
    w->opts.log = w->log;
    w->opts.max_data = max_data;
    w->opts.interrupts = &w->interrupts;
    assert_int_equal(pthread_create(&w->thread, NULL, worker_thread, w), 0);
}

/* Joins the worker: its exit status must be rc. */
static void worker_join(worker_t *w, int rc)
{
    assert_int_equal(pthread_join(w->thread, NULL), 0);
    if (w->rc != rc)
        fail_msg("the worker returned %d (%s), expected %d", w->rc, w->err.msg, rc);
}

/* Lines of the worker's log holding needle (read after the join). */
static int log_lines(worker_t *w, const char *needle)
{
    fflush(w->log);
    rewind(w->log);
    char line[4096];
    int n = 0;
    while (fgets(line, sizeof line, w->log))
        n += strstr(line, needle) != NULL;
    return n;
}

/* ---- the tests --------------------------------------------------------- */

/* Every READY answered (three times) with ten times its credit: the worker
 * runs no more trials than it asked for, only ones it was sent, and says
 * so once. */
static void test_trials_beyond_credit(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, synthetic_spec);
    worker_t w;
    worker_start(&w, &f, 0);
    lrs_msg_t m;
    fake_hello(&f, 5000);
    fake_welcome(&f, synthetic_spec, "", 0);
    uint64_t next = 0;
    int answered = 0, asked = 0, flooded = 0, results = 0;
    char *sent = calloc(4096, 1);   /* trials sent, by index */
    assert_non_null(sent);
    int64_t quiet_since = lrs_mono_ms();
    while (lrs_mono_ms() - quiet_since < (answered < 3 ? 5000 : 1000)) {
        int t = fake_next(&f, 100, &m);
        if (t == LRS_MSG_READY) {
            asked += m.credit;
            if (answered++ < 3) {
                int n = 10 * m.credit;
                assert_true(next + (uint64_t)n <= 4096);
                memset(sent + next, 1, (size_t)n);
                fake_trials(&f, TOKEN, next, n);
                next += (uint64_t)n;
                flooded += n;
            }
            quiet_since = lrs_mono_ms();
        } else if (t == LRS_MSG_RESULTS) {
            for (int i = 0; i < m.n_results; i++) {
                assert_true(m.results[i].trial < next && sent[m.results[i].trial]);
                sent[m.results[i].trial] = 2;   /* a result once */
            }
            results += fake_ack(&f, &m);
            quiet_since = lrs_mono_ms();
        } else if (t >= 0) {
            fail_msg("unexpected %s from the worker", lrs_msg_name(t));
        }
        if (t >= 0)
            lrs_msg_free(&m);
    }
    fake_shutdown(&f);
    worker_join(&w, 0);
    print_message("asked for %d trials, was sent %d, ran %d\n", asked, flooded, results);
    assert_true(answered >= 3);
    assert_true(results > 0);
    assert_true(results <= asked);
    /* each flood is ten times the credit of its READY, but a trial may fill
     * the credit of a later READY that crossed it: the worker ran what it
     * asked for, far fewer than it was sent */
    assert_true(2 * results < flooded);
    assert_int_equal(f.spec_reqs, 1);   /* the spec came once, on request, not in WELCOME */
    assert_int_equal(log_lines(&w, "beyond the"), 1);
    free(sent);
    fclose(w.log);
    fake_close(&f);
}

/* max_data 1 MiB.  A WELCOME announcing 2 MiB: refused with both sizes,
 * never a DATA_REQ, a new HELLO after the back-off (and the same WELCOME
 * again is refused without a second line).  A WELCOME announcing 1000
 * bytes whose DATA frames say they are of more than 1 MiB: refused, no
 * READY. */
static void test_data_over_max(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, data_spec);
    worker_t w;
    worker_start(&w, &f, 1 << 20);
    for (int k = 0; k < 2; k++) {   /* HELLOs 1 s, then 2 s apart */
        fake_hello(&f, 5000);
        fake_welcome(&f, data_spec, "0123456789abcdef", 2 << 20);
    }
    fake_hello(&f, 5000);   /* not a DATA_REQ: the next attempt */
    fake_serve_zeros(&f, 1000, (1 << 20) + 16, LRS_PROTO_DATA_CHUNK);
    fake_hello(&f, 9000);   /* not a READY */
    fake_shutdown(&f);
    worker_join(&w, 0);
    assert_int_equal(log_lines(&w, "the sweep's data set is 2097152 bytes (2 MiB), over --max-data "
                                   "1048576 (1 MiB): raise --max-data"),
                     1);
    assert_int_equal(log_lines(&w, "over --max-data"), 1);   /* once per kind */
    fclose(w.log);
    fake_close(&f);
}

/* A DATA frame of 2 MiB (chunks are 1 MiB): ZeroMQ cuts the connection at
 * the frame cap (ZMQ_MAXMSGSIZE, a chunk + the envelope); the worker
 * notices, does not wait for the data for ever, and says HELLO again. */
static void test_data_frame_over_cap(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, data_spec);
    worker_t w;
    worker_start(&w, &f, 4 << 20);
    fake_hello(&f, 5000);
    fake_serve_zeros(&f, 2 << 20, 2 << 20, 2 << 20);
    fake_hello(&f, 5000);
    fake_shutdown(&f);
    worker_join(&w, 0);
    assert_int_equal(log_lines(&w, "the connection dropped while the data set was on its way"), 1);
    fclose(w.log);
    fake_close(&f);
}

/* The data set of data_spec as the coordinator ships it: a CSV of `rows`
 * rows (y a noisy line of x1 and x2) parsed and encoded in its binary form. */
static char *make_blob(int rows, size_t *len)
{
    char *csv = NULL;
    size_t csv_len;
    FILE *out = open_memstream(&csv, &csv_len);
    assert_non_null(out);
    fprintf(out, "x1,x2,y\n");
    for (int i = 0; i < rows; i++)
        fprintf(out, "%d,%d,%.2f\n", i % 97, (i * 7) % 11,
                0.5 * (i % 97) - 0.25 * ((i * 7) % 11) + (i % 3) * 0.1);
    fclose(out);
    const char *target[] = {"y"};
    lrs_dataset_t d;
    lrs_err_t err;
    assert_int_equal(lrs_dataset_parse_csv("d.csv", csv, csv_len, target, 1, 0, &d, &err), 0);
    uint8_t *blob;
    assert_int_equal(lrs_data_blob_encode(&d, &blob, len, &err), 0);
    lrs_dataset_free(&d);
    free(csv);
    return (char *)blob;
}

/* Bad sessions one after another, each followed by a new HELLO: a DATA of
 * another content hash, a WELCOME whose spec does not parse, a frame that
 * does not decode, TRIALS of another sweep.  Then an honest session: the
 * worker runs every trial and exits 0 on SHUTDOWN. */
static void test_bad_sessions_then_good(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, data_spec);
    size_t len;
    char *csv = make_blob(20, &len);
    char hash[17];
    lrs_fnv64w_hex(csv, len, hash);
    worker_t w;
    worker_start(&w, &f, 0);
    lrs_msg_t m;

    fake_hello(&f, 5000);   /* 1: DATA whose bytes are not the hash's */
    csv[len - 2] ^= 1;   /* a bit of the last value */
    fake_serve(&f, hash, len, csv, len);
    csv[len - 2] ^= 1;

    fake_hello(&f, 5000);   /* 2: a spec that does not parse */
    fake_welcome(&f, "name: [unclosed\n", "", 0);   /* its SPEC_REQ is served by fake_next */

    fake_hello(&f, 5000);   /* 3: not a message */
    fake_send_raw(&f, "\x93\x08\x63\x00", 4);

    fake_hello(&f, 8000);   /* 4: joins, then TRIALS of another sweep */
    fake_serve(&f, hash, len, csv, len);
    fake_expect(&f, LRS_MSG_READY, 5000, &m);
    lrs_msg_free(&m);
    fake_trials(&f, TOKEN + 1, 0, 1);

    fake_hello(&f, 5000);   /* 5: honest, the data set cached */
    fake_welcome(&f, data_spec, hash, len);
    uint64_t next = 0;
    int done = 0, failed = 0;
    while (done < DATA_TRIALS) {
        int t = fake_next(&f, 10000, &m);
        if (t == LRS_MSG_READY) {
            int n = m.credit < DATA_TRIALS - (int)next ? m.credit : DATA_TRIALS - (int)next;
            if (n > 0)
                fake_trials(&f, TOKEN, next, n);
            next += (uint64_t)n;
        } else if (t == LRS_MSG_RESULTS) {
            for (int i = 0; i < m.n_results; i++)
                failed += m.results[i].result.status == LRS_STATUS_FAILED;
            done += fake_ack(&f, &m);
        } else {
            fail_msg("expected READY or RESULTS, got %s", t < 0 ? "nothing" : lrs_msg_name(t));
        }
        lrs_msg_free(&m);
    }
    fake_shutdown(&f);
    worker_join(&w, 0);
    assert_int_equal(done, DATA_TRIALS);
    assert_int_equal(failed, 0);
    assert_int_equal(log_lines(&w, "the data set arrived corrupted"), 1);
    assert_int_equal(log_lines(&w, "cannot run sweep 'bounded'"), 1);
    assert_int_equal(log_lines(&w, "a malformed message from the coordinator"), 1);
    assert_int_equal(log_lines(&w, "trials of a sweep this worker did not join"), 1);
    assert_int_equal(log_lines(&w, "reconnecting in"), 4);
    free(csv);
    fclose(w.log);
    fake_close(&f);
}

/* A data set of four chunks whose transfer is cut after two (the
 * coordinator forgot the worker: REJECT HELLO) resumes at 2 MiB under the
 * same hash and size, verifies, and the worker asks for trials. */
static void test_data_resumes(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, data_spec);
    size_t len;
    char *blob = make_blob(150000, &len);
    assert_true(len > 3 * LRS_PROTO_DATA_CHUNK && len < 4 * LRS_PROTO_DATA_CHUNK);
    char hash[17];
    lrs_fnv64w_hex(blob, len, hash);
    worker_t w;
    worker_start(&w, &f, 0);
    fake_hello(&f, 5000);
    fake_welcome(&f, data_spec, hash, len);
    assert_int_equal(fake_chunks(&f, hash, blob, len, LRS_PROTO_DATA_CHUNK,
                                 2 * LRS_PROTO_DATA_CHUNK, 0), 0);
    usleep(1100 * 1000);   /* a REJECT within 1 s of a HELLO is taken as a stale one */
    lrs_proto_reject(&f.b, LRS_REJECT_HELLO, "unknown worker: say HELLO first");
    fake_send(&f);
    fake_hello(&f, 5000);
    fake_welcome(&f, data_spec, hash, len);
    assert_int_equal(fake_chunks(&f, hash, blob, len, LRS_PROTO_DATA_CHUNK, len, 0),
                     2 * LRS_PROTO_DATA_CHUNK);
    lrs_msg_t m;
    fake_expect(&f, LRS_MSG_READY, 10000, &m);
    lrs_msg_free(&m);
    fake_shutdown(&f);
    worker_join(&w, 0);
    assert_int_equal(log_lines(&w, "resuming its data set at 2097152 of"), 1);
    assert_int_equal(log_lines(&w, "joined sweep 'bounded'"), 1);
    free(blob);
    fclose(w.log);
    fake_close(&f);
}

/* A coordinator of another protocol version (here 2, which answered a HELLO
 * it could not read with [2, REJECT, reason]): the worker stops with exit 2
 * and one line naming both versions and what the coordinator said. */
static void test_version_skew(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, synthetic_spec);
    worker_t w;
    worker_start(&w, &f, 0);
    fake_hello(&f, 5000);
    static const char old_reject[] = "\x93\x02\x0b\xa9" "bad HELLO";
    fake_send_raw(&f, old_reject, sizeof old_reject - 1);
    worker_join(&w, LRS_EXIT_USAGE);
    assert_int_equal(log_lines(&w, "this worker (lrsweep " LRS_VERSION ") speaks protocol 8, the "
                                   "coordinator speaks protocol 2 (an older lrsweep)"), 1);
    assert_int_equal(log_lines(&w, "the coordinator says: bad HELLO"), 1);
    fclose(w.log);
    fake_close(&f);
}

/* Pinned: after joining sweep TOKEN, a SHUTDOWN of another sweep (a
 * lingering coordinator of a finished one) is refused and the worker says
 * HELLO again, pinned to TOKEN; a coordinator that stops (ended 0) is waited
 * for; the end of its own sweep ends it with 0. */
static void test_pinned_and_ended(void **state)
{
    (void)state;
    fake_t f;
    fake_open(&f, synthetic_spec);
    worker_t w;
    worker_start(&w, &f, 0);
    lrs_msg_t m;
    fake_hello(&f, 5000);
    fake_welcome(&f, synthetic_spec, "", 0);
    fake_expect(&f, LRS_MSG_READY, 5000, &m);
    lrs_msg_free(&m);
    lrs_proto_shutdown(&f.b, TOKEN + 1, 1, "sweep 'other' is complete");
    fake_send(&f);
    fake_expect(&f, LRS_MSG_HELLO, 5000, &m);   /* back after the back-off, still pinned */
    assert_true(m.sweep == TOKEN);
    lrs_msg_free(&m);
    lrs_proto_shutdown(&f.b, TOKEN, 0, "the coordinator was interrupted");
    fake_send(&f);
    fake_expect(&f, LRS_MSG_HELLO, 5000, &m);   /* it waits for it: HELLO again */
    assert_true(m.sweep == TOKEN);
    lrs_msg_free(&m);
    lrs_proto_shutdown(&f.b, TOKEN, 1, "sweep 'bounded' is complete");
    fake_send(&f);
    worker_join(&w, 0);
    assert_int_equal(log_lines(&w, "pinned to sweep 'bounded'"), 1);
    assert_int_equal(log_lines(&w, "the coordinator stops: the coordinator was interrupted"), 1);
    assert_int_equal(log_lines(&w, "sweep 'bounded' is complete; exiting"), 1);
    fclose(w.log);
    fake_close(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_trials_beyond_credit),
        cmocka_unit_test(test_data_over_max),
        cmocka_unit_test(test_data_frame_over_cap),
        cmocka_unit_test(test_bad_sessions_then_good),
        cmocka_unit_test(test_data_resumes),
        cmocka_unit_test(test_version_skew),
        cmocka_unit_test(test_pinned_and_ended),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
