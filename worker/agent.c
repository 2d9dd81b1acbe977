/* agent.c — see agent.h.
 *
 * Threads share one mutex: the trial queue (a ring of jobs), the count of
 * running trials, and the list of finished results kept until ACKed.  A
 * trial thread that finishes writes a byte to a pipe that the I/O thread
 * polls next to its socket, so results leave at once without busy waiting.
 * A sweep context (parsed spec, data set, engine options) is reference
 * counted: queued jobs keep theirs alive while a new sweep arrives. */
#include "worker/agent.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zmq.h>

#include "common/clock.h"
#include "common/dataset.h"
#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/spec.h"
#include "common/timer.h"
#include "common/validate.h"
#include "worker/exec.h"
#include "worker/trial.h"

#define RESEND_MS 10000        /* re-send a result not ACKed after this long */
#define DRAIN_ACK_MS 5000      /* on Ctrl-C, wait this long for the last ACKs */
#define PROGRESS_MS 200        /* a command's metric lines leave at most this often */
#define PROGRESS_MAX 8192      /* curve values waiting to leave; more are left to the result */

typedef struct sweep_ctx sweep_ctx_t;
typedef struct agent agent_t;

/* One trial thread's running trial, as the trial kinds and hooks see it. */
typedef struct trial_slot {
    agent_t *agent;
    int busy;                    /* under agent.mu */
    atomic_int cancel;           /* set by the I/O thread: kill the command */
    uint64_t token, trial;
    uint32_t attempt;
} trial_slot_t;

/* A trial kind: runs a trial under ctx into a wire result (status, score,
 * curves); returns -1 with err to report the attempt as failed, 1 when the
 * slot was cancelled (no result: the lease is gone). */
typedef int (*trial_run_fn)(const sweep_ctx_t *ctx, trial_slot_t *slot, const lrs_trial_cfg_t *cfg,
                            uint64_t seed, lrs_wire_result_t *out, lrs_err_t *err);

struct sweep_ctx {
    int refs;                    /* under agent.mu */
    uint64_t token;
    lrs_spec_t *spec;
    const lrs_spec_info_t *info;
    trial_run_fn run;
    lrs_dataset_t data;
    int have_data;
    lrs_exec_spec_t exec;        /* a user's command: the spec's, workdir resolved here */
    char *workdir;               /* owned, when resolved against opts.workdir_base */
};

typedef struct job {
    sweep_ctx_t *ctx;
    lrs_wire_trial_t trial;
} job_t;

typedef struct kept_result {
    uint64_t token;
    lrs_wire_result_t r;
    int64_t sent_ms;             /* 0: not sent in this session */
} kept_result_t;

/* A curve value waiting to leave in a PROGRESS message. */
typedef struct progress_point {
    uint64_t token, trial;
    uint32_t attempt;
    int fold, epoch;
    char name[LRS_METRIC_NAME_MAX];
    double value;
} progress_point_t;

struct agent {
    lrs_agent_opts_t opts;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    job_t *queue;
    int q_head, q_len, q_cap;
    int running, stop;
    double avg_trial_s;          /* moving average of trial time, 0 before the first */
    kept_result_t *kept;
    int n_kept, cap_kept;
    int wake[2];
    pthread_t *threads;
    trial_slot_t *slots;         /* one per trial thread */
    int n_threads;
    progress_point_t *progress;  /* under mu */
    int n_progress;
    int64_t progress_sent;       /* I/O thread */
    /* I/O thread only */
    void *zctx, *sock;
    sweep_ctx_t *ctx;
    lrs_msg_t pending_welcome;   /* waiting for DATA */
    int session;                 /* 0 none, 1 HELLO sent, 2 waiting for data, 3 working */
    int requested, heartbeat_ms;
    int64_t coord_seen, last_sent, backoff_ms, last_hello;
    lrs_timers_t timers;
    int reconnect_timer, heartbeat_timer, liveness_timer, progress_timer;
    char name[128], ident[200];
    char *data_bytes;            /* the cached data set, by hash */
    size_t data_len;
    char data_hash[17];
    int bad_logged;
    lrs_wbuf_t out;
};

static void alog(agent_t *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void alog(agent_t *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(a->opts.log, "lrsweep worker %s: ", a->name);
    vfprintf(a->opts.log, fmt, ap);
    fputc('\n', a->opts.log);
    fflush(a->opts.log);
    va_end(ap);
}

void lrs_agent_opts_init(lrs_agent_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->jobs = 1;
    o->prefetch = -1;
}

/* ---- trial kinds ------------------------------------------------------- */

static void take_train_result(lrs_train_result_t *res, lrs_wire_result_t *out)
{
    out->status = res->status == LRS_STATUS_DIVERGED ? LRS_STATUS_DIVERGED : LRS_STATUS_COMPLETE;
    out->score = res->score;
    out->score_std = res->score_std;
    out->seconds = res->seconds;
    out->diverged_epoch = res->diverged_epoch;
    out->n_folds = res->n_folds;
    out->folds = res->folds;
    out->n_epochs = res->n_epochs > LRS_PROTO_MAX_EPOCHS ? LRS_PROTO_MAX_EPOCHS : res->n_epochs;
    out->epochs = res->epochs;
    res->folds = NULL;
    res->epochs = NULL;
}

/* The built-in engine or the synthetic objective: the one trial path. */
static int run_builtin(const sweep_ctx_t *ctx, trial_slot_t *slot, const lrs_trial_cfg_t *cfg,
                       uint64_t seed, lrs_wire_result_t *out, lrs_err_t *err)
{
    (void)slot;
    lrs_train_result_t res;
    int rc = lrs_trial_run(ctx->info, &ctx->data, cfg, seed, NULL, &res, err);
    if (rc == 0)
        take_train_result(&res, out);
    lrs_train_result_free(&res);
    return rc;
}

/* on_metrics hook: a metric line with `epoch` becomes curve values waiting
 * for the next PROGRESS (bounded: the result carries the whole curve). */
static void exec_on_metrics(void *ctx, int fold, const lrs_metric_line_t *line)
{
    trial_slot_t *slot = ctx;
    agent_t *a = slot->agent;
    int e = lrs_metrics_find(line, "epoch");
    if (e < 0)
        return;
    double ev = line->items[e].value;
    if (!isfinite(ev) || ev != floor(ev) || fabs(ev) > 1e9)
        return;
    pthread_mutex_lock(&a->mu);
    int was_empty = a->n_progress == 0;
    for (int i = 0; i < line->n && a->n_progress < PROGRESS_MAX; i++) {
        if (i == e)
            continue;
        progress_point_t *p = &a->progress[a->n_progress++];
        p->token = slot->token;
        p->trial = slot->trial;
        p->attempt = slot->attempt;
        p->fold = fold;
        p->epoch = (int)ev;
        snprintf(p->name, sizeof p->name, "%s", line->items[i].name);
        p->value = line->items[i].value;
    }
    pthread_mutex_unlock(&a->mu);
    if (was_empty) {   /* the I/O thread may sleep until its next heartbeat: wake it */
        char byte = 1;
        ssize_t ignored = write(a->wake[1], &byte, 1);
        (void)ignored;
    }
}

static char *copy_tail(const char *p, size_t len, size_t *out_len)
{
    if (len > LRS_PROTO_MAX_TAIL) {   /* keep the end */
        p += len - LRS_PROTO_MAX_TAIL;
        len = LRS_PROTO_MAX_TAIL;
    }
    char *c = malloc(len + 1);
    if (c) {
        if (len)
            memcpy(c, p, len);
        c[len] = '\0';
        *out_len = len;
    }
    return c;
}

/* The runner's result as a wire result with its exec part. */
static int take_exec_result(const lrs_exec_result_t *res, lrs_wire_result_t *out)
{
    out->status = res->status == LRS_STATUS_COMPLETE   ? LRS_STATUS_COMPLETE
                  : res->status == LRS_STATUS_DIVERGED ? LRS_STATUS_DIVERGED
                                                     : LRS_STATUS_FAILED;
    out->score = res->status == LRS_STATUS_COMPLETE ? res->objective : NAN;
    out->score_std = res->status == LRS_STATUS_COMPLETE ? res->objective_std : NAN;
    out->seconds = res->elapsed_s;
    if (res->error[0] && !(out->error = strdup(res->error)))
        return -1;
    lrs_wire_exec_t *e = calloc(1, sizeof *e);
    if (!e)
        return -1;
    out->exec = e;
    e->exit_status = res->exit_status < -1 || res->exit_status > 255 ? -1 : res->exit_status;
    e->term_signal = res->term_signal < 0 || res->term_signal > 128 ? 0 : res->term_signal;
    e->curve_truncated = res->curve_truncated;
    e->stderr_tail = copy_tail(res->stderr_tail, res->stderr_tail ? res->stderr_tail_len : 0,
                               &e->stderr_len);
    e->log_tail = copy_tail(res->log, res->log ? res->log_len : 0, &e->log_len);
    int n = res->n_names < LRS_PROTO_MAX_NAMES ? res->n_names : LRS_PROTO_MAX_NAMES;
    e->finals = calloc((size_t)(n ? n : 1), sizeof *e->finals);
    e->curve.names = calloc((size_t)(n ? n : 1), sizeof *e->curve.names);
    size_t np = res->n_curve < LRS_PROTO_MAX_POINTS ? res->n_curve : LRS_PROTO_MAX_POINTS;
    e->curve.points = calloc(np ? np : 1, sizeof *e->curve.points);
    if (!e->stderr_tail || !e->log_tail || !e->finals || !e->curve.names || !e->curve.points)
        return -1;
    for (int i = 0; i < n; i++) {
        if (!(e->curve.names[i] = strdup(res->names[i])))
            return -1;
        e->curve.n_names = i + 1;
        e->finals[i] = res->finals[i];
    }
    for (size_t i = 0; i < np; i++) {
        const lrs_exec_point_t *p = &res->curve[i];
        if (p->name < 0 || p->name >= n)
            continue;
        e->curve.points[e->curve.n_points++] =
            (lrs_wire_point_t){p->fold, p->epoch, p->name, p->value};
    }
    return 0;
}

/* The user's command: lrs_exec_run with the slot's cancel flag and the
 * progress hook. */
static int run_exec(const sweep_ctx_t *ctx, trial_slot_t *slot, const lrs_trial_cfg_t *cfg,
                    uint64_t seed, lrs_wire_result_t *out, lrs_err_t *err)
{
    lrs_exec_hooks_t hooks = {.on_metrics = exec_on_metrics, .ctx = slot, .cancel = &slot->cancel};
    lrs_exec_result_t res;
    int rc = lrs_exec_run(&ctx->exec, cfg, slot->trial, seed, &hooks, &res, err);
    if (rc == 0 && res.status == LRS_STATUS_CANCELLED)
        rc = 1;
    else if (rc == 0 && take_exec_result(&res, out) != 0)
        rc = lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory for the trial's result");
    if (rc == 0 && out->status == LRS_STATUS_DIVERGED)
        for (size_t i = 0; i < res.n_curve; i++)
            if (strcmp(res.names[res.curve[i].name], ctx->exec.metric) == 0 &&
                !isfinite(res.curve[i].value)) {
                out->diverged_epoch = res.curve[i].epoch > 0 ? res.curve[i].epoch : 0;
                break;
            }
    lrs_exec_result_free(&res);
    return rc;
}

/* ---- sweep contexts ---------------------------------------------------- */

static void ctx_release(agent_t *a, sweep_ctx_t *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&a->mu);
    int last = --c->refs == 0;
    pthread_mutex_unlock(&a->mu);
    if (!last)
        return;
    if (c->have_data)
        lrs_dataset_free(&c->data);
    lrs_spec_destroy(&c->spec);
    free(c->workdir);
    free(c);
}

/* The command's settings, with a relative workdir taken against base. */
static int ctx_exec(sweep_ctx_t *c, const char *base, lrs_err_t *err)
{
    c->exec = *c->info->exec;
    c->run = run_exec;
    const char *wd = c->exec.workdir;
    if (!wd || wd[0] == '/' || !base || !base[0])
        return 0;
    size_t n = strlen(base) + strlen(wd) + 2;
    if (!(c->workdir = malloc(n)))
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    snprintf(c->workdir, n, "%s/%s", base, wd);
    c->exec.workdir = c->workdir;
    return 0;
}

static sweep_ctx_t *ctx_build(const lrs_msg_t *w, const char *data, size_t data_len,
                              const char *workdir_base, lrs_err_t *err)
{
    sweep_ctx_t *c = calloc(1, sizeof *c);
    if (!c) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    c->refs = 1;
    c->token = w->sweep;
    if (lrs_spec_parse(w->sweep_name, w->spec_text, w->spec_len, NULL, &c->spec, err) != 0)
        goto fail;
    if (lrs_spec_space_hash(c->spec) != w->space_hash) {
        lrs_err_set(err, LRS_EXIT_RUNTIME,
                    "sweep '%s': the spec hashes differently here than on the coordinator "
                    "(different lrsweep versions?)",
                    w->sweep_name);
        goto fail;
    }
    c->info = lrs_spec_info(c->spec);
    if (c->info->exec) {
        if (ctx_exec(c, workdir_base, err) != 0)
            goto fail;
        return c;
    }
    c->run = run_builtin;
    const char *name = c->info->data_path ? c->info->data_path : "data";
    if (c->info->model_kind != LRS_MODEL_SYNTHETIC && c->info->data_path && !data) {
        lrs_err_set(err, LRS_EXIT_USAGE, "sweep '%s': the coordinator sent no data", w->sweep_name);
        goto fail;
    }
    if (lrs_validate_load_data(c->info, name, data, data_len, &c->data, err) != 0)
        goto fail;
    c->have_data = 1;
    return c;
fail:
    if (c->spec)
        lrs_spec_destroy(&c->spec);
    free(c->workdir);
    free(c);
    return NULL;
}

/* ---- trial threads ----------------------------------------------------- */

/* Runs one job into out; 1 when it was cancelled (out then holds nothing). */
static int run_job(const job_t *j, trial_slot_t *slot, lrs_wire_result_t *out)
{
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_trial_cfg_t cfg;
    uint64_t seed = 0;
    memset(out, 0, sizeof *out);
    out->trial = j->trial.trial;
    out->attempt = j->trial.attempt;
    out->score = out->score_std = out->seconds = NAN;
    int rc = lrs_spec_sample(j->ctx->spec, j->trial.trial, &cfg, &seed, &err);
    if (rc == 0 && seed != j->trial.seed)
        rc = lrs_err_set(&err, LRS_EXIT_RUNTIME, "trial %" PRIu64 ": training seed differs from "
                         "the coordinator's", j->trial.trial);
    if (rc == 0)
        rc = j->ctx->run(j->ctx, slot, &cfg, seed, out, &err);
    if (rc == 1) {
        lrs_wire_result_clear(out);
        return 1;
    }
    if (rc != 0) {
        lrs_wire_result_clear(out);   /* an attempt that failed: nothing of it is final */
        out->trial = j->trial.trial;
        out->attempt = j->trial.attempt;
        out->score = out->score_std = out->seconds = NAN;
        out->status = LRS_STATUS_FAILED;
        out->error = strdup(err.msg[0] ? err.msg : "trial failed");
    }
    return 0;
}

static void *trial_thread(void *arg)
{
    trial_slot_t *slot = arg;
    agent_t *a = slot->agent;
    for (;;) {
        pthread_mutex_lock(&a->mu);
        while (!a->stop && a->q_len == 0)
            pthread_cond_wait(&a->cv, &a->mu);
        if (a->stop) {
            pthread_mutex_unlock(&a->mu);
            return NULL;
        }
        job_t j = a->queue[a->q_head];
        a->q_head = (a->q_head + 1) % a->q_cap;
        a->q_len--;
        a->running++;
        slot->busy = 1;
        atomic_store(&slot->cancel, 0);
        slot->token = j.ctx->token;
        slot->trial = j.trial.trial;
        slot->attempt = j.trial.attempt;
        pthread_mutex_unlock(&a->mu);

        kept_result_t k = {.token = j.ctx->token};
        double started = lrs_mono_seconds();
        int cancelled = run_job(&j, slot, &k.r);
        double dt = lrs_mono_seconds() - started;

        pthread_mutex_lock(&a->mu);
        slot->busy = 0;
        a->running--;
        if (cancelled) {   /* its lease is gone: the coordinator runs it elsewhere */
            pthread_mutex_unlock(&a->mu);
            ctx_release(a, j.ctx);
            continue;
        }
        a->avg_trial_s = a->avg_trial_s > 0 ? 0.8 * a->avg_trial_s + 0.2 * dt : dt;
        if (a->n_kept == a->cap_kept) {
            int cap = a->cap_kept ? 2 * a->cap_kept : 64;
            kept_result_t *q = realloc(a->kept, (size_t)cap * sizeof *q);
            if (q) {
                a->kept = q;
                a->cap_kept = cap;
            }
        }
        if (a->n_kept < a->cap_kept)
            a->kept[a->n_kept++] = k;
        else
            lrs_wire_result_clear(&k.r);   /* no memory: the lease expires, the trial re-runs */
        pthread_mutex_unlock(&a->mu);
        ctx_release(a, j.ctx);
        char byte = 1;
        ssize_t ignored = write(a->wake[1], &byte, 1);
        (void)ignored;
    }
}

/* ---- sending ----------------------------------------------------------- */

static void send_out(agent_t *a)
{
    if (a->sock && zmq_send(a->sock, a->out.sb.data, a->out.sb.size, ZMQ_DONTWAIT) >= 0)
        a->last_sent = lrs_mono_ms();
}

/* Sends every result not yet sent (or sent too long ago) in this session. */
static void send_results(agent_t *a, int64_t now)
{
    if (a->session != 3)
        return;
    pthread_mutex_lock(&a->mu);
    for (;;) {
        int n = 0;
        size_t bytes = 0;
        for (int i = 0; i < a->n_kept && n < LRS_PROTO_MAX_BATCH; i++) {
            kept_result_t *k = &a->kept[i];
            if (k->token != a->ctx->token || (k->sent_ms && now - k->sent_ms < RESEND_MS))
                continue;
            size_t size = 64 + 40 * (size_t)(k->r.n_folds + k->r.n_epochs) +
                          (k->r.error ? strlen(k->r.error) : 0);
            if (k->r.exec)
                size += 64 + k->r.exec->stderr_len + k->r.exec->log_len +
                        24 * k->r.exec->curve.n_points + 80 * (size_t)k->r.exec->curve.n_names;
            if (n > 0 && bytes + size > LRS_PROTO_MAX_MSG / 2)
                break;
            bytes += size;
            n++;
        }
        if (n == 0)
            break;
        lrs_proto_results_begin(&a->out, a->ctx->token, n);
        for (int i = 0, added = 0; i < a->n_kept && added < n; i++) {
            kept_result_t *k = &a->kept[i];
            if (k->token != a->ctx->token || (k->sent_ms && now - k->sent_ms < RESEND_MS))
                continue;
            lrs_proto_results_add(&a->out, &k->r);
            k->sent_ms = now;
            added++;
        }
        send_out(a);
    }
    pthread_mutex_unlock(&a->mu);
}

static void on_ack(agent_t *a, const lrs_msg_t *m)
{
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < m->n_acks; i++)
        for (int k = 0; k < a->n_kept; k++)
            if (a->kept[k].r.trial == m->acks[i] && a->kept[k].token == m->sweep) {
                lrs_wire_result_clear(&a->kept[k].r);
                a->kept[k] = a->kept[--a->n_kept];
                break;
            }
    pthread_mutex_unlock(&a->mu);
}

/* Asks for trials up to jobs + a queue in hand.  The queue covers about
 * PREFETCH_S of work (at least one trial, at most opts.prefetch): enough to
 * hide round trips for millisecond trials, without hoarding long ones that
 * other workers could run (and that a drained sweep would wait for). */
#define PREFETCH_S 0.2
static void request_trials(agent_t *a)
{
    if (a->session != 3)
        return;
    pthread_mutex_lock(&a->mu);
    int have = a->q_len + a->running + a->requested;
    double avg = a->avg_trial_s;
    pthread_mutex_unlock(&a->mu);
    int extra = a->opts.prefetch;
    if (avg > 0) {
        double fit = a->opts.jobs * PREFETCH_S / avg;
        extra = fit < 1 ? 1 : fit > a->opts.prefetch ? a->opts.prefetch : (int)fit;
    } else if (extra > a->opts.jobs) {
        extra = a->opts.jobs;   /* nothing measured yet: a modest start */
    }
    int want = a->opts.jobs + extra - have;
    if (want <= 0 || want * 2 < extra)   /* ask in chunks, not one by one */
        return;
    lrs_proto_ready(&a->out, a->ctx->token, want);
    send_out(a);
    a->requested += want;
}

/* Sends the curve values that arrived since the last PROGRESS, one message
 * per running trial of the current sweep; others are dropped. */
static void send_progress(agent_t *a, int64_t now)
{
    if (a->session != 3) {   /* between sessions: values of trials whose leases are gone */
        pthread_mutex_lock(&a->mu);
        a->n_progress = 0;
        pthread_mutex_unlock(&a->mu);
        return;
    }
    if (now - a->progress_sent < PROGRESS_MS)
        return;
    a->progress_sent = now;
    pthread_mutex_lock(&a->mu);
    int n = a->n_progress;
    progress_point_t *pts = n ? malloc((size_t)n * sizeof *pts) : NULL;
    if (pts)
        memcpy(pts, a->progress, (size_t)n * sizeof *pts);
    a->n_progress = 0;
    pthread_mutex_unlock(&a->mu);
    if (!pts)
        return;
    char *names[LRS_PROTO_MAX_NAMES];
    lrs_wire_point_t *wp = malloc((size_t)n * sizeof *wp);
    for (int i = 0; wp && i < n; i++) {
        if (pts[i].token != a->ctx->token || pts[i].attempt == 0)
            continue;   /* of another sweep, or already sent */
        uint64_t trial = pts[i].trial;
        uint32_t attempt = pts[i].attempt;
        lrs_wire_curve_t c = {.names = names, .points = wp};
        for (int k = i; k < n; k++) {
            progress_point_t *p = &pts[k];
            if (p->attempt != attempt || p->trial != trial || p->token != a->ctx->token)
                continue;
            p->attempt = 0;
            int name = 0;
            while (name < c.n_names && strcmp(names[name], p->name) != 0)
                name++;
            if (name == c.n_names) {
                if (c.n_names == LRS_PROTO_MAX_NAMES)
                    continue;
                names[c.n_names++] = p->name;
            }
            wp[c.n_points++] = (lrs_wire_point_t){p->fold, p->epoch, name, p->value};
        }
        lrs_proto_progress(&a->out, a->ctx->token, trial, attempt, &c);
        send_out(a);
    }
    free(wp);
    free(pts);
}

/* ---- connection -------------------------------------------------------- */

static void drop_queue(agent_t *a);

/* The coordinator has (or will have) given this worker's trials to others:
 * kill the commands running them and forget the queue and their progress. */
static void lose_leases(agent_t *a)
{
    drop_queue(a);
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->n_threads; i++)
        if (a->slots[i].busy)
            atomic_store(&a->slots[i].cancel, 1);
    a->n_progress = 0;
    pthread_mutex_unlock(&a->mu);
}

static void disconnect(agent_t *a)
{
    if (a->sock)
        zmq_close(a->sock);
    a->sock = NULL;
    a->session = 0;
    a->requested = 0;
    lrs_msg_free(&a->pending_welcome);
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->n_kept; i++)
        a->kept[i].sent_ms = 0;   /* re-send all after the next WELCOME */
    pthread_mutex_unlock(&a->mu);
}

static int connect_now(agent_t *a, int64_t now, lrs_err_t *err)
{
    a->sock = zmq_socket(a->zctx, ZMQ_DEALER);
    if (!a->sock)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: %s", zmq_strerror(errno));
    int linger = 0;
    int64_t maxmsg = (int64_t)LRS_PROTO_MAX_DATA + 4096;
    zmq_setsockopt(a->sock, ZMQ_LINGER, &linger, sizeof linger);
    zmq_setsockopt(a->sock, ZMQ_MAXMSGSIZE, &maxmsg, sizeof maxmsg);
    zmq_setsockopt(a->sock, ZMQ_ROUTING_ID, a->ident, strlen(a->ident));
    if (zmq_connect(a->sock, a->opts.endpoint) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "cannot connect to %s: %s", a->opts.endpoint,
                           zmq_strerror(errno));
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    lrs_proto_hello(&a->out, a->name, host, (int64_t)getpid(), a->opts.jobs);
    send_out(a);
    a->session = 1;
    a->coord_seen = now;
    a->last_hello = now;
    return 0;
}

/* The sweep is known (and its data at hand): start or resume work. */
static int start_session(agent_t *a, lrs_msg_t *w, lrs_err_t *err)
{
    if (!a->ctx || a->ctx->token != w->sweep) {
        lrs_err_t why;
        sweep_ctx_t *c = ctx_build(w, w->data_hash[0] ? a->data_bytes : NULL, a->data_len,
                                   a->opts.workdir_base, &why);
        if (!c) {
            alog(a, "cannot run sweep '%s': %s", w->sweep_name, why.msg);
            return lrs_err_set(err, why.code ? why.code : LRS_EXIT_RUNTIME, "%s", why.msg);
        }
        ctx_release(a, a->ctx);
        a->ctx = c;
        pthread_mutex_lock(&a->mu);
        for (int k = 0; k < a->n_kept;) {   /* results of an older sweep can never be ACKed */
            if (a->kept[k].token != c->token) {
                lrs_wire_result_clear(&a->kept[k].r);
                a->kept[k] = a->kept[--a->n_kept];
            } else {
                k++;
            }
        }
        pthread_mutex_unlock(&a->mu);
        if (a->opts.verbose)
            alog(a, "joined sweep '%s'", w->sweep_name);
    }
    a->heartbeat_ms = w->heartbeat_ms;
    a->session = 3;
    a->backoff_ms = LRS_RECONNECT_MIN_MS;
    a->requested = 0;
    return 0;
}

static int on_welcome(agent_t *a, lrs_msg_t *m, lrs_err_t *err)
{
    if (m->data_hash[0] && strcmp(m->data_hash, a->data_hash) != 0 &&
        !(a->ctx && a->ctx->token == m->sweep)) {
        lrs_msg_free(&a->pending_welcome);
        a->pending_welcome = *m;   /* keep it until the data arrives */
        memset(m, 0, sizeof *m);
        lrs_proto_data_req(&a->out, a->pending_welcome.data_hash);
        send_out(a);
        a->session = 2;
        return 0;
    }
    return start_session(a, m, err);
}

static int on_data(agent_t *a, lrs_msg_t *m, lrs_err_t *err)
{
    if (a->session != 2 || strcmp(m->data_hash, a->pending_welcome.data_hash) != 0)
        return 0;
    char hash[17];
    lrs_proto_content_hash(m->data, m->data_len, hash);
    if (strcmp(hash, m->data_hash) != 0) {
        alog(a, "data set arrived corrupted (hash %s, expected %s); asking again", hash,
             m->data_hash);
        lrs_proto_data_req(&a->out, m->data_hash);
        send_out(a);
        return 0;
    }
    free(a->data_bytes);
    a->data_bytes = m->data;
    a->data_len = m->data_len;
    m->data = NULL;
    snprintf(a->data_hash, sizeof a->data_hash, "%s", hash);
    int rc = start_session(a, &a->pending_welcome, err);
    lrs_msg_free(&a->pending_welcome);
    return rc;
}

static int on_trials(agent_t *a, lrs_msg_t *m)
{
    if (a->session != 3 || m->sweep != a->ctx->token)
        return 0;
    pthread_mutex_lock(&a->mu);
    if (a->q_len + m->n_trials > a->q_cap) {
        int cap = a->q_cap ? a->q_cap : 64;
        while (cap < a->q_len + m->n_trials)
            cap *= 2;
        job_t *q = malloc((size_t)cap * sizeof *q);
        if (!q) {
            pthread_mutex_unlock(&a->mu);
            return -1;
        }
        for (int i = 0; i < a->q_len; i++)
            q[i] = a->queue[(a->q_head + i) % a->q_cap];
        free(a->queue);
        a->queue = q;
        a->q_cap = cap;
        a->q_head = 0;
    }
    for (int i = 0; i < m->n_trials; i++) {
        a->ctx->refs++;
        a->queue[(a->q_head + a->q_len++) % a->q_cap] = (job_t){a->ctx, m->trials[i]};
    }
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    a->requested -= m->n_trials;
    if (a->requested < 0)
        a->requested = 0;
    return 0;
}

/* Handles one frame; returns 1 on SHUTDOWN, -1 on a fatal error. */
static int on_frame(agent_t *a, const void *data, size_t len, int64_t now, lrs_err_t *err)
{
    lrs_msg_t m;
    lrs_err_t why;
    if (lrs_proto_decode(data, len, &m, &why) != 0) {
        if (!a->bad_logged++)
            alog(a, "ignoring a malformed message from the coordinator: %s", why.msg);
        return 0;
    }
    a->coord_seen = now;
    int rc = 0;
    switch (m.type) {
    case LRS_MSG_WELCOME:
        rc = on_welcome(a, &m, err);
        break;
    case LRS_MSG_DATA:
        rc = on_data(a, &m, err);
        break;
    case LRS_MSG_TRIALS:
        rc = on_trials(a, &m) == 0 ? 0 : lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        break;
    case LRS_MSG_ACK:
        on_ack(a, &m);
        break;
    case LRS_MSG_SHUTDOWN:
        if (a->opts.verbose)
            alog(a, "coordinator says: %s", m.reason);
        rc = 1;
        break;
    case LRS_MSG_REJECT:
        if (a->opts.verbose || a->session == 1)
            alog(a, "coordinator refused a message: %s", m.reason);
        if (now - a->last_hello >= 1000) {   /* it forgot us (e.g. restarted): say HELLO again */
            lose_leases(a);
            disconnect(a);
            rc = connect_now(a, now, err);
        }
        break;
    default:
        break;
    }
    lrs_msg_free(&m);
    return rc;
}

/* ---- main loop --------------------------------------------------------- */

static int agent_setup(agent_t *a, const lrs_agent_opts_t *opts, lrs_err_t *err)
{
    a->opts = *opts;
    if (!a->opts.log)
        a->opts.log = stderr;
    if (a->opts.jobs < 1)
        a->opts.jobs = 1;
    if (a->opts.prefetch < 0)
        a->opts.prefetch = a->opts.jobs > 16 ? a->opts.jobs : 16;
    a->wake[0] = a->wake[1] = -1;
    a->heartbeat_ms = LRS_HEARTBEAT_MS;
    a->backoff_ms = LRS_RECONNECT_MIN_MS;
    char host[64] = "";
    gethostname(host, sizeof host - 1);
    if (opts->name)
        snprintf(a->name, sizeof a->name, "%s", opts->name);
    else
        snprintf(a->name, sizeof a->name, "%s:%ld", host, (long)getpid());
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    snprintf(a->ident, sizeof a->ident, "%s/%08x", a->name,
             (unsigned)(lrs_mix64((uint64_t)ts.tv_nsec ^ (uint64_t)getpid()) & 0xffffffffu));
    lrs_wbuf_init(&a->out);
    if (pthread_mutex_init(&a->mu, NULL) != 0 || pthread_cond_init(&a->cv, NULL) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot create a mutex");
    if (pipe(a->wake) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "pipe: %s", strerror(errno));
    fcntl(a->wake[0], F_SETFL, O_NONBLOCK);
    fcntl(a->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(a->wake[1], F_SETFD, FD_CLOEXEC);
    a->zctx = zmq_ctx_new();
    if (!a->zctx)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq: cannot create context");
    a->threads = calloc((size_t)a->opts.jobs, sizeof *a->threads);
    a->slots = calloc((size_t)a->opts.jobs, sizeof *a->slots);
    a->progress = malloc(PROGRESS_MAX * sizeof *a->progress);
    if (!a->threads || !a->slots || !a->progress)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    for (int i = 0; i < a->opts.jobs; i++) {
        a->slots[i].agent = a;
        atomic_init(&a->slots[i].cancel, 0);
    }
    for (; a->n_threads < a->opts.jobs; a->n_threads++)
        if (pthread_create(&a->threads[a->n_threads], NULL, trial_thread,
                           &a->slots[a->n_threads]) != 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot start trial threads");
    return 0;
}

static void agent_teardown(agent_t *a)
{
    pthread_mutex_lock(&a->mu);
    a->stop = 1;
    for (int i = 0; i < a->n_threads; i++)   /* a stopping worker leaves no command behind */
        atomic_store(&a->slots[i].cancel, 1);
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    for (int i = 0; i < a->n_threads; i++)
        pthread_join(a->threads[i], NULL);
    free(a->threads);
    free(a->slots);
    free(a->progress);
    disconnect(a);   /* before the kept results go: it marks them */
    for (int i = 0; i < a->q_len; i++)
        ctx_release(a, a->queue[(a->q_head + i) % a->q_cap].ctx);
    free(a->queue);
    for (int i = 0; i < a->n_kept; i++)
        lrs_wire_result_clear(&a->kept[i].r);
    free(a->kept);
    ctx_release(a, a->ctx);
    if (a->zctx)
        zmq_ctx_term(a->zctx);
    free(a->data_bytes);
    lrs_wbuf_free(&a->out);
    if (a->wake[0] >= 0)
        close(a->wake[0]);
    if (a->wake[1] >= 0)
        close(a->wake[1]);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->mu);
}

/* Empties the trial queue: those trials are simply not run here (their
 * leases expire and they run elsewhere). */
static void drop_queue(agent_t *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->q_len;
    job_t *jobs = n ? malloc((size_t)n * sizeof *jobs) : NULL;
    for (int i = 0; jobs && i < n; i++)
        jobs[i] = a->queue[(a->q_head + i) % a->q_cap];
    if (jobs)
        a->q_len = 0;
    pthread_mutex_unlock(&a->mu);
    for (int i = 0; jobs && i < n; i++)
        ctx_release(a, jobs[i].ctx);
    free(jobs);
}

/* Whether a Ctrl-C'd worker may leave: nothing running and all ACKed. */
static int drained(agent_t *a)
{
    pthread_mutex_lock(&a->mu);
    int idle = a->running == 0 && a->n_kept == 0;
    pthread_mutex_unlock(&a->mu);
    return idle;
}

static int progress_waiting(agent_t *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->n_progress;
    pthread_mutex_unlock(&a->mu);
    return n > 0;
}

/* ---- timers ------------------------------------------------------------ */

/* Liveness: how long the coordinator may stay silent before we reconnect. */
static int64_t silence_limit(const agent_t *a)
{
    return (int64_t)a->heartbeat_ms * LRS_HEARTBEAT_LIVENESS;
}

/* Reconnects after the back-off; the session's timers start again. */
static int64_t on_reconnect_due(void *ctx, int64_t now, lrs_err_t *err)
{
    agent_t *a = ctx;
    if (connect_now(a, now, err) != 0)
        return LRS_TIMER_FAIL;
    lrs_timer_arm(&a->timers, a->heartbeat_timer, now + a->heartbeat_ms);
    lrs_timer_arm(&a->timers, a->liveness_timer, now + silence_limit(a) + 1);
    return LRS_TIMER_DISARM;
}

/* A heartbeat when nothing else was sent for a heartbeat interval. */
static int64_t on_heartbeat_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    agent_t *a = ctx;
    if (now - a->last_sent >= a->heartbeat_ms) {
        lrs_proto_heartbeat(&a->out);
        send_out(a);
    }
    int64_t next = a->last_sent + a->heartbeat_ms - now;
    return next > 0 ? next : a->heartbeat_ms;
}

/* The coordinator silent for too long: leases are gone, reconnect with
 * back-off (1 s doubling to LRS_RECONNECT_MAX_MS). */
static int64_t on_liveness_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    agent_t *a = ctx;
    int64_t silent = now - a->coord_seen;
    if (silent <= silence_limit(a))
        return silence_limit(a) - silent + 1;
    if (a->opts.verbose || a->session >= 3)
        alog(a, "no word from %s for %d s; reconnecting in %" PRId64 " s", a->opts.endpoint,
             (int)(silent / 1000), a->backoff_ms / 1000);
    lose_leases(a);
    disconnect(a);
    lrs_timer_disarm(&a->timers, a->heartbeat_timer);
    lrs_timer_arm(&a->timers, a->reconnect_timer, now + a->backoff_ms);
    a->backoff_ms = a->backoff_ms * 2 > LRS_RECONNECT_MAX_MS ? LRS_RECONNECT_MAX_MS
                                                             : a->backoff_ms * 2;
    return LRS_TIMER_DISARM;
}

/* A command's curve values leave at most every PROGRESS_MS. */
static int64_t on_progress_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)err;
    send_progress(ctx, now);
    return LRS_TIMER_DISARM;
}

static void timers_start(agent_t *a, int64_t now)
{
    lrs_timers_init(&a->timers);
    a->reconnect_timer = lrs_timer_add(&a->timers, "reconnect", on_reconnect_due, a);
    a->heartbeat_timer = lrs_timer_add(&a->timers, "heartbeat", on_heartbeat_due, a);
    a->liveness_timer = lrs_timer_add(&a->timers, "liveness", on_liveness_due, a);
    a->progress_timer = lrs_timer_add(&a->timers, "progress", on_progress_due, a);
    lrs_timer_arm(&a->timers, a->reconnect_timer, now);
}

static int loop(agent_t *a, lrs_err_t *err)
{
    int64_t interrupted_at = 0;
    timers_start(a, lrs_mono_ms());
    for (;;) {
        int64_t now = lrs_mono_ms();
        int interrupts = a->opts.interrupts ? atomic_load(a->opts.interrupts) : 0;
        if (interrupts >= 2)
            return LRS_EXIT_INTERRUPTED;
        if (interrupts == 1 && !interrupted_at) {
            interrupted_at = now;
            drop_queue(a);   /* run nothing new */
        }
        if (interrupted_at && (drained(a) || now - interrupted_at > DRAIN_ACK_MS))
            return LRS_EXIT_INTERRUPTED;
        if (a->sock && progress_waiting(a))
            lrs_timer_arm_once(&a->timers, a->progress_timer, a->progress_sent + PROGRESS_MS);
        /* Sleep until the next timer: messages and finished trials wake us
         * anyway, and 500 idle workers on one machine should not steal the
         * coordinator's CPU.  While draining, look every 100 ms. */
        long timeout = lrs_timers_timeout(&a->timers, now, interrupted_at ? 100 : a->heartbeat_ms);
        zmq_pollitem_t items[2] = {{.socket = a->sock, .events = ZMQ_POLLIN},
                                   {.fd = a->wake[0], .events = ZMQ_POLLIN}};
        int n = zmq_poll(a->sock ? items : items + 1, a->sock ? 2 : 1, timeout);
        if (n < 0 && errno != EINTR)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq_poll: %s", zmq_strerror(errno));
        char junk[256];
        while (read(a->wake[0], junk, sizeof junk) > 0)
            ;
        now = lrs_mono_ms();
        for (int budget = 0; a->sock && budget < 1000; budget++) {
            zmq_msg_t msg;
            zmq_msg_init(&msg);
            if (zmq_msg_recv(&msg, a->sock, ZMQ_DONTWAIT) < 0) {
                zmq_msg_close(&msg);
                break;
            }
            int rc = on_frame(a, zmq_msg_data(&msg), zmq_msg_size(&msg), now, err);
            zmq_msg_close(&msg);
            if (rc < 0)
                return -1;
            if (rc == 1)
                return 0;
        }
        if (a->sock) {
            send_results(a, now);
            if (!interrupted_at)
                request_trials(a);
        }
        if (lrs_timers_run(&a->timers, now, err) != 0)
            return -1;
    }
}

int lrs_agent_run(const lrs_agent_opts_t *opts, lrs_err_t *err)
{
    agent_t *a = calloc(1, sizeof *a);
    if (!a)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    int rc = agent_setup(a, opts, err);
    if (rc == 0)
        rc = loop(a, err);
    agent_teardown(a);
    free(a);
    return rc;
}
