/* support.h — helpers several unit tests share, header-only (every function
 * is static inline, so a test that includes this and uses only part of it
 * still builds with -Werror -Wunused-function).  Include it after
 * <cmocka.h>; the broker helpers need LRS_SUPPORT_BROKER defined first (they
 * pull in pthread, ZeroMQ and the coordinator's broker).
 *
 *  - temporary folders: sup_tmpdir (mkdtemp + a file path inside it),
 *    sup_rm_rf (removes a folder and everything under it, asserting success);
 *  - a database fixture for cmocka setup/teardown: sup_db_setup (a fresh
 *    folder with "r.db" named inside), sup_db_teardown_rm (rm -rf) and
 *    sup_db_teardown_strict (removes the database and its -wal / -shm /
 *    .lock files, then the folder: fails if anything else was left there);
 *  - commands: sup_run_cmd (what a command function writes to stdout, and
 *    its status);
 *  - trial configs: sup_trial_cfg (PARAM=VALUE words → a finalized config,
 *    failing the test on any refused word);
 *  - specs: sup_spec_report (spec text → the lines `lrsweep validate` would
 *    print, the result and the spec);
 *  - with LRS_SUPPORT_BROKER: an in-process coordinator (sup_broker_t:
 *    prepare, adjust opts, start in a thread, join, destroy) and a raw
 *    ZeroMQ DEALER client playing a worker (sup_raw_socket, sup_send,
 *    sup_read_type). */
#ifndef LRS_TESTS_UNIT_SUPPORT_H
#define LRS_TESTS_UNIT_SUPPORT_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/params.h"
#include "common/spec.h"

/* Parses len bytes of text as the spec "spec.yaml" (lrs_spec_parse_report;
 * base_dir may be NULL): returns every reported error line in a heap string
 * (empty when the spec is valid), the result in *rc and err, and the spec in
 * *spec_out (may be NULL: then it is destroyed). */
static inline char *sup_spec_report(const char *text, size_t len, const char *base_dir, int *rc,
                                    lrs_err_t *err, lrs_spec_t **spec_out)
{
    char *buf = NULL;
    size_t size = 0;
    FILE *report = open_memstream(&buf, &size);
    assert_non_null(report);
    lrs_spec_t *spec = NULL;
    lrs_err_clear(err);
    *rc = lrs_spec_parse_report("spec.yaml", text, len, base_dir, &spec, report, err);
    fclose(report);
    if (spec_out)
        *spec_out = spec;
    else
        lrs_spec_destroy(&spec);
    return buf;
}

/* Makes a fresh folder from template (…XXXXXX, rewritten in place) and puts
 * "template/name" in path (size bytes); asserts both work. */
static inline void sup_tmpdir(char *template, const char *name, char *path, size_t size)
{
    assert_non_null(mkdtemp(template));
    int n = snprintf(path, size, "%s/%s", template, name);
    assert_true(n > 0 && (size_t)n < size);
}

/* A finalized trial config from n PARAM=VALUE words; fails the test when
 * a word or the finalize step is refused. */
static inline lrs_trial_cfg_t sup_trial_cfg(const char *const *words, int n)
{
    lrs_trial_cfg_t cfg;
    lrs_err_t err;
    lrs_trial_cfg_init(&cfg);
    for (int i = 0; i < n; i++)
        if (lrs_trial_cfg_assign(&cfg, words[i], &err) < 0)
            fail_msg("%s: %s", words[i], err.msg);
    if (lrs_trial_cfg_finalize(&cfg, &err) < 0)
        fail_msg("finalize: %s", err.msg);
    return cfg;
}

/* What cmd(argv) writes to stdout (at most 64 KiB), as a string to free;
 * *rc its status.  args ends with NULL (at most 15 words). */
static inline char *sup_run_cmd(int (*cmd)(int, char **), const char *const *args, int *rc)
{
    char *argv[16];
    int argc = 0;
    for (; args[argc]; argc++)
        argv[argc] = (char *)args[argc];
    argv[argc] = NULL;
    char path[] = "/tmp/lrs-cmd-out-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    fflush(stdout);
    int saved = dup(1);
    assert_true(saved >= 0 && dup2(fd, 1) == 1);
    *rc = cmd(argc, argv);
    fflush(stdout);
    assert_true(dup2(saved, 1) == 1);
    close(saved);
    FILE *in = fdopen(fd, "r");
    assert_non_null(in);
    rewind(in);
    char *text = calloc(1, 1 << 16);
    assert_non_null(text);
    size_t n = fread(text, 1, (1 << 16) - 1, in);
    text[n] = '\0';
    fclose(in);
    unlink(path);
    return text;
}

/* Removes dir and everything under it; asserts it worked. */
static inline void sup_rm_rf(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

typedef struct sup_db_fixture {
    char dir[64];
    char db[128];
} sup_db_fixture_t;

/* cmocka setup: a fresh folder from template (…XXXXXX) with db = dir/r.db. */
static inline int sup_db_setup(void **state, const char *template)
{
    sup_db_fixture_t *f = calloc(1, sizeof *f);
    if (!f)
        return -1;
    snprintf(f->dir, sizeof f->dir, "%s", template);
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->db, sizeof f->db, "%s/r.db", f->dir);
    *state = f;
    return 0;
}

/* cmocka teardown: rm -rf of the fixture's folder. */
static inline int sup_db_teardown_rm(void **state)
{
    sup_db_fixture_t *f = *state;
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", f->dir);
    int rc = system(cmd);
    free(f);
    return rc == 0 ? 0 : -1;
}

/* cmocka teardown: the database and its -wal, -shm and .lock companions are
 * removed, then the folder, which fails (-1) if anything else is left in it. */
static inline int sup_db_teardown_strict(void **state)
{
    sup_db_fixture_t *f = *state;
    char path[200];
    static const char *const suffixes[] = {"", "-wal", "-shm", ".lock"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", f->db, suffixes[i]);
        unlink(path);
    }
    int rc = rmdir(f->dir);
    free(f);
    return rc;
}

#ifdef LRS_SUPPORT_BROKER
#include <pthread.h>
#include <zmq.h>

#include "common/proto_decode.h"
#include "common/protocol.h"
#include "common/spec.h"
#include "coordinator/broker.h"

/* An in-process coordinator: sup_broker_prepare makes its folder (the
 * database dbname and the endpoint ipc://dir/c.sock), parses the spec and
 * fills opts (progress off); the test adjusts opts, then sup_broker_start
 * creates the broker and runs it in a thread; sup_broker_join waits for
 * lrs_broker_run to return (rc, err); sup_broker_finish destroys the broker
 * and the spec.  The struct must not move between prepare and finish. */
typedef struct sup_broker {
    char dir[64], db[128], endpoint[160];
    lrs_spec_t *spec;
    lrs_broker_opts_t opts;
    lrs_broker_t *broker;
    pthread_t thread;
    int rc;
    lrs_err_t err;
} sup_broker_t;

static inline void sup_broker_prepare(sup_broker_t *b, const char *template, const char *dbname,
                                      const char *spec_name, const char *spec_text)
{
    memset(b, 0, sizeof *b);
    snprintf(b->dir, sizeof b->dir, "%s", template);
    assert_non_null(mkdtemp(b->dir));
    snprintf(b->db, sizeof b->db, "%s/%s", b->dir, dbname);
    snprintf(b->endpoint, sizeof b->endpoint, "ipc://%s/c.sock", b->dir);
    lrs_err_t err;
    int rc = lrs_spec_parse(spec_name, spec_text, strlen(spec_text), NULL, &b->spec, &err);
    if (rc != 0)
        print_error("%s\n", err.msg);
    assert_int_equal(rc, 0);
    lrs_broker_opts_init(&b->opts);
    b->opts.db_path = b->db;
    b->opts.binds[b->opts.n_binds++] = b->endpoint;
    b->opts.progress = 0;
}

static inline void *sup_broker_thread_(void *arg)
{
    sup_broker_t *b = arg;
    b->rc = lrs_broker_run(b->broker, &b->err);
    return NULL;
}

static inline void sup_broker_start(sup_broker_t *b)
{
    lrs_err_t err;
    b->broker = lrs_broker_new(&b->opts, b->spec, &err);
    if (!b->broker)
        print_error("%s\n", err.msg);
    assert_non_null(b->broker);
    assert_int_equal(pthread_create(&b->thread, NULL, sup_broker_thread_, b), 0);
}

static inline void sup_broker_join(sup_broker_t *b)
{
    assert_int_equal(pthread_join(b->thread, NULL), 0);
    if (b->rc != 0)
        print_error("broker: %s\n", b->err.msg);
}

static inline void sup_broker_finish(sup_broker_t *b)
{
    lrs_broker_destroy(&b->broker);
    lrs_spec_destroy(&b->spec);
}

/* A DEALER socket with the given routing id, connected to endpoint, no linger. */
static inline void *sup_raw_socket(void *zctx, const char *endpoint, const char *identity)
{
    void *s = zmq_socket(zctx, ZMQ_DEALER);
    int linger = 0;
    zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(s, ZMQ_ROUTING_ID, identity, strlen(identity));
    assert_int_equal(zmq_connect(s, endpoint), 0);
    return s;
}

static inline void sup_send(void *s, const void *data, size_t len)
{
    assert_true(zmq_send(s, data, len, 0) >= 0);
}

/* Reads one frame (up to timeout_ms) and decodes it into out: its type, or
 * -1 when nothing arrived; *decode_rc (when not NULL) gets the decoder's
 * status, -1 for a frame that does not decode. */
static inline int sup_read_type(void *s, int timeout_ms, lrs_msg_t *out, int *decode_rc)
{
    if (decode_rc)
        *decode_rc = 0;
    zmq_pollitem_t item = {.socket = s, .events = ZMQ_POLLIN};
    if (zmq_poll(&item, 1, timeout_ms) <= 0)
        return -1;
    zmq_msg_t msg;
    zmq_msg_init(&msg);
    zmq_msg_recv(&msg, s, 0);
    lrs_err_t err;
    int rc = lrs_proto_decode(zmq_msg_data(&msg), zmq_msg_size(&msg), out, &err);
    zmq_msg_close(&msg);
    if (decode_rc)
        *decode_rc = rc;
    return rc == 0 ? out->type : -1;
}

/* Waits for a message of type (30 reads of up to wait_ms each), freeing the
 * others (heartbeats and the like): 0 with it in out, or -1. */
static inline int sup_expect_type(void *s, int type, int wait_ms, lrs_msg_t *out)
{
    for (int i = 0; i < 30; i++) {
        int t = sup_read_type(s, wait_ms, out, NULL);
        if (t == type)
            return 0;
        if (t >= 0)
            lrs_msg_free(out);
    }
    return -1;
}
#endif /* LRS_SUPPORT_BROKER */

#endif /* LRS_TESTS_UNIT_SUPPORT_H */
