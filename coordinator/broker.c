/* broker.c — see broker.h.  The Paranoid Pirate pattern (ZeroMQ Guide)
 * plus durable state: a ROUTER, a monotonic clock, and timers checked after
 * every wake of zmq_poll.
 *
 * Trial table: state[i] (PENDING, LEASED, DONE), attempts[i] (dispatches so
 * far), owner[i] (worker slot holding the lease, or -1).  Fresh trials come
 * from a cursor over the index range; re-tried ones from a FIFO that is
 * served first.  Memory is O(trials) bytes plus O(workers · leases). */
#include "coordinator/broker.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <zmq.h>

#include "common/clock.h"
#include "common/command.h"
#include "common/dataset.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/rng.h"
#include "common/timer.h"
#include "common/validate.h"
#include "coordinator/store.h"

enum { T_PENDING = 0, T_LEASED = 1, T_DONE = 2 };

#define REJECT_LOG_SLOTS 256   /* peers remembered for "logged once per peer" */

typedef struct worker {
    uint8_t id[256];
    size_t id_len;
    char name[128], host[128];
    int jobs;
    int credit;                /* trials it still asked for */
    int64_t last_seen_ms;
    uint64_t *leases;
    int n_leases, cap_leases;
    uint64_t *acks;            /* results to ACK after the next commit */
    int n_acks, cap_acks;
    int64_t done;              /* results recorded from it */
    int64_t done_saved;        /* of which already added to its workers row */
    int dirty;                 /* workers row needs writing */
    int live;
} worker_t;

struct lrs_broker {
    lrs_broker_opts_t opts;
    const lrs_spec_t *spec;
    const lrs_spec_info_t *info;
    lrs_store_t *store;
    lrs_sweep_row_t sweep;
    char space_hash[32];
    /* trial table */
    uint64_t total, done, failed, diverged, recorded_before;
    uint8_t *state, *attempts;
    int32_t *owner;
    uint64_t next_fresh;
    uint64_t *retry;           /* FIFO ring of re-queued trials */
    uint64_t retry_head, retry_len, retry_cap;
    uint64_t running;
    /* workers */
    worker_t *workers;
    int n_workers, cap_workers, live_workers;
    int64_t workers_seen;
    /* network */
    void *zctx, *router;
    zmq_msg_t data_msg;        /* the data set frame, shared by every DATA send */
    int have_data;
    char data_hash[17];
    uint64_t data_size;
    lrs_wbuf_t out;
    /* timers (monotonic ms) */
    int64_t started_ms;
    int unflushed;
    /* statistics */
    uint64_t rejected, session_done;
    uint64_t reject_seen[REJECT_LOG_SLOTS];
    int reject_logged, reject_overflow_logged;
    double best;
    char best_desc[160];
    int progress_drawn;
};

static void blog(lrs_broker_t *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void blog(lrs_broker_t *b, const char *fmt, ...)
{
    if (b->progress_drawn) {   /* keep the live line from swallowing the message */
        fputs("\r\033[K", b->opts.log);
        b->progress_drawn = 0;
    }
    va_list ap;
    va_start(ap, fmt);
    fputs("lrsweep: ", b->opts.log);
    vfprintf(b->opts.log, fmt, ap);
    fputc('\n', b->opts.log);
    va_end(ap);
    fflush(b->opts.log);
}

void lrs_broker_opts_init(lrs_broker_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->max_attempts = 3;
    o->heartbeat_ms = LRS_HEARTBEAT_MS;
    o->liveness = LRS_HEARTBEAT_LIVENESS;
    o->flush_ms = 50;
    o->flush_batch = 4096;
    o->max_workers = 10000;
    o->drain_s = 30;
    o->progress = 1;
}

/* ---- trial table ------------------------------------------------------- */

static int grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int cap2 = *cap ? *cap * 2 : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, (size_t)cap2 * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

static int retry_push(lrs_broker_t *b, uint64_t trial)
{
    if (b->retry_len == b->retry_cap) {
        uint64_t cap2 = b->retry_cap ? b->retry_cap * 2 : 64;
        uint64_t *q = malloc(cap2 * sizeof *q);
        if (!q)
            return -1;
        for (uint64_t i = 0; i < b->retry_len; i++)
            q[i] = b->retry[(b->retry_head + i) % b->retry_cap];
        free(b->retry);
        b->retry = q;
        b->retry_cap = cap2;
        b->retry_head = 0;
    }
    b->retry[(b->retry_head + b->retry_len) % b->retry_cap] = trial;
    b->retry_len++;
    return 0;
}

/* Next trial to hand out, or 0 with none left. */
static int next_trial(lrs_broker_t *b, uint64_t *trial)
{
    while (b->retry_len > 0) {
        uint64_t t = b->retry[b->retry_head];
        b->retry_head = (b->retry_head + 1) % b->retry_cap;
        b->retry_len--;
        if (b->state[t] == T_PENDING) {
            *trial = t;
            return 1;
        }
    }
    while (b->next_fresh < b->total) {
        uint64_t t = b->next_fresh++;
        if (b->state[t] == T_PENDING) {
            *trial = t;
            return 1;
        }
    }
    return 0;
}

static void mark_done_cb(void *ctx, int64_t trial)
{
    lrs_broker_t *b = ctx;
    if (trial >= 0 && (uint64_t)trial < b->total && b->state[trial] != T_DONE) {
        b->state[trial] = T_DONE;
        b->done++;
    }
}

static void lease_cb(void *ctx, int64_t trial, int attempt)
{
    lrs_broker_t *b = ctx;
    if (trial < 0 || (uint64_t)trial >= b->total || b->state[trial] != T_PENDING)
        return;
    /* Running when the last coordinator stopped: not the trial's fault, so
     * it keeps its attempt number.  Served before fresh trials. */
    b->attempts[trial] = (uint8_t)(attempt > 1 ? (attempt - 1 > 250 ? 250 : attempt - 1) : 0);
    retry_push(b, (uint64_t)trial);
}

/* ---- sweep creation / resume ------------------------------------------- */

static uint64_t random_token(void)
{
    uint64_t t = 0;
    FILE *f = fopen("/dev/urandom", "rb");
    if (f) {
        if (fread(&t, sizeof t, 1, f) != 1)
            t = 0;
        fclose(f);
    }
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    t ^= lrs_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32));
    return t & 0x7fffffffffffffffULL;   /* SQLite INTEGER holds it as is */
}

static int open_sweep(lrs_broker_t *b, lrs_err_t *err)
{
    const lrs_spec_info_t *info = b->info;
    uint64_t want = lrs_spec_trial_count(b->spec);
    snprintf(b->space_hash, sizeof b->space_hash, "%016" PRIx64, lrs_spec_space_hash(b->spec));
    int found = lrs_store_sweep_get(b->store, info->name, &b->sweep, err);
    if (found < 0)
        return -1;
    if (!found) {
        memset(&b->sweep, 0, sizeof b->sweep);
        snprintf(b->sweep.name, sizeof b->sweep.name, "%s", info->name);
        b->sweep.token = random_token();
        snprintf(b->sweep.space_hash, sizeof b->sweep.space_hash, "%s", b->space_hash);
        b->sweep.seed = info->seed;
        b->sweep.trials = (int64_t)want;
        snprintf(b->sweep.metric, sizeof b->sweep.metric, "%s", info->metric);
        b->sweep.maximize = info->goal == LRS_GOAL_MAXIMIZE;
        return lrs_store_sweep_create(b->store, &b->sweep, lrs_spec_text(b->spec), err);
    }
    if (strcmp(b->sweep.space_hash, b->space_hash) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: sweep '%s' exists with a different search space or settings "
                           "(hash %s, the spec now gives %s); resuming it would mix results — "
                           "give the spec a new name",
                           b->opts.db_path, info->name, b->sweep.space_hash, b->space_hash);
    if ((int64_t)want > b->sweep.trials) {
        blog(b, "extending sweep '%s' from %" PRId64 " to %" PRIu64 " trials", info->name,
             b->sweep.trials, want);
        if (lrs_store_sweep_set_trials(b->store, b->sweep.id, (int64_t)want, err) != 0)
            return -1;
        b->sweep.trials = (int64_t)want;
    }
    return 0;
}

/* The progress line's best trial: score and what it was. */
static void set_best(lrs_broker_t *b, double score, double lr, const char *sched)
{
    char lr_text[32];
    lrs_fmt_display(lr, LRS_FMT_SHORT_DIGITS, lr_text, sizeof lr_text);
    b->best = score;
    snprintf(b->best_desc, sizeof b->best_desc, "lr %s, %s", lr_text, sched);
}

static int load_best(lrs_broker_t *b, lrs_err_t *err)
{
    double score, lr;
    char sched[64];
    int found = lrs_store_best(b->store, b->sweep.id, b->sweep.maximize, &score, &lr, sched,
                               sizeof sched, err);
    if (found > 0)
        set_best(b, score, lr, sched);
    return found < 0 ? -1 : 0;
}

static int load_data(lrs_broker_t *b, lrs_err_t *err)
{
    const lrs_spec_info_t *info = b->info;
    if (info->model_kind == LRS_MODEL_SYNTHETIC || !info->data_path)
        return 0;
    FILE *f = fopen(info->data_path, "rb");
    if (!f)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read data: %s", info->data_path,
                           strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > LRS_PROTO_MAX_DATA) {
                lrs_err_set(err, LRS_EXIT_USAGE, "%s: data file larger than %d bytes",
                            info->data_path, LRS_PROTO_MAX_DATA);
                goto done;
            }
            char *q = realloc(buf, cap);
            if (!q) {
                lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory reading %s", info->data_path);
                goto done;
            }
            buf = q;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: read error", info->data_path);
        goto done;
    }
    /* Check once here, as workers will, so a bad file fails now, with its
     * line and column. */
    lrs_dataset_t ds;
    if (lrs_validate_load_data(info, info->data_path, buf, len, &ds, err) != 0)
        goto done;
    lrs_dataset_free(&ds);
    lrs_proto_content_hash(buf, len, b->data_hash);
    b->data_size = len;
    lrs_proto_data(&b->out, b->data_hash, buf, len);
    if (zmq_msg_init_size(&b->data_msg, b->out.sb.size) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the data frame");
        goto done;
    }
    memcpy(zmq_msg_data(&b->data_msg), b->out.sb.data, b->out.sb.size);
    b->have_data = 1;
    rc = 0;
done:
    free(buf);
    fclose(f);
    return rc;
}

static int bind_all(lrs_broker_t *b, lrs_err_t *err)
{
    b->zctx = zmq_ctx_new();
    if (!b->zctx)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot create context");
    b->router = zmq_socket(b->zctx, ZMQ_ROUTER);
    if (!b->router)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: %s", zmq_strerror(errno));
    int one = 1, linger = 2000, hwm = 100000;
    int64_t maxmsg = LRS_PROTO_MAX_MSG;
    zmq_setsockopt(b->router, ZMQ_ROUTER_MANDATORY, &one, sizeof one);
    zmq_setsockopt(b->router, ZMQ_ROUTER_HANDOVER, &one, sizeof one);
    zmq_setsockopt(b->router, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(b->router, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(b->router, ZMQ_SNDHWM, &hwm, sizeof hwm);
    zmq_setsockopt(b->router, ZMQ_RCVHWM, &hwm, sizeof hwm);
    for (int i = 0; i < b->opts.n_binds; i++)
        if (zmq_bind(b->router, b->opts.binds[i]) != 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot bind %s: %s", b->opts.binds[i],
                               zmq_strerror(errno));
    return 0;
}

lrs_broker_t *lrs_broker_new(const lrs_broker_opts_t *opts, const lrs_spec_t *spec, lrs_err_t *err)
{
    lrs_broker_t *b = calloc(1, sizeof *b);
    if (!b) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    b->opts = *opts;
    if (!b->opts.log)
        b->opts.log = stderr;
    b->spec = spec;
    b->info = lrs_spec_info(spec);
    b->best = NAN;
    lrs_wbuf_init(&b->out);
    /* The data is checked before the database is opened: a sweep whose data
     * cannot train creates nothing. */
    if (load_data(b, err) != 0)
        goto fail;
    b->store = lrs_store_open(opts->db_path, LRS_STORE_WRITE, err);
    if (!b->store || open_sweep(b, err) != 0)
        goto fail;
    b->total = (uint64_t)b->sweep.trials;
    b->state = calloc(b->total ? b->total : 1, 1);
    b->attempts = calloc(b->total ? b->total : 1, 1);
    b->owner = malloc((b->total ? b->total : 1) * sizeof *b->owner);
    if (!b->state || !b->attempts || !b->owner) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for %" PRIu64 " trials", b->total);
        goto fail;
    }
    for (uint64_t i = 0; i < b->total; i++)
        b->owner[i] = -1;
    if (lrs_store_each_done(b->store, b->sweep.id, mark_done_cb, b, err) != 0 ||
        lrs_store_each_lease(b->store, b->sweep.id, lease_cb, b, err) != 0 || load_best(b, err) != 0)
        goto fail;
    b->recorded_before = b->done;
    if (bind_all(b, err) != 0)
        goto fail;
    return b;
fail:
    lrs_broker_destroy(&b);
    return NULL;
}

void lrs_broker_set_tick(lrs_broker_t *b, int (*tick)(void *ctx, lrs_err_t *err), void *ctx)
{
    b->opts.tick = tick;
    b->opts.tick_ctx = ctx;
}

uint64_t lrs_broker_remaining(const lrs_broker_t *b) { return b->total - b->done; }

const char *lrs_broker_sweep_name(const lrs_broker_t *b) { return b->sweep.name; }

void lrs_broker_get_stats(const lrs_broker_t *b, lrs_broker_stats_t *out)
{
    out->rejected = b->rejected;
    out->recorded = b->session_done;
    out->live_workers = b->live_workers;
    out->worker_slots = b->n_workers;
}

void lrs_broker_destroy(lrs_broker_t **bp)
{
    if (!bp || !*bp)
        return;
    lrs_broker_t *b = *bp;
    for (int i = 0; i < b->n_workers; i++) {
        free(b->workers[i].leases);
        free(b->workers[i].acks);
    }
    free(b->workers);
    if (b->router)
        zmq_close(b->router);
    if (b->have_data)
        zmq_msg_close(&b->data_msg);
    if (b->zctx)
        zmq_ctx_term(b->zctx);
    lrs_store_destroy(&b->store);
    lrs_wbuf_free(&b->out);
    free(b->state);
    free(b->attempts);
    free(b->owner);
    free(b->retry);
    free(b);
    *bp = NULL;
}

/* ---- sending ----------------------------------------------------------- */

/* Sends the frame in b->out to a peer; a vanished peer (ROUTER_MANDATORY
 * reports it) or a full queue drops the message: the peer recovers by its
 * own timers. */
static int send_raw(lrs_broker_t *b, const uint8_t *id, size_t id_len, const void *data, size_t len)
{
    if (zmq_send(b->router, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0)
        return -1;
    if (zmq_send(b->router, data, len, ZMQ_DONTWAIT) < 0)
        return -1;
    return 0;
}

static int send_out(lrs_broker_t *b, const uint8_t *id, size_t id_len)
{
    return send_raw(b, id, id_len, b->out.sb.data, b->out.sb.size);
}

static void send_welcome(lrs_broker_t *b, worker_t *w)
{
    lrs_proto_welcome(&b->out, b->sweep.token, b->sweep.name, lrs_spec_text(b->spec),
                      lrs_spec_space_hash(b->spec), b->have_data ? b->data_hash : "",
                      b->data_size, b->opts.heartbeat_ms);
    send_out(b, w->id, w->id_len);
}

/* ---- rejects ----------------------------------------------------------- */

static uint64_t id_hash(const uint8_t *id, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < len; i++)
        h = lrs_mix64(h ^ id[i]);
    return h | 1;
}

static void id_text(const uint8_t *id, size_t len, char *out, size_t size)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 4 < size; i++)
        o += (size_t)snprintf(out + o, size - o, id[i] >= 32 && id[i] < 127 ? "%c" : "\\x%02x",
                              id[i]);
    out[o] = '\0';
}

/* Counts a rejected message; logs it the first time for each peer. */
static void reject(lrs_broker_t *b, const uint8_t *id, size_t id_len, const char *why, int reply)
{
    b->rejected++;
    uint64_t h = id_hash(id, id_len);
    int seen = 0;
    for (int i = 0; i < b->reject_logged; i++)
        if (b->reject_seen[i] == h)
            seen = 1;
    if (!seen) {
        char who[96];
        id_text(id, id_len, who, sizeof who);
        if (b->reject_logged < REJECT_LOG_SLOTS) {
            b->reject_seen[b->reject_logged++] = h;
            blog(b, "rejected a message from peer '%s': %s (further ones from it are counted, "
                    "not logged)", who, why);
        } else if (!b->reject_overflow_logged) {
            b->reject_overflow_logged = 1;
            blog(b, "rejected a message from peer '%s': %s (too many bad peers: rejects are now "
                    "only counted)", who, why);
        }
    }
    if (reply) {
        lrs_proto_reject(&b->out, why);
        send_out(b, id, id_len);
    }
}

/* ---- workers ----------------------------------------------------------- */

static worker_t *find_worker(lrs_broker_t *b, const uint8_t *id, size_t id_len)
{
    for (int i = 0; i < b->n_workers; i++) {
        worker_t *w = &b->workers[i];
        if (w->live && w->id_len == id_len && memcmp(w->id, id, id_len) == 0)
            return w;
    }
    return NULL;
}

static int record_failed(lrs_broker_t *b, uint64_t trial, const char *worker, const char *error,
                         lrs_err_t *err);

/* Puts a trial whose attempt ended without a result back in the queue, or
 * fails it after max_attempts. */
static int requeue(lrs_broker_t *b, uint64_t trial, const char *worker, const char *why,
                   lrs_err_t *err)
{
    if (b->state[trial] != T_LEASED)
        return 0;
    b->state[trial] = T_PENDING;
    b->owner[trial] = -1;
    b->running--;
    if (b->attempts[trial] >= b->opts.max_attempts)
        return record_failed(b, trial, worker, why, err);
    if (lrs_store_del_lease(b->store, b->sweep.id, (int64_t)trial, err) != 0)
        return -1;
    if (retry_push(b, trial) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    return 0;
}

static void drop_lease(worker_t *w, uint64_t trial)
{
    for (int i = 0; i < w->n_leases; i++)
        if (w->leases[i] == trial) {
            w->leases[i] = w->leases[--w->n_leases];
            return;
        }
}

static int retire_worker(lrs_broker_t *b, worker_t *w, const char *why, lrs_err_t *err)
{
    char reason[256];
    for (int i = 0; i < w->n_leases; i++) {
        uint64_t t = w->leases[i];
        snprintf(reason, sizeof reason, "worker %s %s (attempt %d of %d)", w->name, why,
                 b->attempts[t], b->opts.max_attempts);
        if (requeue(b, t, w->name, reason, err) != 0)
            return -1;
    }
    w->n_leases = 0;
    w->live = 0;
    w->credit = 0;
    w->n_acks = 0;
    b->live_workers--;
    return 0;
}

static int on_hello(lrs_broker_t *b, const uint8_t *id, size_t id_len, lrs_msg_t *m,
                    int64_t now, lrs_err_t *err)
{
    worker_t *w = find_worker(b, id, id_len);
    if (w) {   /* the same peer again: a restarted session; its old leases go back */
        if (retire_worker(b, w, "reconnected", err) != 0)
            return -1;
    } else if (b->live_workers >= b->opts.max_workers || id_len > sizeof w->id) {
        reject(b, id, id_len, "too many workers", 1);
        return 0;
    }
    if (!w) {
        for (int i = 0; i < b->n_workers; i++)
            if (!b->workers[i].live) {
                w = &b->workers[i];
                break;
            }
        if (!w) {
            if (grow((void **)&b->workers, &b->cap_workers, b->n_workers + 1, sizeof *w) != 0)
                return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            w = &b->workers[b->n_workers++];
            memset(w, 0, sizeof *w);
        }
    }
    uint64_t *leases = w->leases, *acks = w->acks;
    int cap_leases = w->cap_leases, cap_acks = w->cap_acks;
    memset(w, 0, sizeof *w);
    w->leases = leases, w->cap_leases = cap_leases, w->acks = acks, w->cap_acks = cap_acks;
    memcpy(w->id, id, id_len);
    w->id_len = id_len;
    snprintf(w->name, sizeof w->name, "%s", m->worker_name);
    snprintf(w->host, sizeof w->host, "%s", m->host);
    w->jobs = m->jobs;
    w->last_seen_ms = now;
    w->live = 1;
    w->dirty = 1;
    b->live_workers++;
    b->workers_seen++;
    if (b->opts.progress == 1)
        blog(b, "worker %s joined (%d jobs)", w->name, w->jobs);
    send_welcome(b, w);
    return 0;
}

/* ---- results ----------------------------------------------------------- */

static int params_of(lrs_broker_t *b, uint64_t trial, lrs_trial_cfg_t *cfg, char *json, size_t size,
                     lrs_err_t *err)
{
    if (lrs_spec_sample(b->spec, trial, cfg, NULL, err) != 0)
        return -1;
    if (lrs_trial_cfg_json(cfg, json, size) < 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "trial %" PRIu64 ": parameters too long",
                           trial);
    return 0;
}

static int record_failed(lrs_broker_t *b, uint64_t trial, const char *worker, const char *error,
                         lrs_err_t *err)
{
    lrs_trial_cfg_t cfg;
    char json[4096];
    if (params_of(b, trial, &cfg, json, sizeof json, err) != 0)
        return -1;
    lrs_store_trial_t t = {
        .sweep_id = b->sweep.id, .trial = (int64_t)trial, .status = lrs_status_name(LRS_STATUS_FAILED), .score = NAN,
        .score_std = NAN, .params_json = json, .lr = cfg.optim.lr,
        .optimizer = lrs_optimizer_name(cfg.optim.kind),
        .scheduler = lrs_scheduler_name(cfg.sched.kind), .attempts = b->attempts[trial],
        .worker = worker, .seconds = NAN, .error = error,
    };
    if (lrs_store_put_trial(b->store, &t, err) < 0)
        return -1;
    b->state[trial] = T_DONE;
    b->done++;
    b->failed++;
    b->session_done++;
    b->unflushed++;
    blog(b, "trial %" PRIu64 " failed: %s", trial, error);
    return 0;
}

static void note_best(lrs_broker_t *b, double score, const lrs_trial_cfg_t *cfg)
{
    if (!isfinite(score))
        return;
    if (isnan(b->best) || (b->sweep.maximize ? score > b->best : score < b->best))
        set_best(b, score, cfg->optim.lr, lrs_scheduler_name(cfg->sched.kind));
}

/* An ACK waits for the next commit (even for a duplicate: the first copy
 * may not be committed yet), and arms the flush timer. */
static int queue_ack(lrs_broker_t *b, worker_t *w, uint64_t trial)
{
    if (grow((void **)&w->acks, &w->cap_acks, w->n_acks + 1, sizeof *w->acks) != 0)
        return -1;
    w->acks[w->n_acks++] = trial;
    b->unflushed++;
    return 0;
}

/* ---- results of a user's command -------------------------------------- */

/* What a command's result adds to its trial row: text columns (escaped to
 * UTF-8) and, from the curve, trial_epochs rows of the names the built-in
 * engine uses (lr, train_loss, val_loss; means over folds). */
typedef struct exec_rec {
    char *stderr_tail, *log_tail, *metrics;
    lrs_epoch_stat_t *epochs;
    int n_epochs;
} exec_rec_t;

static void exec_rec_free(exec_rec_t *x)
{
    free(x->stderr_tail);
    free(x->log_tail);
    free(x->metrics);
    free(x->epochs);
    memset(x, 0, sizeof *x);
}

typedef struct epoch_val {
    int epoch, which;   /* which: 0 lr, 1 train_loss, 2 val_loss */
    double value;
} epoch_val_t;

static int epoch_val_cmp(const void *pa, const void *pb)
{
    const epoch_val_t *x = pa, *y = pb;
    return (x->epoch > y->epoch) - (x->epoch < y->epoch);
}

/* Per epoch, the fold means of lr / train_loss / val_loss (NaN when absent). */
static int exec_epochs(const lrs_wire_curve_t *c, exec_rec_t *x)
{
    static const char *const wanted[3] = {"lr", "train_loss", "val_loss"};
    int which_of[LRS_PROTO_MAX_NAMES];
    for (int i = 0; i < c->n_names && i < LRS_PROTO_MAX_NAMES; i++) {
        which_of[i] = -1;
        for (int k = 0; k < 3; k++)
            if (strcmp(c->names[i], wanted[k]) == 0)
                which_of[i] = k;
    }
    size_t n = 0;
    epoch_val_t *v = malloc((c->n_points ? c->n_points : 1) * sizeof *v);
    if (!v)
        return -1;
    for (size_t i = 0; i < c->n_points; i++) {
        const lrs_wire_point_t *p = &c->points[i];
        if (p->name >= 0 && p->name < c->n_names && which_of[p->name] >= 0)
            v[n++] = (epoch_val_t){p->epoch, which_of[p->name], p->value};
    }
    qsort(v, n, sizeof *v, epoch_val_cmp);   /* groups by epoch */
    x->epochs = calloc(n ? n : 1, sizeof *x->epochs);
    if (!x->epochs) {
        free(v);
        return -1;
    }
    for (size_t i = 0; i < n;) {
        double sum[3] = {0, 0, 0};
        int cnt[3] = {0, 0, 0};
        size_t j = i;
        for (; j < n && v[j].epoch == v[i].epoch; j++) {
            sum[v[j].which] += v[j].value;
            cnt[v[j].which]++;
        }
        x->epochs[x->n_epochs++] = (lrs_epoch_stat_t){
            .epoch = v[i].epoch, .lr = cnt[0] ? sum[0] / cnt[0] : NAN,
            .train_loss = cnt[1] ? sum[1] / cnt[1] : NAN, .val_loss = cnt[2] ? sum[2] / cnt[2] : NAN};
        i = j;
    }
    free(v);
    return 0;
}

static int exec_rec_build(const lrs_wire_exec_t *e, exec_rec_t *x)
{
    memset(x, 0, sizeof *x);
    x->stderr_tail = lrs_exec_escape_text(e->stderr_tail ? e->stderr_tail : "", e->stderr_len);
    x->log_tail = lrs_exec_escape_text(e->log_tail ? e->log_tail : "", e->log_len);
    json_t *o = json_object();
    for (int i = 0; o && i < e->curve.n_names; i++)
        json_object_set_new(o, e->curve.names[i], lrs_json_number(e->finals[i]));
    x->metrics = o ? lrs_json_text(o) : NULL;
    json_decref(o);
    if (!x->stderr_tail || !x->log_tail || !x->metrics || exec_epochs(&e->curve, x) != 0) {
        exec_rec_free(x);
        return -1;
    }
    return 0;
}

static void exec_rec_fill(const lrs_wire_exec_t *e, const exec_rec_t *x, lrs_store_trial_t *rec)
{
    rec->has_exec = 1;
    rec->exit_status = e->exit_status;
    rec->term_signal = e->term_signal;
    rec->stderr_tail = x->stderr_tail;
    rec->log_tail = x->log_tail;
    rec->metrics_json = x->metrics;
    rec->curve = &e->curve;
    if (rec->n_epochs == 0) {
        rec->n_epochs = x->n_epochs;
        rec->epochs = x->epochs;
    }
}

/* A running command's curve so far: stored until its result replaces it.
 * Only from the worker holding the lease, for the attempt it holds. */
static int on_progress(lrs_broker_t *b, worker_t *w, const lrs_msg_t *m, lrs_err_t *err)
{
    uint64_t t = m->trial;
    if (t >= b->total || b->state[t] != T_LEASED || b->owner[t] != (int32_t)(w - b->workers) ||
        m->attempt != b->attempts[t])
        return 0;
    return lrs_store_put_points(b->store, b->sweep.id, (int64_t)t, &m->curve, err);
}

static int on_result(lrs_broker_t *b, worker_t *w, lrs_wire_result_t *r, lrs_err_t *err)
{
    uint64_t t = r->trial;
    if (t >= b->total) {
        reject(b, w->id, w->id_len, "result for a trial outside the sweep", 0);
        return queue_ack(b, w, t);   /* acknowledged so the worker forgets it */
    }
    if (b->state[t] == T_DONE)   /* late duplicate: recorded once, never twice */
        return queue_ack(b, w, t);
    if (r->status == LRS_STATUS_FAILED && !r->exec) {   /* an attempt that may be retried */
        if (b->state[t] == T_LEASED && b->owner[t] == (int32_t)(w - b->workers) &&
            r->attempt == b->attempts[t]) {
            drop_lease(w, t);
            char why[512];
            snprintf(why, sizeof why, "%s", r->error ? r->error : "failed");
            if (requeue(b, t, w->name, why, err) != 0)
                return -1;
        }
        return queue_ack(b, w, t);
    }
    lrs_trial_cfg_t cfg;
    char json[4096];
    if (params_of(b, t, &cfg, json, sizeof json, err) != 0)
        return -1;
    lrs_store_trial_t rec = {
        .sweep_id = b->sweep.id, .trial = (int64_t)t,
        .status = lrs_status_name((lrs_status_t)r->status),
        .score = r->score, .score_std = r->score_std, .params_json = json, .lr = cfg.optim.lr,
        .optimizer = lrs_optimizer_name(cfg.optim.kind),
        .scheduler = lrs_scheduler_name(cfg.sched.kind),
        .attempts = b->attempts[t] ? b->attempts[t] : (int)r->attempt, .worker = w->name,
        .seconds = r->seconds, .diverged_epoch = r->diverged_epoch, .error = r->error,
        .n_folds = r->n_folds, .folds = r->folds, .n_epochs = r->n_epochs, .epochs = r->epochs,
    };
    exec_rec_t xr;
    memset(&xr, 0, sizeof xr);
    if (r->exec) {
        if (exec_rec_build(r->exec, &xr) != 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        exec_rec_fill(r->exec, &xr, &rec);
    }
    int put = lrs_store_put_trial(b->store, &rec, err);
    exec_rec_free(&xr);
    if (put < 0)
        return -1;
    if (b->state[t] == T_LEASED) {
        int32_t o = b->owner[t];
        if (o >= 0 && o < b->n_workers)
            drop_lease(&b->workers[o], t);
        b->running--;
    }
    b->state[t] = T_DONE;
    b->owner[t] = -1;
    b->done++;
    b->session_done++;
    b->unflushed++;
    w->done++;
    w->dirty = 1;
    if (r->status == LRS_STATUS_DIVERGED) {
        b->diverged++;
    } else if (r->status == LRS_STATUS_FAILED) {   /* the command ran and failed: final */
        b->failed++;
        blog(b, "trial %" PRIu64 " failed: %s", t, r->error ? r->error : "failed");
    } else {
        note_best(b, r->score, &cfg);
    }
    return queue_ack(b, w, t);
}

/* ---- dispatch ---------------------------------------------------------- */

static int dispatch(lrs_broker_t *b, worker_t *w, lrs_err_t *err)
{
    while (w->credit > 0) {
        int n = 0, max = w->credit < LRS_PROTO_MAX_BATCH ? w->credit : LRS_PROTO_MAX_BATCH;
        uint64_t batch[256];
        if (max > 256)
            max = 256;
        uint64_t t;
        while (n < max && next_trial(b, &t))
            batch[n++] = t;
        if (n == 0)
            return 0;
        if (grow((void **)&w->leases, &w->cap_leases, w->n_leases + n, sizeof *w->leases) != 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        lrs_proto_trials_begin(&b->out, b->sweep.token, n);
        for (int i = 0; i < n; i++) {
            lrs_trial_cfg_t cfg;
            lrs_wire_trial_t wt = {.trial = batch[i]};
            if (lrs_spec_sample(b->spec, batch[i], &cfg, &wt.seed, err) != 0)
                return -1;
            wt.attempt = ++b->attempts[batch[i]];
            lrs_proto_trials_add(&b->out, &wt);
            b->state[batch[i]] = T_LEASED;
            b->owner[batch[i]] = (int32_t)(w - b->workers);
            w->leases[w->n_leases++] = batch[i];
            b->running++;
            if (lrs_store_put_lease(b->store, b->sweep.id, (int64_t)batch[i], (int)wt.attempt,
                                    w->name, err) != 0)
                return -1;
        }
        w->credit -= n;
        if (send_out(b, w->id, w->id_len) != 0) {
            /* Not delivered (peer gone or its queue full): a live worker would
             * never run them and its leases would never expire, so undo. */
            for (int i = 0; i < n; i++) {
                uint64_t u = batch[i];
                b->state[u] = T_PENDING;
                b->owner[u] = -1;
                b->attempts[u]--;
                b->running--;
                drop_lease(w, u);
                if (lrs_store_del_lease(b->store, b->sweep.id, (int64_t)u, err) != 0)
                    return -1;
                if (retry_push(b, u) != 0)
                    return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            }
            w->credit += n;
            return 0;
        }
    }
    return 0;
}

/* ---- one inbound message ----------------------------------------------- */

static int handle(lrs_broker_t *b, const uint8_t *id, size_t id_len, const void *body, size_t len,
                  int64_t now, lrs_err_t *err)
{
    lrs_msg_t m;
    lrs_err_t why;
    if (lrs_proto_decode(body, len, &m, &why) != 0) {
        reject(b, id, id_len, why.msg, 0);
        return 0;
    }
    int rc = 0;
    worker_t *w = find_worker(b, id, id_len);
    if (m.type == LRS_MSG_HELLO) {
        rc = on_hello(b, id, id_len, &m, now, err);
        goto done;
    }
    if (!w) {
        reject(b, id, id_len, "unknown worker: say HELLO first", 1);
        goto done;
    }
    w->last_seen_ms = now;
    switch (m.type) {
    case LRS_MSG_HEARTBEAT:
        break;
    case LRS_MSG_READY:
        if (m.sweep != b->sweep.token) {
            reject(b, id, id_len, "READY for another sweep", 1);
            break;
        }
        /* credit adds up: the worker counts what it asked for and has not
         * received, so each READY asks for that many more */
        w->credit = w->credit + m.credit > LRS_PROTO_MAX_CREDIT ? LRS_PROTO_MAX_CREDIT
                                                                : w->credit + m.credit;
        break;
    case LRS_MSG_RESULTS:
        if (m.sweep != b->sweep.token) {
            reject(b, id, id_len, "results of another sweep", 0);
            for (int i = 0; i < m.n_results && rc == 0; i++)
                rc = queue_ack(b, w, m.results[i].trial);   /* forget them */
            break;
        }
        for (int i = 0; i < m.n_results && rc == 0; i++)
            rc = on_result(b, w, &m.results[i], err);
        if (rc != 0 && !err->code)
            rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        break;
    case LRS_MSG_PROGRESS:
        if (m.sweep == b->sweep.token)
            rc = on_progress(b, w, &m, err);
        break;
    case LRS_MSG_DATA_REQ:
        if (b->have_data && strcmp(m.data_hash, b->data_hash) == 0) {
            zmq_msg_t copy;
            zmq_msg_init(&copy);
            zmq_msg_copy(&copy, &b->data_msg);   /* shares the buffer */
            if (zmq_send(b->router, id, id_len, ZMQ_SNDMORE | ZMQ_DONTWAIT) < 0 ||
                zmq_msg_send(&copy, b->router, ZMQ_DONTWAIT) < 0)
                zmq_msg_close(&copy);
        } else {
            reject(b, id, id_len, "no data set with that hash", 1);
        }
        break;
    default:
        reject(b, id, id_len, "message type not accepted by the coordinator", 0);
        break;
    }
done:
    lrs_msg_free(&m);
    return rc;
}

/* Reads every waiting message without blocking.  Frames are [identity, body];
 * anything else is drained and counted. */
static int drain(lrs_broker_t *b, lrs_err_t *err)
{
    int64_t now = lrs_mono_ms();
    for (int budget = 0; budget < 10000; budget++) {
        zmq_msg_t idm, body;
        zmq_msg_init(&idm);
        if (zmq_msg_recv(&idm, b->router, ZMQ_DONTWAIT) < 0) {
            zmq_msg_close(&idm);
            return 0;
        }
        int more = zmq_msg_more(&idm), extra = 0, rc = 0;
        zmq_msg_init(&body);
        if (more && zmq_msg_recv(&body, b->router, 0) >= 0) {
            while (zmq_msg_more(&body)) {   /* multi-part: not ours */
                zmq_msg_t junk;
                zmq_msg_init(&junk);
                zmq_msg_recv(&junk, b->router, 0);
                extra = 1;
                int more2 = zmq_msg_more(&junk);
                zmq_msg_close(&junk);
                if (!more2)
                    break;
            }
            if (extra)
                reject(b, zmq_msg_data(&idm), zmq_msg_size(&idm), "multi-part message", 0);
            else
                rc = handle(b, zmq_msg_data(&idm), zmq_msg_size(&idm), zmq_msg_data(&body),
                            zmq_msg_size(&body), now, err);
        }
        zmq_msg_close(&body);
        zmq_msg_close(&idm);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* ---- timers ------------------------------------------------------------ */

static int flush(lrs_broker_t *b, lrs_err_t *err)
{
    for (int i = 0; i < b->n_workers; i++) {
        worker_t *w = &b->workers[i];
        if (w->live && w->dirty) {
            if (lrs_store_put_worker(b->store, b->sweep.id, w->name, w->host, w->jobs,
                                     w->done - w->done_saved, err) != 0)
                return -1;
            w->done_saved = w->done;
            w->dirty = 0;
        }
    }
    if (lrs_store_flush(b->store, err) != 0)
        return -1;
    b->unflushed = 0;
    /* Durable now: tell the workers they may forget these results. */
    for (int i = 0; i < b->n_workers; i++) {
        worker_t *w = &b->workers[i];
        for (int off = 0; w->live && off < w->n_acks; off += LRS_PROTO_MAX_BATCH) {
            int n = w->n_acks - off < LRS_PROTO_MAX_BATCH ? w->n_acks - off : LRS_PROTO_MAX_BATCH;
            lrs_proto_ack_begin(&b->out, b->sweep.token, n);
            for (int k = 0; k < n; k++)
                lrs_proto_ack_add(&b->out, w->acks[off + k]);
            send_out(b, w->id, w->id_len);
        }
        w->n_acks = 0;
    }
    return 0;
}

static int expire_workers(lrs_broker_t *b, int64_t now, lrs_err_t *err)
{
    int64_t limit = (int64_t)b->opts.heartbeat_ms * b->opts.liveness;
    for (int i = 0; i < b->n_workers; i++) {
        worker_t *w = &b->workers[i];
        if (w->live && now - w->last_seen_ms > limit) {
            blog(b, "worker %s stopped heartbeating; %d trial(s) go back to the queue", w->name,
                 w->n_leases);
            if (retire_worker(b, w, "stopped heartbeating", err) != 0)
                return -1;
        }
    }
    return 0;
}

static void send_heartbeats(lrs_broker_t *b)
{
    lrs_proto_heartbeat(&b->out);
    for (int i = 0; i < b->n_workers; i++)
        if (b->workers[i].live)
            send_out(b, b->workers[i].id, b->workers[i].id_len);
}

static void fmt_duration(double s, char *out, size_t size)
{
    if (!isfinite(s) || s < 0) {
        snprintf(out, size, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    snprintf(out, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

static void progress(lrs_broker_t *b, int64_t now, int final)
{
    double elapsed = (double)(now - b->started_ms) / 1000.0;
    double rate = elapsed > 0 ? (double)b->session_done / elapsed : 0;
    char eta[32], best[200];
    fmt_duration(rate > 0 ? (double)(b->total - b->done) / rate : NAN, eta, sizeof eta);
    char score[32];
    lrs_fmt_display(b->best, LRS_FMT_VALUE_DIGITS, score, sizeof score);
    if (isnan(b->best))
        snprintf(best, sizeof best, "best -");
    else
        snprintf(best, sizeof best, "best %s (%s)", score, b->best_desc);
    char line[512];
    snprintf(line, sizeof line,
             "%" PRIu64 "/%" PRIu64 " done  running %" PRIu64 "  failed %" PRIu64
             "  diverged %" PRIu64 "  workers %d  %.1f trials/s  ETA %s  %s",
             b->done, b->total, b->running, b->failed, b->diverged, b->live_workers, rate, eta,
             best);
    if (b->opts.progress == 2 && !final) {
        struct winsize ws;   /* a wrapped line could not be redrawn in place */
        if (ioctl(fileno(b->opts.log), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 &&
            strlen(line) >= ws.ws_col)
            line[ws.ws_col - 1] = '\0';
        fprintf(b->opts.log, "\r\033[K%s", line);
        b->progress_drawn = 1;
        fflush(b->opts.log);
    } else if (b->opts.progress) {
        blog(b, "%s", line);
    }
}

static void shutdown_workers(lrs_broker_t *b, const char *reason)
{
    lrs_proto_shutdown(&b->out, reason);
    for (int i = 0; i < b->n_workers; i++)
        if (b->workers[i].live)
            send_out(b, b->workers[i].id, b->workers[i].id_len);
}

/* ---- timers ------------------------------------------------------------ */

static int64_t on_flush_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now;
    return flush(ctx, err) != 0 ? LRS_TIMER_FAIL : LRS_TIMER_DISARM;
}

static int64_t on_expiry_due(void *ctx, int64_t now, lrs_err_t *err)
{
    lrs_broker_t *b = ctx;
    return expire_workers(b, now, err) != 0 ? LRS_TIMER_FAIL : b->opts.heartbeat_ms / 4;
}

static int64_t on_heartbeat_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now, (void)err;
    lrs_broker_t *b = ctx;
    send_heartbeats(b);
    return b->opts.heartbeat_ms;
}

static int64_t on_tick_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now;
    lrs_broker_t *b = ctx;
    if (b->opts.tick(b->opts.tick_ctx, err) == 0)
        return 100;
    lrs_err_t ignored;
    flush(b, &ignored);
    shutdown_workers(b, "coordinator stopped");
    return LRS_TIMER_FAIL;
}

static int64_t on_progress_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    lrs_broker_t *b = ctx;
    progress(b, now, 0);
    return b->opts.progress == 2 ? 200 : 5000;
}

/* The loop's timers, all armed from now except the group commit's, which
 * the first unflushed result starts. */
static int timers_start(lrs_broker_t *b, lrs_timers_t *ts, int64_t now)
{
    lrs_timers_init(ts);
    int flush_id = lrs_timer_add(ts, "flush", on_flush_due, b);
    lrs_timer_arm(ts, lrs_timer_add(ts, "lease expiry", on_expiry_due, b),
                  now + b->opts.heartbeat_ms / 4);
    lrs_timer_arm(ts, lrs_timer_add(ts, "heartbeat", on_heartbeat_due, b),
                  now + b->opts.heartbeat_ms);
    if (b->opts.tick)
        lrs_timer_arm(ts, lrs_timer_add(ts, "tick", on_tick_due, b), now);
    if (b->opts.progress)
        lrs_timer_arm(ts, lrs_timer_add(ts, "progress", on_progress_due, b), now);
    return flush_id;
}

int lrs_broker_run(lrs_broker_t *b, lrs_err_t *err)
{
    int64_t now = lrs_mono_ms(), drain_deadline = 0;
    int draining = 0, status = 0;
    b->started_ms = now;
    lrs_timers_t timers;
    int flush_id = timers_start(b, &timers, now);
    if (b->opts.progress)
        blog(b, "sweep '%s': %" PRIu64 " trials, %" PRIu64 " already recorded", b->sweep.name,
             b->total, b->done);
    zmq_pollitem_t item = {.socket = b->router, .events = ZMQ_POLLIN};
    while (b->done < b->total || lrs_store_pending(b->store) > 0 || b->unflushed) {
        int interrupts = b->opts.interrupts ? atomic_load(b->opts.interrupts) : 0;
        if (interrupts >= 2) {
            blog(b, "interrupted again: stopping now");
            status = LRS_EXIT_INTERRUPTED;
            break;
        }
        if (interrupts == 1 && !draining) {
            draining = 1;
            drain_deadline = now + (int64_t)(b->opts.drain_s * 1000);
            blog(b, "interrupted: no new trials; waiting up to %.0f s for %" PRIu64
                    " running trial(s) (Ctrl-C again to stop at once)",
                 b->opts.drain_s, b->running);
        }
        if (draining && (b->running == 0 || now >= drain_deadline)) {
            status = LRS_EXIT_INTERRUPTED;
            break;
        }
        if (b->unflushed || lrs_store_pending(b->store) > 0)
            lrs_timer_arm_once(&timers, flush_id, now + b->opts.flush_ms);
        long timeout = lrs_timers_timeout(&timers, now, LRS_HEARTBEAT_MS);
        if (draining && drain_deadline - now < timeout)
            timeout = drain_deadline > now ? (long)(drain_deadline - now) : 0;
        if (zmq_poll(&item, 1, timeout) < 0 && errno != EINTR)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq_poll: %s", zmq_strerror(errno));
        if (drain(b, err) != 0)
            return -1;
        now = lrs_mono_ms();
        if (b->unflushed >= b->opts.flush_batch) {   /* a full batch commits at once */
            if (flush(b, err) != 0)
                return -1;
            lrs_timer_disarm(&timers, flush_id);
        }
        if (lrs_timers_run(&timers, now, err) != 0)
            return -1;
        if (!draining)
            for (int i = 0; i < b->n_workers; i++)
                if (b->workers[i].live && b->workers[i].credit > 0 &&
                    dispatch(b, &b->workers[i], err) != 0)
                    return -1;
    }
    if (flush(b, err) != 0)
        return -1;
    shutdown_workers(b, status ? "interrupted" : "sweep complete");
    if (b->opts.progress)
        progress(b, lrs_mono_ms(), 1);
    if (b->rejected)
        blog(b, "%" PRIu64 " malformed or unexpected message(s) were rejected", b->rejected);
    return status;
}
