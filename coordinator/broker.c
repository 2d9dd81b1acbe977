/* broker.c — see broker.h.  The Paranoid Pirate pattern (ZeroMQ Guide)
 * plus durable state: a ROUTER, a monotonic clock, and timers checked after
 * every wake of zmq_poll.
 *
 * The sweep itself (its row, trial table, counters, how an outcome becomes
 * a row) is coordinator/sweep.c, the trial table coordinator/trials.c; this
 * file is the loop, the workers and what goes over the socket.  Memory is
 * O(workers · leases) plus the trial table's (what is in flight). */
#include "coordinator/broker.h"
#include "coordinator/broker_in.h"

#include <errno.h>
#include <inttypes.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include <zmq.h>

#include "common/cli.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto_decode.h"
#include "common/proto_encode.h"
#include "common/protocol.h"
#include "common/spec_rules.h"
#include "common/textesc.h"
#include "common/timer.h"
#include "coordinator/access.h"
#include "coordinator/listen.h"
#include "coordinator/peerlog.h"
#include "coordinator/served_data.h"
#include "coordinator/store.h"
#include "coordinator/sweep.h"
#include "coordinator/trials.h"
#include "coordinator/workers.h"

void lrs_broker_opts_init(lrs_broker_opts_t *o)
{
    memset(o, 0, sizeof *o);
    o->max_attempts = 3;
    o->heartbeat_ms = LRS_HEARTBEAT_MS;
    o->liveness = LRS_HEARTBEAT_LIVENESS;
    o->flush_ms = 50;
    o->flush_batch = 4096;
    o->max_workers = 1024;
    o->drain_s = 30;
    o->progress = 1;
}


static void say_line(void *ctx, const char *line) { lrs_broker_log(ctx, "%s", line); }

static int listen_all(lrs_broker_t *b, lrs_err_t *err)
{
    lrs_listen_opts_t lo = {
        .binds = b->opts.binds, .n_binds = b->opts.n_binds, .max_msg = LRS_PROTO_MAX_MSG,
        .hwm = 1000, .key = b->opts.key, .allow_path = b->opts.allow_path,
        .extra_key = b->opts.extra_key, .say = say_line, .say_ctx = b,
    };
    b->net = lrs_listen_new(&lo, err);
    if (!b->net)
        return -1;
    b->router = lrs_listen_router(b->net);
    return 0;
}

/* A resumed sweep keeps the behaviour rules it was created under
 * (common/spec_rules.h): the spec is parsed again under them when they are
 * not the ones it was loaded with, before the hash is compared. */
static int adopt_rules(lrs_broker_t *b, lrs_err_t *err)
{
    lrs_sweep_row_t row;
    int found = lrs_store_sweep_get(b->store, b->info->name, &row, err);
    if (found <= 0 || row.rules == lrs_spec_rules(b->spec))
        return found < 0 ? -1 : 0;
    if (!lrs_rules_known(row.rules))
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: sweep '%s' was created under behaviour rules %d; this lrsweep "
                           "knows 0..%d: resume it with a newer release",
                           b->opts.db_path, b->info->name, row.rules, LRS_RULES_CURRENT);
    if (lrs_spec_with_rules(b->spec, row.rules, &b->own_spec, err) != 0)
        return -1;
    b->spec = b->own_spec;
    b->info = lrs_spec_info(b->spec);
    if (b->opts.progress)   /* --quiet: errors and the result line only */
        lrs_broker_log(b, "sweep '%s' keeps the behaviour rules it was created under: %d (new "
                      "sweeps get %d)", b->info->name, row.rules, LRS_RULES_CURRENT);
    return 0;
}

static int send_out_cb(void *ctx, const uint8_t *id, size_t id_len)
{
    return lrs_broker_send_out(ctx, id, id_len);
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
    lrs_log_init(&b->log, b->opts.log, b->opts.log_format, "coordinator", NULL);
    b->spec = spec;
    b->info = lrs_spec_info(spec);
    lrs_wbuf_init(&b->out);
    /* The data is checked before the database is opened: a sweep whose data
     * cannot train creates nothing. */
    if (lrs_served_data_load(b->info, &b->data, err) != 0)
        goto fail;
    b->store = lrs_store_open(opts->db_path, LRS_STORE_WRITE, err);
    if (!b->store || adopt_rules(b, err) != 0)
        goto fail;
    lrs_sweep_origin_t origin = {
        .data_hash = b->data.present ? b->data.data_hash : NULL, .data_path = b->info->data_path,
        .transport = lrs_access_transport(opts->key != NULL, opts->binds, opts->n_binds)};
    b->state = lrs_sweep_open(b->store, b->spec, opts->db_path, &origin, err);
    if (!b->state)
        goto fail;
    b->sweep = lrs_sweep_row(b->state);
    b->trials = lrs_sweep_trials(b->state);
    lrs_broker_prune_env_t pe = {
        .spec = b->spec, .store = b->store, .state = b->state, .trials = b->trials,
        .workers = &b->workers, .out = &b->out, .send = send_out_cb, .send_ctx = b,
        .unflushed = &b->unflushed};
    if (lrs_broker_prune_open(&b->prune, &pe, err) != 0)
        goto fail;
    if (lrs_sweep_extended_from(b->state))
        lrs_broker_log(b, "extending sweep '%s' from %" PRId64 " to %" PRId64 " trials",
                       b->sweep->name, lrs_sweep_extended_from(b->state), b->sweep->trials);
    if (lrs_served_spec_make(b->spec, b->sweep->token, b->sweep->name, &b->data,
                             b->opts.heartbeat_ms, b->opts.liveness, &b->served, err) != 0 ||
        listen_all(b, err) != 0)
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

uint64_t lrs_broker_remaining(const lrs_broker_t *b)
{
    if (lrs_sweep_ended_note(b->state))   /* stopped or out of budget: nothing to run */
        return 0;
    return lrs_trials_total(b->trials) - lrs_trials_done(b->trials);
}

const char *lrs_broker_sweep_name(const lrs_broker_t *b) { return b->sweep->name; }

void lrs_broker_get_stats(const lrs_broker_t *b, lrs_broker_stats_t *out)
{
    out->rejected = b->peers.rejected;
    lrs_sweep_counts_t c;
    lrs_sweep_counts(b->state, &c);
    out->recorded = c.session_done;
    out->trial_table_bytes = lrs_trials_footprint(b->trials);
    out->results_dropped = b->results_dropped;
    out->live_workers = b->workers.live;
    out->worker_slots = b->workers.n;
    out->done = c.done;
    out->total = c.total;
    out->best = c.best;
    out->best_desc = c.best_desc;
}

void lrs_broker_destroy(lrs_broker_t **bp)
{
    if (!bp || !*bp)
        return;
    lrs_broker_t *b = *bp;
    lrs_workers_clear(&b->workers);
    lrs_broker_prune_close(&b->prune);
    lrs_served_data_clear(&b->data);
    lrs_served_spec_clear(&b->served);
    lrs_listen_destroy(&b->net);
    lrs_store_destroy(&b->store);
    lrs_wbuf_free(&b->out);
    lrs_sweep_destroy(&b->state);
    lrs_spec_destroy(&b->own_spec);
    free(b);
    *bp = NULL;
}

/* ---- commits and the loop ---------------------------------------------- */

static int flush(lrs_broker_t *b, lrs_err_t *err)
{
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        if (w->live && w->dirty && lrs_broker_save_worker(b, w, NULL, err) != 0)
            return -1;
    }
    if (lrs_store_flush(b->store, err) != 0)
        return -1;
    b->unflushed = 0;
    /* Durable now: tell the workers they may forget these results. */
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        for (int off = 0; w->live && off < w->n_acks; off += LRS_PROTO_MAX_BATCH) {
            int n = w->n_acks - off < LRS_PROTO_MAX_BATCH ? w->n_acks - off : LRS_PROTO_MAX_BATCH;
            lrs_proto_ack_begin(&b->out, b->sweep->token, n);
            for (int k = 0; k < n; k++)
                lrs_proto_ack_add(&b->out, w->acks[off + k]);
            lrs_broker_send_out(b, w->id, w->id_len);
        }
        w->n_acks = 0;
    }
    lrs_broker_prune_reply(&b->prune);   /* the decisions this commit made durable */
    return 0;
}

static int expire_workers(lrs_broker_t *b, int64_t now, lrs_err_t *err)
{
    int64_t limit = (int64_t)b->opts.heartbeat_ms * b->opts.liveness;
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        if (w->live && now - w->last_seen_ms > limit) {
            lrs_broker_log(b, "worker %s stopped heartbeating; %d trial(s) go back to the queue",
                           w->name, w->n_leases);
            if (lrs_broker_retire(b, w, LRS_WORKER_LOST, err) != 0)
                return -1;
        }
    }
    return 0;
}

static void send_heartbeats(lrs_broker_t *b)
{
    lrs_proto_heartbeat(&b->out);
    for (int i = 0; i < b->workers.n; i++)
        if (b->workers.slots[i].live)
            lrs_broker_send_out(b, b->workers.slots[i].id, b->workers.slots[i].id_len);
}

static void progress(lrs_broker_t *b, int64_t now, int final)
{
    char line[512];
    /* a worker runs at most `jobs` trials at once, in the order it got
     * them: the leases beyond that wait in its queue (prefetched) */
    uint64_t queued = 0;
    for (int i = 0; i < b->workers.n; i++) {
        const lrs_worker_t *w = &b->workers.slots[i];
        if (w->live && w->n_leases > w->jobs)
            queued += (uint64_t)(w->n_leases - w->jobs);
    }
    lrs_sweep_progress_text(b->state, (double)(now - b->started_ms) / 1000.0, b->workers.live,
                            queued, line, sizeof line);
    if (b->opts.progress == 2 && !final) {
        char shown[LRS_TEXTESC_SIZE(sizeof line)];
        size_t fit = sizeof shown;
        struct winsize ws;   /* a wrapped line could not be redrawn in place */
        if (ioctl(fileno(b->opts.log), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 20 && ws.ws_col < fit)
            fit = ws.ws_col;
        fprintf(b->opts.log, "\r\033[K%s", lrs_text_escape_str(line, shown, fit));
        b->progress_drawn = 1;
        fflush(b->opts.log);
    } else if (b->opts.progress) {
        lrs_broker_log(b, "%s", line);
    }
}

/* Tells every connected worker that this coordinator stops: ended 1, the
 * sweep is complete (they exit 0); ended 0, it is not (they keep their
 * results and reconnect). */
static void shutdown_workers(lrs_broker_t *b, int ended, const char *reason)
{
    lrs_proto_shutdown(&b->out, b->sweep->token, ended, reason);
    for (int i = 0; i < b->workers.n; i++)
        if (b->workers.slots[i].live)
            lrs_broker_send_out(b, b->workers.slots[i].id, b->workers.slots[i].id_len);
}

/* ---- timers ------------------------------------------------------------ */

static int64_t on_flush_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now;
    return flush(ctx, err) != 0 ? LRS_TIMER_FAIL : LRS_TIMER_DISARM;
}

/* After a flood (many rejects, or sessions gone), the heap is handed back:
 * glibc keeps freed memory otherwise, and a coordinator that ballooned once
 * would stay big for the rest of a long sweep. */
static void trim_heap(lrs_broker_t *b)
{
    uint64_t churn = b->peers.rejected + (uint64_t)b->workers.n - (uint64_t)b->workers.live;
    if (churn == b->trimmed_at)
        return;
    b->trimmed_at = churn;
#ifdef __GLIBC__
    malloc_trim(0);
#endif
}

static int64_t on_expiry_due(void *ctx, int64_t now, lrs_err_t *err)
{
    lrs_broker_t *b = ctx;
    if (expire_workers(b, now, err) != 0)
        return LRS_TIMER_FAIL;
    trim_heap(b);
    return b->opts.heartbeat_ms / 4;
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
    shutdown_workers(b, 0, "the coordinator stopped; the sweep goes on when it is started again");
    return LRS_TIMER_FAIL;
}

/* SIGHUP: the allow list is read again; a list that does not load keeps
 * the old one (and says why). */
static int64_t on_reload_due(void *ctx, int64_t now, lrs_err_t *err)
{
    (void)now, (void)err;
    lrs_broker_t *b = ctx;
    int seen = atomic_load(b->opts.reload);
    if (seen == b->reloads_seen)
        return 200;
    b->reloads_seen = seen;
    lrs_err_t why;
    if (lrs_listen_reload(b->net, &why) != 0)
        lrs_broker_log(b, "SIGHUP: the allow list was not reloaded: %s", why.msg);
    else
        lrs_broker_log(b, "SIGHUP: reloaded the allow list (%zu keys)", lrs_listen_allowed(b->net));
    return 200;
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
    if (b->opts.reload && b->opts.key) {
        b->reloads_seen = atomic_load(b->opts.reload);
        lrs_timer_arm(ts, lrs_timer_add(ts, "allow-list reload", on_reload_due, b), now);
    }
    return flush_id;
}

/* One wait of the loop: up to timeout ms for the socket (and the ZAP
 * handler), then every message that arrived. */
static int wait_and_drain(lrs_broker_t *b, long timeout, lrs_err_t *err)
{
    zmq_pollitem_t items[2] = {{.socket = b->router, .events = ZMQ_POLLIN},
                               {.socket = lrs_listen_zap(b->net), .events = ZMQ_POLLIN}};
    if (zmq_poll(items, items[1].socket ? 2 : 1, timeout) < 0 && errno != EINTR)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "zmq_poll: %s", zmq_strerror(errno));
    lrs_listen_serve_zap(b->net);
    return lrs_broker_drain(b, err);
}

/* The sweep is complete: for opts.linger_ms (-1: until a signal) every
 * worker that still calls hears so (and exits 0) — one that missed the
 * SHUTDOWN, or a pod or array task that starts late. */
static int linger(lrs_broker_t *b, lrs_err_t *err)
{
    int64_t start = lrs_mono_ms(), until = start + b->opts.linger_ms;
    if (b->opts.linger_ms < 0)
        lrs_broker_log(b, "sweep complete; telling workers that still call so until stopped "
                          "(--linger forever)");
    else
        lrs_broker_log(b, "sweep complete; telling workers that still call so for %" PRId64
                          " s (--linger)", b->opts.linger_ms / 1000);
    for (int64_t now = start; b->opts.linger_ms < 0 || now < until; now = lrs_mono_ms()) {
        if (b->opts.interrupts && atomic_load(b->opts.interrupts) > 0)
            break;   /* the sweep is complete all the same: exit 0 */
        long timeout = b->opts.linger_ms < 0 || until - now > 200 ? 200 : (long)(until - now);
        if (wait_and_drain(b, timeout, err) != 0)
            return -1;
    }
    return 0;
}

/* Seconds the sweep has run, this session and every earlier one. */
static double sweep_elapsed(const lrs_broker_t *b, int64_t now)
{
    return b->elapsed_before + (double)(now - b->started_ms) / 1000.0;
}

static int64_t on_beat_due(void *ctx, int64_t now, lrs_err_t *err)
{
    lrs_broker_t *b = ctx;
    if (lrs_store_coordinator_beat(b->store, b->sweep->id, sweep_elapsed(b, now), err) != 0)
        return LRS_TIMER_FAIL;
    return LRS_COORDINATOR_BEAT_MS;
}

/* A request to stop (lrsweep stop) or a used-up budget starts the end:
 * no new trials; running ones finish, or with cancel end at once. */
static void check_ending(lrs_broker_t *b, int64_t now)
{
    int stop = b->opts.stops ? atomic_load(b->opts.stops) : 0;
    lrs_sweep_counts_t c;
    lrs_sweep_counts(b->state, &c);
    if (stop > b->ending) {   /* a cancel may follow a finish */
        if (!b->ending)
            snprintf(b->end_note, sizeof b->end_note,
                     "was stopped by request (lrsweep stop%s) with %" PRIu64 " of %" PRIu64
                     " trials finished", stop == LRS_STOP_CANCEL ? " --cancel" : "", c.done,
                     c.total);
        snprintf(b->end_kind, sizeof b->end_kind, "stopped");
        b->ending = stop;
        lrs_broker_log(b, "stop requested: no new trials; %s %" PRIu64 " running trial(s)",
                       stop == LRS_STOP_CANCEL ? "cancelling" : "waiting for", c.running);
        return;
    }
    if (!b->ending &&
        lrs_sweep_budget_used(b->state, sweep_elapsed(b, now), b->end_note, sizeof b->end_note)) {
        snprintf(b->end_kind, sizeof b->end_kind, "budget");
        b->ending = lrs_spec_info(b->spec)->budget->cancel ? LRS_STOP_CANCEL : LRS_STOP_FINISH;
        if (c.running)
            lrs_broker_log(b, "sweep '%s' %s; %s %" PRIu64 " running trial(s)", b->sweep->name,
                           b->end_note, b->ending == LRS_STOP_CANCEL ? "cancelling" : "waiting for",
                           c.running);
    }
}

/* Cancelled trials go back to pending: their leases are forgotten, so a
 * continued sweep runs them again at once. */
static int cancel_running(lrs_broker_t *b, lrs_err_t *err)
{
    uint64_t n = 0;
    for (int i = 0; i < b->workers.n; i++) {
        lrs_worker_t *w = &b->workers.slots[i];
        for (int k = 0; w->live && k < w->n_leases; k++, n++)
            if (lrs_store_del_lease(b->store, b->sweep->id, (int64_t)w->leases[k], err) != 0)
                return -1;
    }
    if (n)
        lrs_broker_log(b, "cancelled %" PRIu64 " running trial(s); they run again if the sweep "
                          "is continued", n);
    return 0;
}

/* The sweep ends here (complete, stopped or by budget): recorded, and
 * every worker told (they exit 0) and marked left. */
static int end_sweep(lrs_broker_t *b, lrs_err_t *err)
{
    lrs_sweep_counts_t c;
    lrs_sweep_counts(b->state, &c);
    const lrs_budget_t *bu = lrs_spec_info(b->spec)->budget;
    if (!b->ending) {
        snprintf(b->end_kind, sizeof b->end_kind, "complete");
        snprintf(b->end_note, sizeof b->end_note, "is complete (%" PRIu64 " trials)", c.total);
    }
    if (b->ending == LRS_STOP_CANCEL && cancel_running(b, err) != 0)
        return -1;
    int stopped = strcmp(b->end_kind, "stopped") == 0;
    if (lrs_store_sweep_end(b->store, b->sweep->id, b->end_kind, b->end_note,
                            stopped ? (int64_t)bu->trials : 0, stopped ? bu->seconds : 0,
                            err) != 0)
        return -1;
    b->ended = 1;
    if (b->ending)
        snprintf(b->end_reason, sizeof b->end_reason, "sweep '%s' %s", b->sweep->name,
                 b->end_note);
    else   /* the words workers and scripts know */
        snprintf(b->end_reason, sizeof b->end_reason, "sweep '%s' is complete", b->sweep->name);
    if (b->ending)
        lrs_broker_log(b, "%s", b->end_reason);
    return 0;
}

/* Every live worker's row says it left, and why (before the last commit). */
static int workers_left(lrs_broker_t *b, const char *why, lrs_err_t *err)
{
    for (int i = 0; i < b->workers.n; i++)
        if (b->workers.slots[i].live &&
            lrs_broker_save_worker(b, &b->workers.slots[i], why, err) != 0)
            return -1;
    return 0;
}

static int run_sweep(lrs_broker_t *b, lrs_err_t *err)
{
    int64_t now = lrs_mono_ms(), drain_deadline = 0;
    int draining = 0, status = 0;
    const char *ended_note = lrs_sweep_ended_note(b->state);
    lrs_timers_t timers;
    int flush_id = timers_start(b, &timers, now);
    lrs_timer_arm(&timers, lrs_timer_add(&timers, "coordinator beat", on_beat_due, b),
                  now + LRS_COORDINATOR_BEAT_MS);
    if (ended_note)
        lrs_broker_log(b, "%s", ended_note);
    else if (b->opts.progress)
        lrs_broker_log(b, "sweep '%s': %" PRIu64 " trials, %" PRIu64 " already recorded",
                       b->sweep->name, lrs_trials_total(b->trials), lrs_trials_done(b->trials));
    if (lrs_sweep_continued(b->state))
        lrs_broker_log(b, "continuing sweep '%s', which %s", b->sweep->name, b->sweep->end_reason);
    while ((lrs_broker_remaining(b) > 0 || lrs_store_pending(b->store) > 0 || b->unflushed)) {
        int interrupts = b->opts.interrupts ? atomic_load(b->opts.interrupts) : 0;
        if (interrupts >= 2) {
            lrs_broker_log(b, "interrupted again: stopping now");
            status = LRS_EXIT_INTERRUPTED;
            break;
        }
        if (interrupts == 1 && !draining) {
            draining = 1;
            drain_deadline = now + (int64_t)(b->opts.drain_s * 1000);
            lrs_broker_log(b, "interrupted: no new trials; waiting up to %.0f s for %" PRIu64
                              " running trial(s) (Ctrl-C again to stop at once)",
                           b->opts.drain_s, lrs_trials_running(b->trials));
        }
        if (draining && (lrs_trials_running(b->trials) == 0 || now >= drain_deadline)) {
            status = LRS_EXIT_INTERRUPTED;
            break;
        }
        if (!draining)
            check_ending(b, now);
        if (b->ending == LRS_STOP_CANCEL ||
            (b->ending == LRS_STOP_FINISH && lrs_trials_running(b->trials) == 0))
            break;
        if (b->unflushed || lrs_store_pending(b->store) > 0)
            lrs_timer_arm_once(&timers, flush_id, now + b->opts.flush_ms);
        long timeout = lrs_timers_timeout(&timers, now, LRS_HEARTBEAT_MS);
        if (draining && drain_deadline - now < timeout)
            timeout = drain_deadline > now ? (long)(drain_deadline - now) : 0;
        if (wait_and_drain(b, timeout, err) != 0)
            return -1;
        now = lrs_mono_ms();
        /* A full batch commits at once; so do pruning decisions, whose
         * trials wait for the commit before they hear them (what arrived in
         * one pass of the loop shares it). */
        if (b->unflushed >= b->opts.flush_batch || b->prune.n_replies > 0) {
            if (flush(b, err) != 0)
                return -1;
            lrs_timer_disarm(&timers, flush_id);
        }
        if (lrs_timers_run(&timers, now, err) != 0)
            return -1;
        if (!draining && !b->ending)
            for (int i = 0; i < b->workers.n; i++)
                if (b->workers.slots[i].live && b->workers.slots[i].credit > 0 &&
                    lrs_broker_dispatch(b, &b->workers.slots[i], err) != 0)
                    return -1;
    }
    if (flush(b, err) != 0)
        return -1;
    if (status == 0) {
        if (ended_note) {
            b->ended = 1;
            snprintf(b->end_reason, sizeof b->end_reason, "%s", ended_note);
        } else if (end_sweep(b, err) != 0) {
            return -1;
        }
        shutdown_workers(b, 1, b->end_reason);
    } else {
        shutdown_workers(b, 0, "the coordinator was interrupted; the sweep goes on when it is "
                               "started again");
    }
    if (workers_left(b, status == 0 ? "the sweep ended" : "the coordinator stopped", err) != 0 ||
        lrs_store_coordinator_beat(b->store, b->sweep->id, sweep_elapsed(b, lrs_mono_ms()),
                                   err) != 0)
        return -1;
    if (b->opts.progress)
        progress(b, lrs_mono_ms(), 1);
    if (status == 0 && b->opts.linger_ms != 0 && linger(b, err) != 0)
        return -1;
    if (b->peers.rejected)
        lrs_broker_log(b, "%" PRIu64 " malformed or unexpected message(s) were rejected",
                       b->peers.rejected);
    return status;
}

int lrs_broker_run(lrs_broker_t *b, lrs_err_t *err)
{
    char host[256] = "";
    if (gethostname(host, sizeof host) != 0 || !host[0])
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    b->started_ms = lrs_mono_ms();
    b->elapsed_before = b->sweep->elapsed;
    if (lrs_store_coordinator_start(b->store, b->sweep->id, host, (int64_t)getpid(), err) != 0)
        return -1;
    int status = run_sweep(b, err);
    lrs_err_t ignored;   /* best effort: the run's own outcome is the one to report */
    lrs_store_coordinator_exit(b->store, b->sweep->id, status < 0 ? LRS_EXIT_RUNTIME : status,
                               &ignored);
    return status;
}
