/* pool.c — see pool.h.  The queue is a ring of jobs; a job holds a
 * reference to its sweep context until its thread is done with it.  Each
 * thread has a slot saying which trial it runs, for the progress hook and
 * for cancelling. */
#include "worker/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/clock.h"

typedef struct lrs_pool pool_t;

/* A rung's RUNG: the trial's value there and its best so far. */
typedef struct rung_ask {
    int epoch;
    double value, best;
} rung_ask_t;

/* One trial thread's running trial, as the progress hook sees it. */
typedef struct trial_slot {
    pool_t *pool;
    int busy;                    /* under pool.mu */
    atomic_int cancel;           /* set by the I/O thread: kill the command */
    uint64_t token, trial;
    uint32_t attempt;
    /* Pruning rungs (under pool.mu): the RUNGs asked, answered in order;
     * asks[ask_next] is the one sent.  The built-in engine waits for each
     * answer, a command goes on training meanwhile. */
    rung_ask_t *asks;
    int n_asks, cap_asks, ask_next;
    int64_t ask_sent_ms;         /* 0: asks[ask_next] not sent in this session */
    int pruned_epoch;            /* 0, or the rung epoch a VERDICT pruned the trial at */
    atomic_int prune;            /* set with pruned_epoch: stop the command */
} trial_slot_t;

typedef struct job {
    lrs_sweep_ctx_t *ctx;
    lrs_wire_trial_t trial;
} job_t;

typedef struct kept_result {
    uint64_t token;
    lrs_wire_result_t r;
    int64_t sent_ms;             /* 0: not sent in this session */
} kept_result_t;

struct lrs_pool {
    lrs_devices_t devices;       /* --gpus, read-only once started */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int have_mu, have_cv;
    job_t *queue;
    int q_head, q_len, q_cap;
    int running, stop;
    int jobs;                    /* trials computing at once; more threads wait at rungs */
    int waiting;                 /* running trials waiting at a rung (using no core) */
    double avg_trial_s;          /* moving average of trial time, 0 before the first */
    kept_result_t *kept;
    int n_kept, cap_kept;
    int wake[2];
    pthread_t *threads;
    trial_slot_t *slots;         /* one per trial thread */
    int n_threads, max_threads; /* started so far; at most (lrs_pool_threads) */
    lrs_progress_t *progress;
};

static void wake_io(pool_t *p)
{
    char byte = 1;
    ssize_t ignored = write(p->wake[1], &byte, 1);
    (void)ignored;
}

/* on_metrics hook: a metric line with `epoch` becomes curve values waiting
 * for the next PROGRESS (bounded: the result carries the whole curve). */
static void exec_on_metrics(void *ctx, int fold, const lrs_metric_line_t *line)
{
    trial_slot_t *slot = ctx;
    if (lrs_progress_add(slot->pool->progress, slot->token, slot->trial, slot->attempt, fold,
                         line))
        wake_io(slot->pool);   /* the I/O thread may sleep until its next heartbeat */
}

static void *trial_thread(void *arg);

/* Under mu: one more thread when a queued trial could take a free core but
 * every thread carries a trial (the others wait at rungs).  Best effort: a
 * thread that cannot start leaves the trial queued. */
static void grow(pool_t *a)
{
    if (a->q_len > 0 && a->n_threads == a->running && a->running - a->waiting < a->jobs &&
        a->n_threads < a->max_threads &&
        pthread_create(&a->threads[a->n_threads], NULL, trial_thread, &a->slots[a->n_threads]) == 0)
        a->n_threads++;
}

/* Under mu: the slot has asked a RUNG that is not answered yet (a prune
 * answers every later one). */
static int asks_pending(const trial_slot_t *slot)
{
    return !slot->pruned_epoch && slot->ask_next < slot->n_asks;
}

/* rung_post hook: queues the RUNG of the slot's trial at epoch (the I/O
 * thread sends it when the ones before are answered).  -1: out of memory. */
static int pool_rung_post(void *ctx, int epoch, double value, double best)
{
    trial_slot_t *slot = ctx;
    pool_t *a = slot->pool;
    int rc = 0;
    pthread_mutex_lock(&a->mu);
    if (!slot->pruned_epoch) {
        if (slot->n_asks == slot->cap_asks) {
            int cap = slot->cap_asks ? 2 * slot->cap_asks : 16;
            rung_ask_t *more = realloc(slot->asks, (size_t)cap * sizeof *more);
            if (more) {
                slot->asks = more;
                slot->cap_asks = cap;
            }
        }
        if (slot->n_asks < slot->cap_asks)
            slot->asks[slot->n_asks++] = (rung_ask_t){epoch, value, best};
        else
            rc = -1;
    }
    pthread_mutex_unlock(&a->mu);
    wake_io(a);
    return rc;
}

/* rung_wait hook: blocks until every RUNG posted is answered, giving the
 * trial's core to another trial meanwhile.  1 with *pruned_epoch when one
 * pruned the trial, 0 when all went on; a lost lease (cancel) or a stopping
 * pool ends the wait with -1: the trial keeps no result. */
static int pool_rung_wait(void *ctx, int *pruned_epoch, lrs_err_t *err)
{
    trial_slot_t *slot = ctx;
    pool_t *a = slot->pool;
    pthread_mutex_lock(&a->mu);
    int waits = asks_pending(slot) && !atomic_load(&slot->cancel) && !a->stop;
    if (waits) {
        a->waiting++;
        grow(a);
        pthread_cond_broadcast(&a->cv);   /* a queued trial may take the core */
    }
    while (asks_pending(slot) && !atomic_load(&slot->cancel) && !a->stop)
        pthread_cond_wait(&a->cv, &a->mu);
    if (waits)
        a->waiting--;
    int gone = atomic_load(&slot->cancel) || a->stop, epoch = slot->pruned_epoch;
    pthread_mutex_unlock(&a->mu);
    if (gone)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "cancelled at a pruning rung: the lease is gone");
    *pruned_epoch = epoch;
    return epoch > 0;
}

/* at_rung hook (the built-in engine): asks and waits for the answer. */
static int pool_at_rung(void *ctx, int epoch, double value, double best, lrs_err_t *err)
{
    int pruned_epoch = 0;
    if (pool_rung_post(ctx, epoch, value, best) != 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory at a pruning rung");
    return pool_rung_wait(ctx, &pruned_epoch, err);
}

static void *trial_thread(void *arg)
{
    trial_slot_t *slot = arg;
    pool_t *a = slot->pool;
    lrs_exec_hooks_t hooks = {.on_metrics = exec_on_metrics, .ctx = slot, .cancel = &slot->cancel,
                              .at_rung = pool_at_rung, .rung_post = pool_rung_post,
                              .rung_wait = pool_rung_wait, .stop = &slot->prune,
                              .device = lrs_devices_for_slot(&a->devices, (int)(slot - a->slots))};
    for (;;) {
        pthread_mutex_lock(&a->mu);
        /* A new trial starts only on a free core: trials waiting at a rung
         * hold a thread, not a core. */
        while (!a->stop && (a->q_len == 0 || a->running - a->waiting >= a->jobs))
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
        atomic_store(&slot->prune, 0);
        slot->n_asks = slot->ask_next = slot->pruned_epoch = 0;
        slot->ask_sent_ms = 0;
        grow(a);   /* more queued trials and free cores (trials wait at rungs): one more thread */
        slot->token = lrs_sweep_ctx_token(j.ctx);
        slot->trial = j.trial.trial;
        slot->attempt = j.trial.attempt;
        pthread_mutex_unlock(&a->mu);

        kept_result_t k = {.token = lrs_sweep_ctx_token(j.ctx)};
        double started = lrs_mono_seconds();
        int cancelled = lrs_sweep_ctx_run_trial(j.ctx, &j.trial, &hooks, &k.r);
        double dt = lrs_mono_seconds() - started;

        pthread_mutex_lock(&a->mu);
        slot->busy = 0;
        a->running--;
        if (cancelled) {   /* its lease is gone: the coordinator runs it elsewhere */
            pthread_cond_broadcast(&a->cv);
            pthread_mutex_unlock(&a->mu);
            lrs_sweep_ctx_unref(j.ctx);
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
        pthread_cond_broadcast(&a->cv);   /* a core is free: a queued trial may start */
        pthread_mutex_unlock(&a->mu);
        lrs_sweep_ctx_unref(j.ctx);
        wake_io(a);
    }
}

/* ---- life ---------------------------------------------------------------- */

lrs_pool_t *lrs_pool_new(int jobs, const lrs_devices_t *devices, lrs_progress_t *progress,
                         lrs_err_t *err)
{
    pool_t *a = calloc(1, sizeof *a);
    if (!a) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    a->progress = progress;
    if (devices)
        a->devices = *devices;
    a->wake[0] = a->wake[1] = -1;
    if (!(a->have_mu = pthread_mutex_init(&a->mu, NULL) == 0) ||
        !(a->have_cv = pthread_cond_init(&a->cv, NULL) == 0)) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot create a mutex");
        goto fail;
    }
    if (pipe(a->wake) != 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "pipe: %s", strerror(errno));
        goto fail;
    }
    fcntl(a->wake[0], F_SETFL, O_NONBLOCK);
    fcntl(a->wake[0], F_SETFD, FD_CLOEXEC);
    fcntl(a->wake[1], F_SETFD, FD_CLOEXEC);
    /* jobs trials compute at once; the threads beyond them carry trials
     * that wait at a pruning rung, so that a queued lower-index trial (whose
     * value the waiting ones need) still gets a core. */
    a->jobs = jobs;
    int threads = lrs_pool_threads(jobs);
    a->max_threads = threads;
    a->threads = calloc((size_t)threads, sizeof *a->threads);
    a->slots = calloc((size_t)threads, sizeof *a->slots);
    if (!a->threads || !a->slots) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        goto fail;
    }
    for (int i = 0; i < threads; i++) {
        a->slots[i].pool = a;
        atomic_init(&a->slots[i].cancel, 0);
        atomic_init(&a->slots[i].prune, 0);
    }
    for (; a->n_threads < jobs; a->n_threads++)   /* more start when trials wait at rungs */
        if (pthread_create(&a->threads[a->n_threads], NULL, trial_thread,
                           &a->slots[a->n_threads]) != 0) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "cannot start trial threads");
            goto fail;
        }
    return a;
fail:
    lrs_pool_destroy(&a);
    return NULL;
}

void lrs_pool_destroy(lrs_pool_t **pp)
{
    pool_t *a = *pp;
    if (!a)
        return;
    if (a->have_mu && a->have_cv) {
        pthread_mutex_lock(&a->mu);
        a->stop = 1;
        for (int i = 0; i < a->n_threads; i++)   /* a stopping worker leaves no command behind */
            atomic_store(&a->slots[i].cancel, 1);
        pthread_cond_broadcast(&a->cv);
        pthread_mutex_unlock(&a->mu);
    }
    for (int i = 0; i < a->n_threads; i++)
        pthread_join(a->threads[i], NULL);
    free(a->threads);
    for (int i = 0; a->slots && i < a->max_threads; i++)
        free(a->slots[i].asks);
    free(a->slots);
    for (int i = 0; i < a->q_len; i++)
        lrs_sweep_ctx_unref(a->queue[(a->q_head + i) % a->q_cap].ctx);
    free(a->queue);
    for (int i = 0; i < a->n_kept; i++)
        lrs_wire_result_clear(&a->kept[i].r);
    free(a->kept);
    if (a->wake[0] >= 0)
        close(a->wake[0]);
    if (a->wake[1] >= 0)
        close(a->wake[1]);
    if (a->have_cv)
        pthread_cond_destroy(&a->cv);
    if (a->have_mu)
        pthread_mutex_destroy(&a->mu);
    free(a);
    *pp = NULL;
}

int lrs_pool_wake_fd(const lrs_pool_t *p) { return p->wake[0]; }

/* ---- the queue ----------------------------------------------------------- */

int lrs_pool_push(lrs_pool_t *a, lrs_sweep_ctx_t *s, const lrs_wire_trial_t *trials, int n)
{
    pthread_mutex_lock(&a->mu);
    if (a->q_len + n > a->q_cap) {
        int cap = a->q_cap ? a->q_cap : 64;
        while (cap < a->q_len + n)
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
    for (int i = 0; i < n; i++)
        a->queue[(a->q_head + a->q_len++) % a->q_cap] = (job_t){lrs_sweep_ctx_ref(s), trials[i]};
    grow(a);
    pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return 0;
}

void lrs_pool_drop_queue(lrs_pool_t *a)
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
        lrs_sweep_ctx_unref(jobs[i].ctx);
    free(jobs);
}

void lrs_pool_cancel_running(lrs_pool_t *a)
{
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->n_threads; i++)
        if (a->slots[i].busy)
            atomic_store(&a->slots[i].cancel, 1);
    pthread_cond_broadcast(&a->cv);   /* trials waiting at a rung stop waiting */
    pthread_mutex_unlock(&a->mu);
}

int lrs_pool_in_hand(lrs_pool_t *a, double *avg_trial_s)
{
    pthread_mutex_lock(&a->mu);
    /* Trials waiting at a rung use no core: not in hand, unless every
     * thread there may be is taken (then nothing more could start); a trial
     * pushed meanwhile starts a thread (grow). */
    int have = a->q_len + a->running - (a->running < a->max_threads ? a->waiting : 0);
    *avg_trial_s = a->avg_trial_s;
    pthread_mutex_unlock(&a->mu);
    return have;
}

int lrs_pool_unacked(lrs_pool_t *a)
{
    pthread_mutex_lock(&a->mu);
    int n = a->n_kept;
    pthread_mutex_unlock(&a->mu);
    return n;
}

int lrs_pool_idle(lrs_pool_t *a)
{
    pthread_mutex_lock(&a->mu);
    int idle = a->running == 0 && a->n_kept == 0;
    pthread_mutex_unlock(&a->mu);
    return idle;
}

/* ---- kept results -------------------------------------------------------- */

void lrs_pool_send_due(lrs_pool_t *a, uint64_t token, int64_t now, int64_t resend_ms,
                       lrs_wbuf_t *out, void (*send)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&a->mu);
    for (;;) {
        int n = 0;
        size_t bytes = 0;
        for (int i = 0; i < a->n_kept && n < LRS_PROTO_MAX_BATCH; i++) {
            kept_result_t *k = &a->kept[i];
            if (k->token != token || (k->sent_ms && now - k->sent_ms < resend_ms))
                continue;
            size_t size = lrs_proto_result_bytes(&k->r);
            if (n > 0 && bytes + size > LRS_PROTO_MAX_MSG / 2)
                break;
            bytes += size;
            n++;
        }
        if (n == 0)
            break;
        lrs_proto_results_begin(out, token, n);
        for (int i = 0, added = 0; i < a->n_kept && added < n; i++) {
            kept_result_t *k = &a->kept[i];
            if (k->token != token || (k->sent_ms && now - k->sent_ms < resend_ms))
                continue;
            lrs_proto_results_add(out, &k->r);
            k->sent_ms = now;
            added++;
        }
        send(ctx);
    }
    pthread_mutex_unlock(&a->mu);
}

int lrs_pool_threads(int jobs)
{
    return jobs + LRS_POOL_MAX_WAITING;
}

void lrs_pool_send_rungs(lrs_pool_t *a, uint64_t token, int64_t now, int64_t resend_ms,
                         lrs_wbuf_t *out, void (*send)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->n_threads; i++) {
        trial_slot_t *s = &a->slots[i];
        if (!s->busy || !asks_pending(s) || s->token != token ||
            (s->ask_sent_ms && now - s->ask_sent_ms < resend_ms))
            continue;
        const rung_ask_t *q = &s->asks[s->ask_next];
        lrs_proto_rung(out, token, s->trial, s->attempt, q->epoch, q->value, q->best);
        send(ctx);
        s->ask_sent_ms = now;
    }
    pthread_mutex_unlock(&a->mu);
}

int lrs_pool_verdict(lrs_pool_t *a, uint64_t token, uint64_t trial, uint32_t attempt, int epoch,
                     int prune)
{
    int found = 0;
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->n_threads; i++) {
        trial_slot_t *s = &a->slots[i];
        if (s->busy && asks_pending(s) && s->token == token && s->trial == trial &&
            s->attempt == attempt && s->asks[s->ask_next].epoch == epoch) {
            if (prune) {
                s->pruned_epoch = epoch;
                atomic_store(&s->prune, 1);
            } else {
                s->ask_next++;   /* the next RUNG goes with the next send */
                s->ask_sent_ms = 0;
            }
            found = 1;
        }
    }
    if (found)
        pthread_cond_broadcast(&a->cv);
    pthread_mutex_unlock(&a->mu);
    return found;
}

void lrs_pool_mark_unsent(lrs_pool_t *a)
{
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < a->n_threads; i++)
        a->slots[i].ask_sent_ms = 0;   /* RUNGs waiting go again too */
    for (int i = 0; i < a->n_kept; i++)
        a->kept[i].sent_ms = 0;   /* re-send all after the next WELCOME */
    pthread_mutex_unlock(&a->mu);
}

void lrs_pool_ack(lrs_pool_t *a, uint64_t token, const uint64_t *acks, int n_acks)
{
    pthread_mutex_lock(&a->mu);
    for (int i = 0; i < n_acks; i++)
        for (int k = 0; k < a->n_kept; k++)
            if (a->kept[k].r.trial == acks[i] && a->kept[k].token == token) {
                lrs_wire_result_clear(&a->kept[k].r);
                a->kept[k] = a->kept[--a->n_kept];
                break;
            }
    pthread_mutex_unlock(&a->mu);
}

void lrs_pool_keep_only(lrs_pool_t *a, uint64_t token)
{
    pthread_mutex_lock(&a->mu);
    for (int k = 0; k < a->n_kept;) {
        if (a->kept[k].token != token) {
            lrs_wire_result_clear(&a->kept[k].r);
            a->kept[k] = a->kept[--a->n_kept];
        } else {
            k++;
        }
    }
    pthread_mutex_unlock(&a->mu);
}
