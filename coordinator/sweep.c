/* sweep.c — see sweep.h.  Creating or resuming a sweep's row, reading its
 * recorded trials and leftover leases into the trial table, and turning
 * each outcome into a trial row: parameters re-derived from the spec (a
 * trial is a pure function of spec, seed and index, so nothing the worker
 * says about them is trusted), a command's text columns escaped to UTF-8
 * and its curve reduced to the per-epoch rows the built-in engine writes. */
#include "coordinator/sweep.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/command.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/params.h"
#include "common/rng.h"
#include "common/space_json.h"
#include "common/spec_confirm.h"

/* A lease the previous coordinator granted, read back on resume: its holder
 * may still deliver the result it computed meanwhile. */
typedef struct resumed_lease {
    uint64_t trial;
    uint32_t attempt;
    char worker[128];
} resumed_lease_t;

struct lrs_sweep {
    lrs_store_t *store;
    const lrs_spec_t *spec;
    lrs_sweep_row_t row;
    int64_t extended_from;
    lrs_trials_t *trials;
    resumed_lease_t *resumed;        /* sorted by trial */
    size_t n_resumed, cap_resumed;
    uint64_t failed, diverged, session_done;
    uint64_t pruned, epochs_saved;
    const lrs_budget_t *budget;
    char ended_note[1024];            /* "": it has work to do */
    int continued;
    double best;
    char best_desc[160];
    uint64_t *confirm_seen;           /* confirmation runs in the database (read on resume) */
    size_t n_seen, cap_seen;
};

/* ---- creation / resume ------------------------------------------------- */

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

/* The row's search space as JSON (schema 009): at creation, and for a sweep
 * created before version 9 (the store keeps a space already there). */
static int record_space(lrs_sweep_t *s, lrs_err_t *err)
{
    char *json = lrs_space_json_text(lrs_spec_space(s->spec));
    if (!json)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    int rc = lrs_store_sweep_set_space(s->store, s->row.id, json, err);
    free(json);
    return rc;
}

/* Every check of a resume comes before its first write: a refused resume
 * leaves the database as it was. */
static int open_row(lrs_sweep_t *s, const char *db_path, const lrs_sweep_origin_t *o,
                    lrs_err_t *err)
{
    const char *data_hash = o->data_hash && o->data_hash[0] ? o->data_hash : NULL;
    const char *transport = lrs_transport_name(o->transport);
    const lrs_spec_info_t *info = lrs_spec_info(s->spec);
    uint64_t want = lrs_spec_trial_count(s->spec);
    char space_hash[32];
    snprintf(space_hash, sizeof space_hash, "%016" PRIx64, lrs_spec_space_hash(s->spec));
    int found = lrs_store_sweep_get(s->store, info->name, &s->row, err);
    if (found < 0)
        return -1;
    if (!found) {
        memset(&s->row, 0, sizeof s->row);
        snprintf(s->row.name, sizeof s->row.name, "%s", info->name);
        s->row.token = random_token();
        snprintf(s->row.space_hash, sizeof s->row.space_hash, "%s", space_hash);
        s->row.seed = info->seed;
        s->row.trials = (int64_t)want;
        snprintf(s->row.metric, sizeof s->row.metric, "%s", info->metric);
        s->row.maximize = info->goal == LRS_GOAL_MAXIMIZE;
        snprintf(s->row.data_hash, sizeof s->row.data_hash, "%s", data_hash ? data_hash : "");
        snprintf(s->row.transport, sizeof s->row.transport, "%s", transport);
        s->row.rules = lrs_spec_rules(s->spec);   /* lrs_broker_new parsed a resume under its own */
        if (lrs_store_sweep_create(s->store, &s->row, lrs_spec_text(s->spec), err) != 0)
            return -1;
        return record_space(s, err);
    }
    if (strcmp(s->row.space_hash, space_hash) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: sweep '%s' exists with a different search space or settings "
                           "(hash %s, the spec now gives %s); resuming it would mix results — "
                           "give the spec a new name",
                           db_path, info->name, s->row.space_hash, space_hash);
    if (s->row.data_hash[0] && data_hash && strcmp(s->row.data_hash, data_hash) != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: sweep '%s' was created with data content hash %s; %s now gives "
                           "%s: resuming would mix results — give the spec a new name or "
                           "restore the file",
                           db_path, info->name, s->row.data_hash,
                           o->data_path ? o->data_path : "the data", data_hash);
    if (lrs_store_sweep_set_origin(s->store, s->row.id, data_hash, transport, err) != 0 ||
        record_space(s, err) != 0)
        return -1;
    if (!s->row.data_hash[0] && data_hash)
        snprintf(s->row.data_hash, sizeof s->row.data_hash, "%s", data_hash);
    snprintf(s->row.transport, sizeof s->row.transport, "%s", transport);
    if ((int64_t)want > s->row.trials) {
        if (lrs_store_sweep_set_trials(s->store, s->row.id, (int64_t)want, err) != 0)
            return -1;
        s->extended_from = s->row.trials;
        s->row.trials = (int64_t)want;
    }
    return 0;
}

/* The progress line's best trial: score and what it was. */
static void set_best(lrs_sweep_t *s, double score, double lr, const char *sched)
{
    char lr_text[32];
    lrs_fmt_display(lr, LRS_FMT_SHORT_DIGITS, lr_text, sizeof lr_text);
    s->best = score;
    snprintf(s->best_desc, sizeof s->best_desc, "lr %s, %s", lr_text, sched);
}

static void note_best(lrs_sweep_t *s, double score, const lrs_trial_cfg_t *cfg)
{
    if (!isfinite(score))
        return;
    if (isnan(s->best) || (s->row.maximize ? score > s->best : score < s->best))
        set_best(s, score, cfg->optim.lr, lrs_scheduler_name(cfg->sched.kind));
}

typedef struct load_ctx {
    lrs_sweep_t *s;
    int oom;
} load_ctx_t;

/* Marks a recorded trial done and counts the outcomes of the search
 * trials (those within the budget) that the progress line starts from. */
static void done_cb(void *ctx, int64_t trial, int status)
{
    load_ctx_t *c = ctx;
    lrs_sweep_t *s = c->s;
    if (trial >= 0 && lrs_trials_set_done(s->trials, (uint64_t)trial) < 0)
        c->oom = 1;
    if (trial >= 0 && lrs_confirm_of((uint64_t)trial, NULL)) {   /* marked when confirmed */
        if (s->n_seen == s->cap_seen) {
            size_t cap = s->cap_seen ? s->cap_seen * 2 : 16;
            uint64_t *q = realloc(s->confirm_seen, cap * sizeof *q);
            if (!q) {
                c->oom = 1;
                return;
            }
            s->confirm_seen = q;
            s->cap_seen = cap;
        }
        s->confirm_seen[s->n_seen++] = (uint64_t)trial;
        return;
    }
    if (trial < 0 || trial >= s->row.trials)
        return;
    s->failed += status == LRS_STATUS_FAILED;
    s->diverged += status == LRS_STATUS_DIVERGED;
    s->pruned += status == LRS_STATUS_PRUNED;
}

static void lease_cb(void *ctx, int64_t trial, int attempt, const char *worker)
{
    load_ctx_t *c = ctx;
    lrs_sweep_t *s = c->s;
    if (trial < 0 || attempt < 1 || !lrs_trials_in(s->trials, (uint64_t)trial))
        return;
    if (lrs_trials_resume_lease(s->trials, (uint64_t)trial, (uint32_t)attempt) != 0) {
        c->oom = 1;
        return;
    }
    if (s->n_resumed == s->cap_resumed) {
        size_t cap = s->cap_resumed ? s->cap_resumed * 2 : 16;
        resumed_lease_t *q = realloc(s->resumed, cap * sizeof *q);
        if (!q) {
            c->oom = 1;
            return;
        }
        s->resumed = q;
        s->cap_resumed = cap;
    }
    resumed_lease_t *r = &s->resumed[s->n_resumed++];
    r->trial = (uint64_t)trial;
    r->attempt = (uint32_t)attempt;
    snprintf(r->worker, sizeof r->worker, "%s", worker ? worker : "");
}

static int resumed_cmp(const void *pa, const void *pb)
{
    const resumed_lease_t *x = pa, *y = pb;
    return (x->trial > y->trial) - (x->trial < y->trial);
}

static const resumed_lease_t *resumed_find(const lrs_sweep_t *s, uint64_t trial)
{
    resumed_lease_t key = {.trial = trial};
    return s->n_resumed ? bsearch(&key, s->resumed, s->n_resumed, sizeof key, resumed_cmp) : NULL;
}

/* Search trials recorded (confirmation runs not counted). */
static uint64_t search_done(const lrs_sweep_t *s)
{
    return lrs_trials_done(s->trials) - lrs_trials_extra_done(s->trials);
}

/* With `confirm:`, once every search trial is recorded: the confirmation
 * runs of the top K complete search trials join the table, best first;
 * those the database already holds are done.  Idempotent, so a resume, an
 * extension (new members of the top K) and the last search result all
 * call it. */
static int add_confirmations(lrs_sweep_t *s, lrs_err_t *err)
{
    const lrs_confirm_spec_t *c = lrs_spec_info(s->spec)->confirm;
    if (!c || c->top <= 0 || search_done(s) < lrs_trials_search_total(s->trials))
        return 0;
    uint64_t top[LRS_CONFIRM_MAX_TOP];
    int n = 0;
    if (lrs_store_top_search(s->store, s->row.id, s->row.maximize, c->top, top, &n, err) != 0)
        return -1;
    for (int i = 0; i < n; i++) {
        uint64_t idx = lrs_confirm_index(top[i]);
        int added = lrs_trials_add_extra(s->trials, idx);
        for (size_t k = 0; added == 1 && k < s->n_seen; k++)
            if (s->confirm_seen[k] == idx)
                added = lrs_trials_set_done(s->trials, idx) < 0 ? -1 : 1;
        if (added < 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    }
    return 0;
}

/* "2h", "90 s": a budget's time as the messages show it. */
static void duration_text(double seconds, char *out, size_t size)
{
    if (seconds >= 3600 && fmod(seconds, 3600) == 0)
        snprintf(out, size, "%.0fh", seconds / 3600);
    else if (seconds >= 60 && fmod(seconds, 60) == 0)
        snprintf(out, size, "%.0fm", seconds / 60);
    else
        snprintf(out, size, "%.0fs", seconds);
}

/* Whether a sweep that ended has more to do under this spec (sweep.h). */
static int decide_end(lrs_sweep_t *s, lrs_err_t *err)
{
    const char *ended = s->row.ended;
    const lrs_budget_t *bu = s->budget;
    int more;
    char why[256];
    if (!ended[0])
        return 0;
    if (strcmp(ended, "stopped") == 0) {
        more = s->extended_from > 0 ||
               (bu->trials > 0 && (s->row.stop_budget_trials <= 0 ||
                                   (int64_t)bu->trials > s->row.stop_budget_trials)) ||
               (bu->seconds > 0 && (s->row.stop_budget_seconds <= 0 ||
                                    bu->seconds > s->row.stop_budget_seconds));
        snprintf(why, sizeof why, "to continue it, run it with a larger budget than it was "
                                  "stopped under (budget.trials, budget.time) or a larger trials:");
    } else if (strcmp(ended, "budget") == 0) {
        more = lrs_sweep_budget_used(s, s->row.elapsed, NULL, 0) == 0 &&
               lrs_trials_done(s->trials) < lrs_trials_total(s->trials);
        snprintf(why, sizeof why, "to continue it, raise budget.trials or budget.time");
    } else {   /* complete: a larger trials: extends it, as before schema 005 */
        if (lrs_trials_done(s->trials) >= lrs_trials_total(s->trials))
            return 0;
        more = 1;
    }
    if (!more) {
        snprintf(s->ended_note, sizeof s->ended_note, "sweep '%s' %s; %s", s->row.name,
                 s->row.end_reason[0] ? s->row.end_reason : "ended", why);
        return 0;
    }
    if (lrs_store_sweep_reopen(s->store, s->row.id, err) != 0)
        return -1;
    s->continued = strcmp(ended, "complete") != 0;
    s->row.ended[0] = '\0';
    return 0;
}

const char *lrs_sweep_ended_note(const lrs_sweep_t *s) { return s->ended_note[0] ? s->ended_note : NULL; }

int lrs_sweep_continued(const lrs_sweep_t *s) { return s->continued; }

uint64_t lrs_sweep_startable(const lrs_sweep_t *s)
{
    if (!s->budget->trials)
        return UINT64_MAX;
    uint64_t used = lrs_trials_done(s->trials) + lrs_trials_running(s->trials);
    return used < s->budget->trials ? s->budget->trials - used : 0;
}

int lrs_sweep_budget_used(const lrs_sweep_t *s, double elapsed, char *reason, size_t size)
{
    const lrs_budget_t *bu = s->budget;
    uint64_t done = lrs_trials_done(s->trials);
    char t[32];
    if (bu->trials && done >= bu->trials) {
        if (reason)
            snprintf(reason, size, "used up its budget of %" PRIu64 " trials", bu->trials);
        return 1;
    }
    if (bu->seconds > 0 && elapsed >= bu->seconds) {
        duration_text(bu->seconds, t, sizeof t);
        if (reason)
            snprintf(reason, size, "used up its time budget of %s with %" PRIu64 " of %" PRIu64
                     " trials finished", t, done, lrs_trials_total(s->trials));
        return 1;
    }
    return 0;
}

lrs_sweep_t *lrs_sweep_open(lrs_store_t *store, const lrs_spec_t *spec, const char *db_path,
                            const lrs_sweep_origin_t *origin, lrs_err_t *err)
{
    lrs_sweep_t *s = calloc(1, sizeof *s);
    if (!s) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    s->store = store;
    s->spec = spec;
    s->budget = lrs_spec_info(spec)->budget;
    s->best = NAN;
    if (open_row(s, db_path, origin, err) != 0)
        goto fail;
    s->trials = lrs_trials_new((uint64_t)s->row.trials);
    load_ctx_t ctx = {s, 0};
    if (!s->trials) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        goto fail;
    }
    if (lrs_store_each_done(store, s->row.id, done_cb, &ctx, err) != 0 ||
        (!ctx.oom && add_confirmations(s, err) != 0) ||
        lrs_store_each_lease(store, s->row.id, lease_cb, &ctx, err) != 0)
        goto fail;
    if (ctx.oom) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory reading the sweep's trials");
        goto fail;
    }
    if (s->n_resumed)
        qsort(s->resumed, s->n_resumed, sizeof *s->resumed, resumed_cmp);
    double score, lr;
    char sched[64];
    int found = lrs_store_best(store, s->row.id, s->row.maximize, &score, &lr, sched,
                               sizeof sched, err);
    if (found < 0)
        goto fail;
    if (found)
        set_best(s, score, lr, sched);
    if (decide_end(s, err) != 0)
        goto fail;
    return s;
fail:
    lrs_sweep_destroy(&s);
    return NULL;
}

void lrs_sweep_destroy(lrs_sweep_t **sp)
{
    if (!sp || !*sp)
        return;
    lrs_trials_destroy(&(*sp)->trials);
    free((*sp)->resumed);
    free((*sp)->confirm_seen);
    free(*sp);
    *sp = NULL;
}

const lrs_sweep_row_t *lrs_sweep_row(const lrs_sweep_t *s) { return &s->row; }

int64_t lrs_sweep_extended_from(const lrs_sweep_t *s) { return s->extended_from; }

lrs_trials_t *lrs_sweep_trials(lrs_sweep_t *s) { return s->trials; }

void lrs_sweep_counts(const lrs_sweep_t *s, lrs_sweep_counts_t *out)
{
    *out = (lrs_sweep_counts_t){
        .total = lrs_trials_search_total(s->trials), .done = search_done(s),
        .confirm_total = lrs_trials_extra_count(s->trials),
        .confirmed = lrs_trials_extra_done(s->trials),
        .running = lrs_trials_running(s->trials), .failed = s->failed, .diverged = s->diverged,
        .pruned = s->pruned, .epochs_saved = s->epochs_saved,
        .session_done = s->session_done, .best = s->best,
        .best_desc = s->best_desc,
    };
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
static int exec_epochs(const lrs_curve_t *c, exec_rec_t *x)
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
        const lrs_curve_point_t *p = &c->points[i];
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

static int exec_rec_build(const lrs_command_result_t *e, exec_rec_t *x)
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

static void exec_rec_fill(const exec_rec_t *x, lrs_store_trial_t *rec)
{
    rec->stderr_text = x->stderr_tail;
    rec->log_text = x->log_tail;
    rec->metrics_json = x->metrics;
    rec->n_curve_epochs = x->n_epochs;
    rec->curve_epochs = x->epochs;
}

/* ---- what a result must be -------------------------------------------- */

int lrs_sweep_holds(const lrs_sweep_t *s, int32_t owner, const char *worker, uint64_t trial,
                    uint32_t attempt)
{
    lrs_trial_slot_t slot = lrs_trials_get(s->trials, trial);
    if (lrs_trials_held_by(s->trials, trial, owner, attempt))
        return 1;
    if (slot.state == LRS_TRIAL_PENDING && attempt == slot.attempts + 1) {
        /* not leased again since the restart: the previous lease still holds */
        const resumed_lease_t *rl = resumed_find(s, trial);
        return rl && rl->attempt == attempt && strcmp(rl->worker, worker) == 0;
    }
    return 0;
}

/* What repeats a result may carry under `repeats: R`: folds and epochs of
 * repeats below R, and R finite repeat scores exactly when it is a
 * complete trial of R ≥ 2. */
static const char *check_repeats(int repeats, const lrs_trial_result_t *o)
{
    for (int i = 0; i < o->n_folds; i++)
        if (o->folds[i].repeat >= repeats)
            return "result with a fold of a repeat the sweep does not run";
    for (int i = 0; i < o->n_epochs; i++)
        if (o->epochs[i].repeat >= repeats)
            return "result with an epoch of a repeat the sweep does not run";
    int want = o->status == LRS_STATUS_COMPLETE && repeats >= 2 ? repeats : 0;
    if (o->n_repeats != want)
        return want ? "complete result without a score for every repeat"
                    : "result with repeat scores the sweep does not run";
    for (int i = 0; i < o->n_repeats; i++)
        if (!isfinite(o->repeat_scores[i]))
            return "result with a repeat score that is not finite";
    return NULL;
}

const char *lrs_sweep_check_result(const lrs_sweep_t *s, int32_t owner, const char *worker,
                                   const lrs_wire_result_t *r)
{
    if (!lrs_sweep_holds(s, owner, worker, r->trial, r->attempt))
        return "result from a worker that does not hold the trial's lease (or for another "
               "attempt)";
    const lrs_trial_result_t *o = &r->result;
    int is_command = lrs_spec_info(s->spec)->exec != NULL;
    if (is_command != (o->command != NULL))
        return is_command ? "engine result for a trial of a command sweep"
                          : "command result for a trial of a built-in sweep";
    if (o->status == LRS_STATUS_COMPLETE && !isfinite(o->score))
        return "complete result without a finite score";
    if (o->status == LRS_STATUS_PRUNED &&
        lrs_spec_info(s->spec)->pruning->rule == LRS_PRUNE_NONE)
        return "pruned result in a sweep without pruning";
    if (o->status != LRS_STATUS_COMPLETE && o->status != LRS_STATUS_DIVERGED &&
        o->status != LRS_STATUS_FAILED && o->status != LRS_STATUS_PRUNED)
        return "result with a status that is not an outcome";
    if (o->status == LRS_STATUS_PRUNED && lrs_confirm_of(r->trial, NULL))
        return "pruned result for a confirmation run (they meet no rungs)";
    return check_repeats(lrs_spec_trial_repeats(s->spec, r->trial), o);
}

/* ---- recording --------------------------------------------------------- */

/* The row of trial as its spec defines it: parameters, lr, optimizer and
 * scheduler (json is the parameters' text, of size bytes). */
static int trial_row(lrs_sweep_t *s, uint64_t trial, lrs_trial_cfg_t *cfg, char *json,
                     size_t size, lrs_store_trial_t *rec, lrs_err_t *err)
{
    if (lrs_spec_sample(s->spec, trial, cfg, NULL, err) != 0)
        return -1;
    if (lrs_trial_cfg_json(cfg, json, size) < 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "trial %" PRIu64 ": parameters too long",
                           trial);
    *rec = (lrs_store_trial_t){
        .sweep_id = s->row.id, .trial = (int64_t)trial, .params_json = json, .lr = cfg->optim.lr,
        .optimizer = lrs_optimizer_name(cfg->optim.kind),
        .scheduler = lrs_scheduler_name(cfg->sched.kind),
        .attempts = (int)lrs_trials_get(s->trials, trial).attempts,
    };
    return 0;
}

/* Records trial done; the last search trial brings the confirmation runs. */
static int mark_done(lrs_sweep_t *s, uint64_t trial, lrs_err_t *err)
{
    if (lrs_trials_set_done(s->trials, trial) < 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    s->session_done++;
    return lrs_confirm_of(trial, NULL) ? 0 : add_confirmations(s, err);
}

int lrs_sweep_record_failed(lrs_sweep_t *s, uint64_t trial, const char *worker, const char *error,
                            lrs_err_t *err)
{
    lrs_trial_cfg_t cfg;
    char json[4096];
    lrs_store_trial_t rec;
    if (trial_row(s, trial, &cfg, json, sizeof json, &rec, err) != 0)
        return -1;
    lrs_trial_result_t failed;
    lrs_trial_result_init(&failed);   /* failed, no score */
    failed.seconds = NAN;
    failed.error = (char *)error;     /* borrowed: never cleared */
    rec.result = &failed;
    rec.worker = worker;
    if (lrs_store_put_trial(s->store, &rec, err) < 0)
        return -1;
    s->failed += !lrs_confirm_of(trial, NULL);
    return mark_done(s, trial, err);
}

int lrs_sweep_record(lrs_sweep_t *s, const char *worker, const lrs_wire_result_t *r,
                     lrs_err_t *err)
{
    if (lrs_trials_get(s->trials, r->trial).state == LRS_TRIAL_DONE)
        return 0;
    lrs_trial_cfg_t cfg;
    char json[4096];
    lrs_store_trial_t rec;
    const lrs_trial_result_t *o = &r->result;
    if (trial_row(s, r->trial, &cfg, json, sizeof json, &rec, err) != 0)
        return -1;
    rec.result = o;
    rec.attempts = (int)r->attempt;   /* lrs_sweep_check_result: the lease's attempt */
    uint64_t repeat_seeds[LRS_SPEC_MAX_REPEATS];
    uint64_t trial_seed = lrs_spec_trial_seed(s->spec, r->trial);
    for (int k = 0; k < o->n_repeats && k < LRS_SPEC_MAX_REPEATS; k++)
        repeat_seeds[k] = lrs_repeat_seed(trial_seed, k);
    rec.repeat_seeds = repeat_seeds;
    rec.worker = worker;
    exec_rec_t xr;
    memset(&xr, 0, sizeof xr);
    if (o->command) {
        /* a command's score is the mean of its metric over its folds' runs */
        const lrs_exec_spec_t *ex = lrs_spec_info(s->spec)->exec;
        rec.score_n = ex && ex->folds >= 1 ? ex->folds : 1;
        if (exec_rec_build(o->command, &xr) != 0)
            return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        exec_rec_fill(&xr, &rec);
    }
    int put = lrs_store_put_trial(s->store, &rec, err);
    exec_rec_free(&xr);
    if (put < 0)
        return -1;
    if (lrs_confirm_of(r->trial, NULL))   /* counted apart: confirmed / confirm_total */
        return mark_done(s, r->trial, err);
    if (o->status == LRS_STATUS_DIVERGED)
        s->diverged++;
    else if (o->status == LRS_STATUS_FAILED)   /* the command ran and failed: final */
        s->failed++;
    else if (o->status == LRS_STATUS_PRUNED) {
        s->pruned++;
        int limit = lrs_spec_rung_limit(s->spec, &cfg);   /* 0: a command's own epochs */
        if (limit > o->pruned_epoch)
            s->epochs_saved += (uint64_t)(limit - o->pruned_epoch);
    } else
        note_best(s, o->score, &cfg);
    return mark_done(s, r->trial, err);
}

/* ---- progress ---------------------------------------------------------- */

static void fmt_duration(double s, char *out, size_t size)
{
    if (!isfinite(s) || s < 0) {
        snprintf(out, size, "--:--");
        return;
    }
    long t = (long)(s + 0.5);
    snprintf(out, size, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
}

void lrs_sweep_progress_text(const lrs_sweep_t *s, double elapsed_s, int live_workers,
                             uint64_t queued, char *line, size_t size)
{
    lrs_sweep_counts_t c;
    lrs_sweep_counts(s, &c);
    double rate = elapsed_s > 0 ? (double)c.session_done / elapsed_s : 0;
    char eta[32], best[200], score[32];
    fmt_duration(rate > 0 ? (double)(c.total - c.done) / rate : NAN, eta, sizeof eta);
    lrs_fmt_display(c.best, LRS_FMT_VALUE_DIGITS, score, sizeof score);
    if (isnan(c.best))
        snprintf(best, sizeof best, "best -");
    else
        snprintf(best, sizeof best, "best %s (%s)", score, c.best_desc);
    char pruned[160] = "";
    if (lrs_spec_info(s->spec)->pruning->rule != LRS_PRUNE_NONE)
        snprintf(pruned, sizeof pruned, "  pruned %" PRIu64 " (%" PRIu64 " epochs saved)",
                 c.pruned, c.epochs_saved);
    if (c.confirm_total) {
        size_t at = strlen(pruned);
        snprintf(pruned + at, sizeof pruned - at, "  confirmed %" PRIu64 "/%" PRIu64,
                 c.confirmed, c.confirm_total);
    }
    snprintf(line, size,
             "%" PRIu64 "/%" PRIu64 " done  running %" PRIu64 "  queued %" PRIu64 "  failed %" PRIu64
             "  diverged %" PRIu64 "%s  workers %d  %.1f trials/s  ETA %s  %s",
             c.done, c.total, c.running > queued ? c.running - queued : 0, queued, c.failed,
             c.diverged, pruned, live_workers, rate, eta, best);
}
