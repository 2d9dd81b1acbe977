/* test_protocol_broker.c — a live coordinator (the broker, in a thread of
 * this test) under hostile traffic from a raw ZeroMQ client: malformed
 * frames, multi-part frames, wrong versions and types, results for unknown
 * or foreign trials, messages before HELLO, and a flood of HELLOs from more
 * peers than it accepts.  Everything must be rejected, counted and logged
 * once per peer; afterwards a real worker (the agent, in another thread)
 * still completes the sweep with every trial recorded exactly once.  Also:
 * leases that expire (attempt + 1, then failed after max_attempts), a failed
 * attempt re-queued, a late duplicate result ACKed but not recorded, and
 * forged results (not from the lease holder, wrong attempt, no finite
 * score, wrong kind) dropped and counted. */
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <zmq.h>

#define LRS_SUPPORT_BROKER
#include "common/proto_encode.h"
#include "support.h"
#include "worker/agent.h"

#define TRIALS 60
#define FLOOD_PEERS 80
#define MAX_WORKERS 40

static const char spec_text[] = "name: hostile\n"
                                "seed: 9\n"
                                "trials: 60\n"
                                "sampler: random\n"
                                "objective: {metric: val_loss, goal: minimize}\n"
                                "model: {type: synthetic}\n"
                                "search:\n"
                                "  lr: {log_uniform: [1.0e-4, 1.0]}\n"
                                "  epochs: 4\n"
                                "  optimizer:\n"
                                "    sgd:\n"
                                "      momentum: {uniform: [0.5, 0.99]}\n"
                                "  scheduler:\n"
                                "    cosine: {eta_min: 0.0}\n";

/* A real worker (the agent) in a thread of this test. */
typedef struct agent_ctx {
    lrs_agent_opts_t agent;
    pthread_t thread;
    int rc;
} agent_ctx_t;

static void *agent_thread(void *arg)
{
    agent_ctx_t *c = arg;
    lrs_err_t err;
    c->rc = lrs_agent_run(&c->agent, &err);
    return NULL;
}

/* A real worker ("honest", 2 jobs, logging to log) connects to the broker
 * and runs until the sweep is over; the broker and the worker must both
 * return 0. */
static void honest_agent_finishes(sup_broker_t *bc, FILE *log)
{
    agent_ctx_t ac;
    memset(&ac, 0, sizeof ac);
    lrs_agent_opts_init(&ac.agent);
    ac.agent.endpoint = bc->endpoint;
    ac.agent.jobs = 2;
    ac.agent.name = "honest";
    ac.agent.log = log;
    assert_int_equal(pthread_create(&ac.thread, NULL, agent_thread, &ac), 0);
    sup_broker_join(bc);
    pthread_join(ac.thread, NULL);
    assert_int_equal(bc->rc, 0);
    assert_int_equal(ac.rc, 0);
}

/* Reads one frame (up to 2 s); returns its decoded type or -1. */
static int read_type(void *s, lrs_msg_t *out)
{
    return sup_read_type(s, 2000, out, NULL);
}

static int count_lines(FILE *f, const char *needle)
{
    fflush(f);
    rewind(f);
    char line[2048];
    int n = 0;
    while (fgets(line, sizeof line, f))
        n += strstr(line, needle) != NULL;
    return n;
}

static void test_hostile_peers(void **state)
{
    (void)state;
    sup_broker_t bc;
    sup_broker_prepare(&bc, "/tmp/lrs-hostile-XXXXXX", "h.db", "hostile.yaml", spec_text);
    const char *db = bc.db, *endpoint = bc.endpoint;
    FILE *log = tmpfile();
    assert_non_null(log);
    bc.opts.heartbeat_ms = 200;
    bc.opts.max_workers = MAX_WORKERS;
    bc.opts.log = log;
    sup_broker_start(&bc);

    void *zctx = zmq_ctx_new();
    void *evil = sup_raw_socket(zctx, endpoint, "evil");
    /* Before HELLO: garbage of every kind. */
    static const struct { const char *b; size_t n; } junk[] = {
        {"", 0},
        {"\x01", 1},
        {"\x92\x09\x05", 3},                          /* wrong version */
        {"\x92\x08\x63", 3},                          /* unknown type */
        {"\xdd\xff\xff\xff\xff", 5},                  /* 4 G elements declared */
        {"\x93\x08\x05\x01", 4},                      /* heartbeat with a field */
        {"\x94\x08\x03\x01\xce\x10\x00\x00\x00", 9},  /* credit too big */
    };
    int sent_bad = 0;
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++, sent_bad++)
        sup_send(evil, junk[i].b, junk[i].n);
    zmq_send(evil, "part1", 5, ZMQ_SNDMORE);   /* multi-part */
    zmq_send(evil, "part2", 5, 0);
    sent_bad++;
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_proto_ready(&b, 1, 5);   /* well-formed, but no HELLO yet */
    sup_send(evil, b.sb.data, b.sb.size);
    sent_bad++;
    lrs_msg_t m;
    /* the frame of another protocol version is answered with the one
     * message naming both versions */
    assert_int_equal(read_type(evil, &m), LRS_MSG_REJECT);
    assert_int_equal(m.code, LRS_REJECT_VERSION);
    assert_non_null(strstr(m.reason, "the worker speaks protocol 9 (a newer lrsweep)"));
    lrs_msg_free(&m);
    assert_int_equal(read_type(evil, &m), LRS_MSG_REJECT);   /* READY before HELLO */
    assert_int_equal(m.code, LRS_REJECT_HELLO);
    assert_non_null(strstr(m.reason, "HELLO"));
    lrs_msg_free(&m);

    /* After HELLO: results for trials that do not exist or another sweep. */
    void *liar = sup_raw_socket(zctx, endpoint, "liar");
    lrs_proto_hello(&b, "liar", "nowhere", 1, 1);
    sup_send(liar, b.sb.data, b.sb.size);
    assert_int_equal(read_type(liar, &m), LRS_MSG_WELCOME);
    uint64_t token = m.sweep;
    lrs_msg_free(&m);
    lrs_wire_result_t r = {.trial = 1000000, .attempt = 1, .result = {.status = LRS_STATUS_COMPLETE, .score = -1e9, .score_std = 0, .seconds = 0}};
    lrs_proto_results_begin(&b, token, 1);
    lrs_proto_results_add(&b, &r);
    sup_send(liar, b.sb.data, b.sb.size);   /* unknown trial */
    r.trial = 3;
    lrs_proto_results_begin(&b, token ^ 1, 1);
    lrs_proto_results_add(&b, &r);
    sup_send(liar, b.sb.data, b.sb.size);   /* foreign sweep */
    lrs_wire_trial_t wt = {1, 1, 1};
    lrs_proto_trials_begin(&b, token, 1);
    lrs_proto_trials_add(&b, &wt);
    sup_send(liar, b.sb.data, b.sb.size);   /* a coordinator-only message */
    lrs_proto_data_req(&b, "0000000000000000", 0, 1);
    sup_send(liar, b.sb.data, b.sb.size);   /* no such data */
    int liar_bad = 4;

    /* A HELLO flood from more peers than allowed. */
    void *flood[FLOOD_PEERS];
    for (int i = 0; i < FLOOD_PEERS; i++) {
        char id[32];
        snprintf(id, sizeof id, "flood-%d", i);
        flood[i] = sup_raw_socket(zctx, endpoint, id);
        lrs_proto_hello(&b, id, "h", 1, 1);
        for (int k = 0; k < 3; k++)   /* and repeated HELLOs from each */
            sup_send(flood[i], b.sb.data, b.sb.size);
    }
    usleep(300 * 1000);
    for (int i = 0; i < FLOOD_PEERS; i++)
        zmq_close(flood[i]);
    zmq_close(evil);
    zmq_close(liar);
    zmq_ctx_term(zctx);
    lrs_wbuf_free(&b);

    /* A real worker still completes the sweep. */
    honest_agent_finishes(&bc, log);

    lrs_broker_stats_t st;
    lrs_broker_get_stats(bc.broker, &st);
    print_message("rejected %llu messages; %d worker slots for %d flooding peers\n",
                  (unsigned long long)st.rejected, st.worker_slots, FLOOD_PEERS);
    assert_true(st.rejected >= (uint64_t)(sent_bad + liar_bad + (FLOOD_PEERS - MAX_WORKERS)));
    assert_true(st.worker_slots <= MAX_WORKERS);
    /* the trial table holds what is in flight, not a slot per trial */
    assert_true(st.trial_table_bytes < 16 * 1024);
    assert_int_equal(st.recorded, TRIALS);
    assert_int_equal(count_lines(log, "from peer 'evil'"), 1);
    assert_int_equal(count_lines(log, "from peer 'liar'"), 1);
    sup_broker_finish(&bc);

    sqlite3 *conn;
    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(conn,
                                        "SELECT COUNT(*), COUNT(DISTINCT trial), MAX(trial),"
                                        " MIN(score) FROM trials",
                                        -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), TRIALS);
    assert_int_equal(sqlite3_column_int(q, 1), TRIALS);
    assert_int_equal(sqlite3_column_int(q, 2), TRIALS - 1);
    assert_true(sqlite3_column_double(q, 3) > 0);   /* the liar's -1e9 never landed */
    sqlite3_finalize(q);
    sqlite3_close(conn);
    fclose(log);
    sup_rm_rf(bc.dir);
}

/* Waits up to 3 s for a frame of the given type, skipping heartbeats. */
static int expect_type(void *s, int type, lrs_msg_t *out)
{
    return sup_expect_type(s, type, 2000, out);
}

/* Leases and attempts with fake workers that take a trial and go silent:
 * the trial is re-queued with attempt + 1, fails after max_attempts with the
 * last error; a worker that reports a failed attempt gets it re-queued. */
static void test_leases_and_attempts(void **state)
{
    (void)state;
    sup_broker_t bc;
    sup_broker_prepare(&bc, "/tmp/lrs-leases-XXXXXX", "l.db", "leases.yaml", spec_text);
    const char *db = bc.db, *endpoint = bc.endpoint;
    FILE *log = tmpfile();
    bc.opts.heartbeat_ms = 100;
    bc.opts.max_attempts = 2;
    bc.opts.log = log;
    sup_broker_start(&bc);

    void *zctx = zmq_ctx_new();
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_msg_t m;
    uint64_t token = 0, first_trial = 0;
    /* Two fake workers in turn take one trial each and fall silent. */
    for (int k = 0; k < 2; k++) {
        char id[16];
        snprintf(id, sizeof id, "silent-%d", k);
        void *s = sup_raw_socket(zctx, endpoint, id);
        lrs_proto_hello(&b, id, "h", 1, 1);
        sup_send(s, b.sb.data, b.sb.size);
        assert_int_equal(expect_type(s, LRS_MSG_WELCOME, &m), 0);
        token = m.sweep;
        lrs_msg_free(&m);
        lrs_proto_ready(&b, token, 1);
        sup_send(s, b.sb.data, b.sb.size);
        assert_int_equal(expect_type(s, LRS_MSG_TRIALS, &m), 0);
        assert_int_equal(m.n_trials, 1);
        assert_int_equal(m.trials[0].attempt, k + 1);   /* the same trial, one attempt later */
        if (k == 0)
            first_trial = m.trials[0].trial;
        assert_int_equal(m.trials[0].trial, first_trial);
        lrs_msg_free(&m);
        zmq_close(s);
        usleep(600 * 1000);   /* > 3 heartbeats of 100 ms: it expires */
    }
    /* A worker that reports a failed attempt: the trial goes back. */
    void *flaky = sup_raw_socket(zctx, endpoint, "flaky");
    lrs_proto_hello(&b, "flaky", "h", 1, 1);
    sup_send(flaky, b.sb.data, b.sb.size);
    assert_int_equal(expect_type(flaky, LRS_MSG_WELCOME, &m), 0);
    lrs_msg_free(&m);
    lrs_proto_ready(&b, token, 1);
    sup_send(flaky, b.sb.data, b.sb.size);
    assert_int_equal(expect_type(flaky, LRS_MSG_TRIALS, &m), 0);
    uint64_t flaky_trial = m.trials[0].trial;
    lrs_wire_result_t r = {.trial = flaky_trial, .attempt = m.trials[0].attempt, .result = {.status = LRS_STATUS_FAILED, .score = NAN, .score_std = NAN, .error = "out of memory, pretend"}};
    lrs_msg_free(&m);
    assert_true(flaky_trial != first_trial);
    lrs_proto_results_begin(&b, token, 1);
    lrs_proto_results_add(&b, &r);
    sup_send(flaky, b.sb.data, b.sb.size);
    assert_int_equal(expect_type(flaky, LRS_MSG_ACK, &m), 0);
    assert_int_equal(m.n_acks, 1);
    lrs_msg_free(&m);

    /* A real worker completes the rest. */
    honest_agent_finishes(&bc, log);
    zmq_close(flaky);
    zmq_ctx_term(zctx);
    lrs_wbuf_free(&b);
    sup_broker_finish(&bc);

    sqlite3 *conn;
    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_prepare_v2(conn, "SELECT status, attempts, error FROM trials WHERE trial = ?1",
                                        -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(q, 1, (int64_t)first_trial);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "failed");
    assert_int_equal(sqlite3_column_int(q, 1), 2);
    assert_non_null(strstr((const char *)sqlite3_column_text(q, 2), "stopped heartbeating"));
    sqlite3_reset(q);
    sqlite3_bind_int64(q, 1, (int64_t)flaky_trial);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);   /* re-run after the failed attempt */
    assert_string_equal((const char *)sqlite3_column_text(q, 0), "complete");
    assert_int_equal(sqlite3_column_int(q, 1), 2);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(conn, "SELECT COUNT(*), COUNT(DISTINCT trial),"
                                              " SUM(status = 'failed') FROM trials", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), TRIALS);
    assert_int_equal(sqlite3_column_int(q, 1), TRIALS);
    assert_int_equal(sqlite3_column_int(q, 2), 1);
    sqlite3_finalize(q);
    sqlite3_close(conn);
    fclose(log);
    sup_rm_rf(bc.dir);
}

/* A result that arrives after the trial was recorded (a resend, or another
 * worker's claim) is acknowledged and ignored: the first result stays. */
static void test_late_duplicate(void **state)
{
    (void)state;
    static const char two[] = "name: late\nseed: 2\ntrials: 2\nsampler: random\n"
                              "objective: {metric: val_loss, goal: minimize}\n"
                              "model: {type: synthetic}\nsearch:\n"
                              "  lr: {log_uniform: [1.0e-4, 1.0]}\n  epochs: 2\n";
    sup_broker_t bc;
    sup_broker_prepare(&bc, "/tmp/lrs-late-XXXXXX", "d.db", "late.yaml", two);
    const char *db = bc.db, *endpoint = bc.endpoint;
    FILE *log = tmpfile();
    bc.opts.log = log;
    sup_broker_start(&bc);
    void *zctx = zmq_ctx_new();
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_msg_t m;
    void *w[2];
    uint64_t token = 0;
    for (int k = 0; k < 2; k++) {
        char id[8];
        snprintf(id, sizeof id, "w%d", k);
        w[k] = sup_raw_socket(zctx, endpoint, id);
        lrs_proto_hello(&b, id, "h", 1, 1);
        sup_send(w[k], b.sb.data, b.sb.size);
        assert_int_equal(expect_type(w[k], LRS_MSG_WELCOME, &m), 0);
        token = m.sweep;
        lrs_msg_free(&m);
    }
    /* w0 holds trial 0 and sends its result twice (an ACK lost on the way:
     * the resend carries another score to show which copy stays); w1 then
     * claims the recorded trial too.  All three are ACKed, one is recorded. */
    lrs_proto_ready(&b, token, 1);
    sup_send(w[0], b.sb.data, b.sb.size);
    assert_int_equal(expect_type(w[0], LRS_MSG_TRIALS, &m), 0);
    assert_int_equal(m.trials[0].trial, 0);
    lrs_msg_free(&m);
    for (int k = 0; k < 3; k++) {
        void *from = k < 2 ? w[0] : w[1];
        lrs_wire_result_t r = {.trial = 0, .attempt = 1, .result = {.status = LRS_STATUS_COMPLETE, .score = k ? 0.75 : 0.25, .score_std = 0, .seconds = 0}};
        lrs_proto_results_begin(&b, token, 1);
        lrs_proto_results_add(&b, &r);
        sup_send(from, b.sb.data, b.sb.size);
        assert_int_equal(expect_type(from, LRS_MSG_ACK, &m), 0);
        assert_int_equal(m.n_acks, 1);
        assert_int_equal(m.acks[0], 0);
        lrs_msg_free(&m);
    }
    lrs_proto_ready(&b, token, 1);
    sup_send(w[1], b.sb.data, b.sb.size);
    assert_int_equal(expect_type(w[1], LRS_MSG_TRIALS, &m), 0);
    assert_int_equal(m.trials[0].trial, 1);
    lrs_msg_free(&m);
    lrs_wire_result_t r1 = {.trial = 1, .attempt = 1, .result = {.status = LRS_STATUS_DIVERGED, .score = NAN, .score_std = NAN, .diverged_epoch = 1}};
    lrs_proto_results_begin(&b, token, 1);
    lrs_proto_results_add(&b, &r1);
    sup_send(w[1], b.sb.data, b.sb.size);
    assert_int_equal(expect_type(w[1], LRS_MSG_ACK, &m), 0);
    lrs_msg_free(&m);
    assert_int_equal(expect_type(w[0], LRS_MSG_SHUTDOWN, &m), 0);   /* the sweep is over */
    lrs_msg_free(&m);
    sup_broker_join(&bc);
    assert_int_equal(bc.rc, 0);
    for (int k = 0; k < 2; k++)
        zmq_close(w[k]);
    zmq_ctx_term(zctx);
    lrs_wbuf_free(&b);
    sup_broker_finish(&bc);
    sqlite3 *conn;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(conn, "SELECT COUNT(*), MIN(score), MAX(worker) FROM trials"
                                              " WHERE trial = 0", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 1);
    assert_true(sqlite3_column_double(q, 1) == 0.25);
    assert_string_equal((const char *)sqlite3_column_text(q, 2), "w0");
    sqlite3_finalize(q);
    sqlite3_close(conn);
    fclose(log);
    sup_rm_rf(bc.dir);
}

/* Results are taken only from the holder of the trial's current lease, for
 * that attempt, of the sweep's kind and with an outcome: another worker's
 * claim, a wrong attempt, a "complete" without a finite score and a
 * command's result in a built-in sweep are dropped, counted and ACKed (so
 * an honest worker forgets them); the holder's real result lands. */
static void test_forged_results(void **state)
{
    (void)state;
    sup_broker_t bc;
    sup_broker_prepare(&bc, "/tmp/lrs-forged-XXXXXX", "f.db", "forged.yaml", spec_text);
    const char *db = bc.db, *endpoint = bc.endpoint;
    FILE *log = tmpfile();
    bc.opts.log = log;
    sup_broker_start(&bc);
    void *zctx = zmq_ctx_new();
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_msg_t m;
    void *holder = sup_raw_socket(zctx, endpoint, "holder");
    void *thief = sup_raw_socket(zctx, endpoint, "thief");
    uint64_t token = 0;
    void *socks[2] = {holder, thief};
    const char *names[2] = {"holder", "thief"};
    for (int k = 0; k < 2; k++) {
        lrs_proto_hello(&b, names[k], "h", 1, 1);
        sup_send(socks[k], b.sb.data, b.sb.size);
        assert_int_equal(expect_type(socks[k], LRS_MSG_WELCOME, &m), 0);
        token = m.sweep;
        lrs_msg_free(&m);
    }
    lrs_proto_ready(&b, token, 1);
    sup_send(holder, b.sb.data, b.sb.size);
    assert_int_equal(expect_type(holder, LRS_MSG_TRIALS, &m), 0);
    uint64_t t = m.trials[0].trial;
    uint32_t attempt = m.trials[0].attempt;
    lrs_msg_free(&m);

    lrs_command_result_t ex = {.exit_status = 0, .stderr_tail = "", .log_tail = ""};
    struct {
        void *sock;
        lrs_wire_result_t r;
    } forged[] = {
        {thief, {.trial = t, .attempt = attempt,
                 .result = {.status = LRS_STATUS_COMPLETE, .score = -1e300}}},
        {holder, {.trial = t, .attempt = attempt + 1,
                  .result = {.status = LRS_STATUS_COMPLETE, .score = -1e300}}},
        {holder, {.trial = t, .attempt = attempt,
                  .result = {.status = LRS_STATUS_COMPLETE, .score = NAN}}},
        {holder, {.trial = t, .attempt = attempt,
                  .result = {.status = LRS_STATUS_COMPLETE, .score = -INFINITY}}},
        {holder, {.trial = t, .attempt = attempt,
                  .result = {.status = LRS_STATUS_COMPLETE, .score = -1e300, .command = &ex}}},
    };
    int n_forged = (int)(sizeof forged / sizeof forged[0]);
    for (int k = 0; k < n_forged; k++) {
        forged[k].r.result.score_std = NAN;
        lrs_proto_results_begin(&b, token, 1);
        lrs_proto_results_add(&b, &forged[k].r);
        sup_send(forged[k].sock, b.sb.data, b.sb.size);
        assert_int_equal(expect_type(forged[k].sock, LRS_MSG_ACK, &m), 0);
        assert_int_equal(m.acks[0], t);
        lrs_msg_free(&m);
    }
    lrs_wire_result_t real = {.trial = t, .attempt = attempt, .result = {.status = LRS_STATUS_COMPLETE, .score = 0.5, .score_std = 0}};
    lrs_proto_results_begin(&b, token, 1);
    lrs_proto_results_add(&b, &real);
    sup_send(holder, b.sb.data, b.sb.size);
    assert_int_equal(expect_type(holder, LRS_MSG_ACK, &m), 0);
    lrs_msg_free(&m);
    zmq_close(holder);
    zmq_close(thief);
    honest_agent_finishes(&bc, log);
    zmq_ctx_term(zctx);
    lrs_wbuf_free(&b);
    lrs_broker_stats_t st;
    lrs_broker_get_stats(bc.broker, &st);
    assert_int_equal(st.results_dropped, n_forged);
    assert_int_equal(st.recorded, TRIALS);
    /* logged once per peer: the thief, and the holder for its wrong attempt */
    assert_int_equal(count_lines(log, "does not hold the trial's lease"), 2);
    sup_broker_finish(&bc);

    sqlite3 *conn;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(conn, "SELECT score, worker, attempts FROM trials"
                                              " WHERE trial = ?1", -1, &q, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(q, 1, (int64_t)t);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_true(sqlite3_column_double(q, 0) == 0.5);
    assert_string_equal((const char *)sqlite3_column_text(q, 1), "holder");
    assert_int_equal(sqlite3_column_int(q, 2), attempt);
    sqlite3_finalize(q);
    assert_int_equal(sqlite3_prepare_v2(conn, "SELECT COUNT(*), MIN(score) FROM trials", -1, &q,
                                        NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), TRIALS);
    assert_true(sqlite3_column_double(q, 1) > -1e10);   /* no forged score landed */
    sqlite3_finalize(q);
    sqlite3_close(conn);
    fclose(log);
    sup_rm_rf(bc.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hostile_peers),
        cmocka_unit_test(test_leases_and_attempts),
        cmocka_unit_test(test_late_duplicate),
        cmocka_unit_test(test_forged_results),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
