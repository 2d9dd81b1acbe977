/* test_curve_identity.c — with CURVE a worker's session is bound to its key:
 * a peer holding another allowed key that reuses an honest worker's routing
 * id (ROUTER_HANDOVER gives it the pipe) cannot act for it — its RESULTS for
 * the honest worker's lease are not recorded, its READY gets nothing —
 * while the honest worker, reconnecting under its own key and name, gets a
 * new session and finishes; and a peer without CURVE never reaches the
 * broker at all. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>
#include <zmq.h>

#define LRS_SUPPORT_BROKER
#include "support.h"
#include "common/keys.h"
#include "common/proto_encode.h"

static const char spec_text[] = "name: bound\nseed: 3\ntrials: 4\nsampler: random\n"
                                "objective: {metric: val_loss, goal: minimize}\n"
                                "model: {type: synthetic}\nsearch:\n"
                                "  lr: {log_uniform: [1.0e-4, 1.0]}\n  epochs: 2\n";

/* A CURVE client DEALER with routing id id, for the server key. */
static void *curve_socket(void *zctx, const char *endpoint, const char *id,
                          const lrs_keypair_t *kp, const char *server)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, id, strlen(id));
    zmq_setsockopt(s, ZMQ_CURVE_SERVERKEY, server, 40);
    zmq_setsockopt(s, ZMQ_CURVE_PUBLICKEY, kp->public_z85, 40);
    zmq_setsockopt(s, ZMQ_CURVE_SECRETKEY, kp->secret_z85, 40);
    assert_int_equal(zmq_connect(s, endpoint), 0);
    return s;
}

/* The next message of type want within 3 s, skipping others; -1 if none. */
static int expect(void *s, int want, lrs_msg_t *out)
{
    return sup_expect_type(s, want, 100, out);
}

static void test_key_binds_the_session(void **state)
{
    (void)state;
    sup_broker_t bc;
    sup_broker_prepare(&bc, "/tmp/lrs-curveid-XXXXXX", "k.db", "bound.yaml", spec_text);
    char path[256];
    lrs_keypair_t server, honest, other;
    lrs_err_t err;
    snprintf(path, sizeof path, "%s/server", bc.dir);
    assert_int_equal(lrs_keys_generate(path, &server, &err), 0);
    assert_int_equal(zmq_curve_keypair(honest.public_z85, honest.secret_z85), 0);
    assert_int_equal(zmq_curve_keypair(other.public_z85, other.secret_z85), 0);
    snprintf(path, sizeof path, "%s/allowed", bc.dir);
    FILE *f = fopen(path, "w");
    fprintf(f, "%s\n%s\n", honest.public_z85, other.public_z85);
    fclose(f);
    bc.opts.key = &server;
    bc.opts.allow_path = path;
    FILE *log = tmpfile();
    bc.opts.log = log;
    sup_broker_start(&bc);

    void *zctx = zmq_ctx_new();
    lrs_wbuf_t b;
    lrs_wbuf_init(&b);
    lrs_msg_t m;
    /* the honest worker takes one trial */
    void *h = curve_socket(zctx, bc.endpoint, "shared-id", &honest, server.public_z85);
    lrs_proto_hello(&b, "honest", "h", 1, 1);
    sup_send(h, b.sb.data, b.sb.size);
    assert_int_equal(expect(h, LRS_MSG_WELCOME, &m), 0);
    uint64_t token = m.sweep;
    lrs_msg_free(&m);
    lrs_proto_ready(&b, token, 1);
    sup_send(h, b.sb.data, b.sb.size);
    assert_int_equal(expect(h, LRS_MSG_TRIALS, &m), 0);
    lrs_wire_trial_t leased = m.trials[0];
    lrs_msg_free(&m);

    /* another allowed key takes over the routing id and claims the lease */
    void *thief = curve_socket(zctx, bc.endpoint, "shared-id", &other, server.public_z85);
    lrs_wire_result_t forged = {.trial = leased.trial, .attempt = leased.attempt,
                                .result = {.status = LRS_STATUS_COMPLETE, .score = -1e300,
                                           .score_std = 0}};
    lrs_proto_results_begin(&b, token, 1);
    lrs_proto_results_add(&b, &forged);
    sup_send(thief, b.sb.data, b.sb.size);
    assert_int_equal(expect(thief, LRS_MSG_REJECT, &m), 0);   /* not the session's key */
    assert_non_null(strstr(m.reason, "HELLO"));
    lrs_msg_free(&m);
    lrs_proto_ready(&b, token, 4);
    sup_send(thief, b.sb.data, b.sb.size);
    assert_int_equal(expect(thief, LRS_MSG_REJECT, &m), 0);
    lrs_msg_free(&m);
    zmq_close(thief);

    /* a peer without CURVE gets no answer at all */
    void *anon = sup_raw_socket(zctx, bc.endpoint, "anon");
    lrs_proto_hello(&b, "anon", "h", 1, 1);
    sup_send(anon, b.sb.data, b.sb.size);
    assert_int_equal(sup_read_type(anon, 500, &m, NULL), -1);
    zmq_close(anon);

    /* the honest worker comes back under its key and name: a new session */
    zmq_close(h);
    h = curve_socket(zctx, bc.endpoint, "honest-again", &honest, server.public_z85);
    lrs_proto_hello(&b, "honest", "h", 1, 1);
    sup_send(h, b.sb.data, b.sb.size);
    assert_int_equal(expect(h, LRS_MSG_WELCOME, &m), 0);
    lrs_msg_free(&m);
    int done = 0;
    for (int round = 0; round < 20 && done < 4; round++) {
        lrs_proto_ready(&b, token, 1);
        sup_send(h, b.sb.data, b.sb.size);
        if (expect(h, LRS_MSG_TRIALS, &m) != 0)
            break;
        lrs_wire_result_t r = {.trial = m.trials[0].trial, .attempt = m.trials[0].attempt,
                               .result = {.status = LRS_STATUS_COMPLETE, .score = 0.5,
                                          .score_std = 0}};
        lrs_msg_free(&m);
        lrs_proto_results_begin(&b, token, 1);
        lrs_proto_results_add(&b, &r);
        sup_send(h, b.sb.data, b.sb.size);
        assert_int_equal(expect(h, LRS_MSG_ACK, &m), 0);
        lrs_msg_free(&m);
        done++;
    }
    assert_int_equal(done, 4);
    sup_broker_join(&bc);
    assert_int_equal(bc.rc, 0);
    zmq_close(h);
    zmq_ctx_term(zctx);
    lrs_wbuf_free(&b);
    sup_broker_finish(&bc);

    sqlite3 *conn;
    sqlite3_stmt *q;
    assert_int_equal(sqlite3_open(bc.db, &conn), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(conn, "SELECT COUNT(*), MIN(score), group_concat(DISTINCT"
                                              " worker) FROM trials", -1, &q, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(q), SQLITE_ROW);
    assert_int_equal(sqlite3_column_int(q, 0), 4);
    assert_true(sqlite3_column_double(q, 1) == 0.5);   /* the forged score never landed */
    assert_string_equal((const char *)sqlite3_column_text(q, 2), "honest");
    sqlite3_finalize(q);
    sqlite3_close(conn);
    fclose(log);
    sup_rm_rf(bc.dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_key_binds_the_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
