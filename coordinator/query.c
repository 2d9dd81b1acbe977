/* query.c — see query.h.  Every read of the results database: one table of
 * statements, each prepared on first use and kept for the handle's life,
 * bound, stepped and reset.  Rows go out as query.h's plain structs; the
 * commands that print them never see SQL.
 *
 * A reader never migrates, so a statement may name only what the file's
 * schema has.  Those that read a newer table are skipped below their
 * version (a zero, "" or NULL stands in); the few whose text differs have a
 * second text for files before 006 (pre_006_sql), with NULL or 0 in place
 * of pruned_epoch, trial_rungs and the views' pruned column. */
#include "coordinator/query.h"

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <sqlite3.h>

#include "common/params.h"
#include "common/prune.h"
#include "common/spec.h"
#include "coordinator/store.h"

enum {
    QS_SWEEP_NAMED, QS_SWEEP_NAMES, QS_SWEEPS, QS_STATUS_COUNTS, QS_PROGRESS, QS_TRIALS_BY_TRIAL,
    QS_TRIALS_BEST_LOW, QS_TRIALS_BEST_HIGH, QS_SPEC, QS_LEASES, QS_PARAM_VALUES, QS_EPOCHS,
    QS_ORIGIN, QS_IDLE,
    QS_LIFE,
    QS_WORKERS,
    QS_WORKERS_009,
    QS_PRUNED_ROWS, QS_EPOCHS_SAVED,
    QS_COUNT
};

/* The trial columns, in the order fill_trial reads them, then its pruning
 * (schema 006) from prune_cols, joined as prune_join. */
#define TRIAL_SELECT(prune_cols, prune_join)                                                       \
    "SELECT t.trial, t.status, t.score, t.score_std, t.params, t.lr, t.optimizer, t.scheduler,"    \
    " t.attempts, t.worker, t.seconds, t.diverged_epoch, t.error, " prune_cols " FROM trials t"    \
    prune_join " WHERE t.sweep_id = ?1 AND (?2 IS NULL OR t.status = ?2)"
/* A pruned trial's decision: its first rung decided 'prune' (a trial stops
 * there, so there is one; the MIN keeps one row per trial regardless). */
#define TRIAL_COLUMNS                                                                              \
    TRIAL_SELECT("t.pruned_epoch, r.rule, r.value, r.threshold",                                   \
                 " LEFT JOIN trial_rungs r ON t.status = 'pruned' AND r.sweep_id = t.sweep_id"     \
                 " AND r.trial = t.trial AND r.rung = (SELECT MIN(rung) FROM trial_rungs"          \
                 " WHERE sweep_id = t.sweep_id AND trial = t.trial AND decision = 'prune')")
#define TRIAL_COLUMNS_005 TRIAL_SELECT("NULL, NULL, NULL, NULL", "")
/* Best first; NULL scores (trials with none) last whatever the direction. */
#define BY_TRIAL " ORDER BY t.trial LIMIT ?3"
/* Best first: search trials only (confirmation runs: confirmed.h). */
#define BEST_LOW " AND t.trial < 1000000000 ORDER BY t.score IS NULL, t.score ASC, t.trial LIMIT ?3"
#define BEST_HIGH " AND t.trial < 1000000000 ORDER BY t.score IS NULL, t.score DESC, t.trial LIMIT ?3"
#define SWEEPS_SQL(pruned)                                                                         \
    "SELECT p.sweep, p.total, p.complete, p.diverged, p.failed, p.running, p.pending,"             \
    " (SELECT best FROM (SELECT CASE WHEN s.goal = 'maximize' THEN MAX(score) ELSE MIN(score)"     \
    "  END AS best FROM trials t WHERE t.sweep_id = s.id AND t.status = 'complete'"              \
    "  AND t.trial < 1000000000)),"            \
    " s.created_at, " pruned ", s.metric, s.goal, s.spec FROM sweep_progress p JOIN sweeps s ON s.name = p.sweep ORDER BY s.id"

static const char *const read_sql[QS_COUNT] = {
    [QS_SWEEP_NAMED] = "SELECT id, name, trials, goal FROM sweeps WHERE name = ?1",
    [QS_SWEEP_NAMES] = "SELECT name FROM sweeps ORDER BY id",
    [QS_SWEEPS] = SWEEPS_SQL("p.pruned"),
    [QS_STATUS_COUNTS] =
        "SELECT status, COUNT(*), trial >= 1000000000 FROM trials WHERE sweep_id = ?1"
        " GROUP BY status, trial >= 1000000000",
    [QS_PROGRESS] =
        "SELECT (SELECT COUNT(*) FROM leases WHERE sweep_id = ?1 AND trial < 1000000000),"
        " (SELECT COUNT(*) FROM workers WHERE sweep_id = ?1),"
        " MIN(finished_at), MAX(finished_at), COUNT(*),"
        " SUM(finished_at > (SELECT MAX(finished_at) FROM trials WHERE sweep_id = ?1) - 60),"
        " (SELECT COUNT(*) FROM leases WHERE sweep_id = ?1 AND trial >= 1000000000),"
        /* a worker runs at most `jobs` of its leases at once: the rest wait in its queue */
        " (SELECT SUM(MAX(0, x.n - w.jobs)) FROM (SELECT worker, COUNT(*) AS n FROM leases"
        "  WHERE sweep_id = ?1 AND trial < 1000000000 GROUP BY worker) x"
        "  JOIN workers w ON w.sweep_id = ?1"
        "  AND w.name = x.worker AND w.jobs > 0)"
        " FROM trials WHERE sweep_id = ?1",
    [QS_TRIALS_BY_TRIAL] = TRIAL_COLUMNS BY_TRIAL,
    [QS_TRIALS_BEST_LOW] = TRIAL_COLUMNS BEST_LOW,
    [QS_TRIALS_BEST_HIGH] = TRIAL_COLUMNS BEST_HIGH,
    [QS_SPEC] = "SELECT spec FROM sweeps WHERE id = ?1",
    [QS_LEASES] = "SELECT trial, attempt, worker FROM leases WHERE sweep_id = ?1 ORDER BY trial",
    /* A value as text (booleans by name, a list as its JSON), its JSON
     * type (NULL: the trial lacks it) and itself; params that are not JSON
     * count as none. */
    [QS_PARAM_VALUES] =
        "SELECT trial, CASE json_type(p, ?2) WHEN 'true' THEN 'true' WHEN 'false' THEN 'false'"
        " ELSE CAST(json_extract(p, ?2) AS TEXT) END, json_type(p, ?2), json_extract(p, ?2),"
        " status, score FROM (SELECT trial, status, score, CASE WHEN json_valid(params)"
        " THEN params ELSE '{}' END AS p FROM trials WHERE sweep_id = ?1) ORDER BY trial",
    [QS_EPOCHS] = "SELECT epoch, lr, train_loss, val_loss FROM trial_epochs"
                  " WHERE sweep_id = ?1 AND trial = ?2 ORDER BY epoch",
    [QS_ORIGIN] = "SELECT data_hash, transport FROM sweeps WHERE id = ?1",   /* schema ≥ 3 */
    [QS_IDLE] = "SELECT name, host, idle_reason FROM workers WHERE sweep_id = ?1"
                " AND idle_reason IS NOT NULL ORDER BY name",                 /* schema ≥ 4 */
    [QS_LIFE] = "SELECT s.ended, s.end_reason, s.ended_at, c.host, c.pid, c.started_at, c.beat_at,"
                " c.exited_at, c.exit_status, c.elapsed FROM sweeps s LEFT JOIN coordinators c"
                " ON c.sweep_id = s.id WHERE s.id = ?1",                      /* schema ≥ 5 */
    [QS_WORKERS] = "SELECT name, host, pid, jobs, trials_done, last_seen, state, left_reason,"
                   " idle_reason, gpus FROM workers WHERE sweep_id = ?1"
                   " ORDER BY first_seen, name",                              /* schema ≥ 10 */
    [QS_WORKERS_009] = "SELECT name, host, pid, jobs, trials_done, last_seen, state, left_reason,"
                       " idle_reason, NULL FROM workers WHERE sweep_id = ?1"
                       " ORDER BY first_seen, name",                          /* schema 5 … 9 */
    [QS_PRUNED_ROWS] = "SELECT EXISTS (SELECT 1 FROM trial_rungs WHERE sweep_id = ?1)"
                       " OR EXISTS (SELECT 1 FROM trials WHERE sweep_id = ?1"
                       " AND status = 'pruned')",                             /* schema ≥ 6 */
    /* The epochs pruned trials did not train: params "epochs" (an integer;
     * text that is not JSON counts as none) less the rung epoch. */
    [QS_EPOCHS_SAVED] =
        "SELECT COALESCE(SUM(e - pruned_epoch), 0) FROM (SELECT pruned_epoch,"
        " CASE WHEN json_valid(params) AND json_type(params, '$.epochs') = 'integer'"
        " THEN json_extract(params, '$.epochs') END AS e FROM trials"
        " WHERE sweep_id = ?1 AND status = 'pruned' AND pruned_epoch IS NOT NULL)"
        " WHERE e > pruned_epoch",                                            /* schema ≥ 6 */
};

/* The texts for a file before schema 006, where they differ. */
static const char *const pre_006_sql[QS_COUNT] = {
    [QS_SWEEPS] = SWEEPS_SQL("0"),
    [QS_TRIALS_BY_TRIAL] = TRIAL_COLUMNS_005 BY_TRIAL,
    [QS_TRIALS_BEST_LOW] = TRIAL_COLUMNS_005 BEST_LOW,
    [QS_TRIALS_BEST_HIGH] = TRIAL_COLUMNS_005 BEST_HIGH,
};

struct lrs_query {
    lrs_store_t *store;   /* opened read-only: the checks of store.h's read mode */
    sqlite3 *db;
    char *path;
    int version;          /* the file's schema version */
    sqlite3_stmt *st[QS_COUNT];
};

static int db_err(lrs_query_t *q, lrs_err_t *err)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: %s", q->path, sqlite3_errmsg(q->db));
}

/* Statement i, prepared on first use; NULL with err on failure. */
static sqlite3_stmt *stmt(lrs_query_t *q, int i, lrs_err_t *err)
{
    const char *sql = q->version < 6 && pre_006_sql[i] ? pre_006_sql[i] : read_sql[i];
    if (!q->st[i] && sqlite3_prepare_v3(q->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &q->st[i],
                                        NULL) != SQLITE_OK) {
        db_err(q, err);
        return NULL;
    }
    return q->st[i];
}

/* Makes st ready for its next use; returns rc so callers can end with it. */
static int finish(sqlite3_stmt *st, int rc)
{
    if (st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
    }
    return rc;
}

/* Steps st: 1 a row, 0 done, -1 with err. */
static int next_row(lrs_query_t *q, sqlite3_stmt *st, lrs_err_t *err)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        return 1;
    return rc == SQLITE_DONE ? 0 : db_err(q, err);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static const char *col_text_or_null(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NULL : col_text(st, i);
}

/* The status stored in column i, or -1 with err for a name result.h lacks. */
static int col_status(lrs_query_t *q, sqlite3_stmt *st, int i, lrs_err_t *err)
{
    int s = lrs_status_parse(col_text(st, i));
    if (s < 0)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: unknown trial status '%s'", q->path,
                           col_text(st, i));
    return s;
}

lrs_query_t *lrs_query_open(const char *path, lrs_err_t *err)
{
    lrs_query_t *q = calloc(1, sizeof *q);
    if (!q || !(q->path = strdup(path))) {
        free(q);
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    q->store = lrs_store_open(path, LRS_STORE_READ, err);
    if (!q->store) {
        lrs_query_destroy(&q);
        return NULL;
    }
    q->db = lrs_store_db(q->store);
    q->version = lrs_store_version(q->store);
    return q;
}

struct lrs_store *lrs_query_store(lrs_query_t *q) { return q->store; }

int lrs_query_snapshot_begin(lrs_query_t *q, lrs_err_t *err)
{
    if (sqlite3_exec(q->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: cannot begin a read: %s", q->path,
                           sqlite3_errmsg(q->db));
    return 0;
}

void lrs_query_snapshot_end(lrs_query_t *q)
{
    if (sqlite3_get_autocommit(q->db))
        return;
    for (int i = 0; i < QS_COUNT; i++)
        if (q->st[i])
            sqlite3_reset(q->st[i]);
    sqlite3_exec(q->db, "COMMIT", NULL, NULL, NULL);
}

void lrs_query_destroy(lrs_query_t **qp)
{
    if (!qp || !*qp)
        return;
    lrs_query_t *q = *qp;
    for (int i = 0; i < QS_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    lrs_store_destroy(&q->store);
    free(q->path);
    free(q);
    *qp = NULL;
}

/* The schema-003 columns of sw, left "" in a file older than that (a
 * reader never migrates). */
static int read_origin(lrs_query_t *q, lrs_query_sweep_t *sw, lrs_err_t *err)
{
    if (lrs_store_version(q->store) < 3)
        return 0;
    sqlite3_stmt *st = stmt(q, QS_ORIGIN, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row = next_row(q, st, err);
    if (row < 0)
        return finish(st, -1);
    if (row) {
        snprintf(sw->data_hash, sizeof sw->data_hash, "%s", col_text(st, 0));
        snprintf(sw->transport, sizeof sw->transport, "%s", col_text(st, 1));
    }
    return finish(st, 0);
}

/* Schema 006: whether sw prunes, by its stored spec's rule, else (a spec
 * that no longer parses, or one without the rule whose rows say otherwise)
 * by recorded decisions or pruned trials. */
static int read_pruning(lrs_query_t *q, lrs_query_sweep_t *sw, lrs_err_t *err)
{
    if (q->version < 6)
        return 0;
    lrs_err_t spec_err;
    lrs_err_clear(&spec_err);
    lrs_spec_t *spec = lrs_query_spec(q, sw, &spec_err);
    if (spec)
        sw->pruning = lrs_spec_info(spec)->pruning->rule != LRS_PRUNE_NONE;
    lrs_spec_destroy(&spec);
    if (sw->pruning)
        return 0;
    sqlite3_stmt *st = stmt(q, QS_PRUNED_ROWS, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row = next_row(q, st, err);
    if (row < 0)
        return finish(st, -1);
    sw->pruning = row == 1 && sqlite3_column_int(st, 0) != 0;
    return finish(st, 0);
}

int lrs_query_idle_workers(lrs_query_t *q, const lrs_query_sweep_t *sw,
                           int (*fn)(void *ctx, const char *name, const char *host,
                                     const char *reason),
                           void *ctx, lrs_err_t *err)
{
    if (lrs_store_version(q->store) < 4)
        return 0;
    sqlite3_stmt *st = stmt(q, QS_IDLE, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        int stop = fn(ctx, col_text(st, 0), col_text_or_null(st, 1), col_text(st, 2));
        if (stop)
            return finish(st, stop);
    }
    return finish(st, row < 0 ? -1 : 0);
}

/* ---- schema 005: how the sweep ended, its coordinator, its workers ----- */

int lrs_query_life(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_query_life_t *out,
                   lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    out->ended_at = out->started_at = out->beat_at = out->exited_at = NAN;
    out->schema = lrs_store_version(q->store);
    if (out->schema < 5)
        return 0;
    sqlite3_stmt *st = stmt(q, QS_LIFE, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row = next_row(q, st, err);
    if (row < 0)
        return finish(st, -1);
    if (row) {
        snprintf(out->ended, sizeof out->ended, "%s", col_text(st, 0));
        snprintf(out->end_reason, sizeof out->end_reason, "%s", col_text(st, 1));
        out->ended_at = lrs_store_column_real(st, 2);
        out->has_coordinator = sqlite3_column_type(st, 3) != SQLITE_NULL;
        snprintf(out->host, sizeof out->host, "%s", col_text(st, 3));
        out->pid = sqlite3_column_int64(st, 4);
        out->started_at = lrs_store_column_real(st, 5);
        out->beat_at = lrs_store_column_real(st, 6);
        out->exited_at = lrs_store_column_real(st, 7);
        out->exit_status = sqlite3_column_int(st, 8);
        out->elapsed = sqlite3_column_double(st, 9);
    }
    return finish(st, 0);
}

lrs_coordinator_state_t lrs_query_coordinator_state(const lrs_query_life_t *l, double now)
{
    if (!l->has_coordinator)
        return LRS_COORD_NONE;
    if (!isnan(l->exited_at))
        return LRS_COORD_EXITED;
    if (!(now - l->beat_at < LRS_COORDINATOR_GONE_S))
        return LRS_COORD_GONE;
    char host[256] = "";
    if (l->pid > 0 && gethostname(host, sizeof host) == 0 && strcmp(host, l->host) == 0 &&
        kill((pid_t)l->pid, 0) != 0 && errno == ESRCH)
        return LRS_COORD_GONE;   /* on this host and no such process: no need to wait */
    return LRS_COORD_RUNNING;
}

int lrs_query_workers(lrs_query_t *q, const lrs_query_sweep_t *sw,
                      int (*fn)(void *ctx, const lrs_query_worker_t *w), void *ctx,
                      lrs_err_t *err)
{
    if (lrs_store_version(q->store) < 5)
        return 0;
    sqlite3_stmt *st = stmt(q, q->version >= 10 ? QS_WORKERS : QS_WORKERS_009, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        lrs_query_worker_t w = {
            .name = col_text(st, 0), .host = col_text_or_null(st, 1),
            .pid = sqlite3_column_int64(st, 2), .jobs = sqlite3_column_int(st, 3),
            .trials_done = sqlite3_column_int64(st, 4), .last_seen = lrs_store_column_real(st, 5),
            .state = col_text(st, 6), .left_reason = col_text_or_null(st, 7),
            .idle_reason = col_text_or_null(st, 8), .gpus = col_text_or_null(st, 9)};
        int stop = fn(ctx, &w);
        if (stop)
            return finish(st, stop);
    }
    return finish(st, row < 0 ? -1 : 0);
}

/* The name of the database's only sweep into only; with none or several,
 * -1 with a usage error (several: their names, oldest first, as far as the
 * message holds them). */
static int only_sweep(lrs_query_t *q, char *only, size_t size, lrs_err_t *err)
{
    sqlite3_stmt *st = stmt(q, QS_SWEEP_NAMES, err);
    if (!st)
        return -1;
    char names[768] = "";
    size_t used = 0;
    int n = 0, row;
    while ((row = next_row(q, st, err)) == 1) {
        const char *name = col_text(st, 0);
        if (n++ == 0)
            snprintf(only, size, "%s", name);
        if (used < sizeof names) {
            int w = snprintf(names + used, sizeof names - used, "%s'%s'", n > 1 ? ", " : "", name);
            used += w > 0 ? (size_t)w : 0;
        }
    }
    finish(st, 0);
    if (row < 0)
        return -1;
    if (n == 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: the database holds no sweep yet", q->path);
    if (n > 1)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s holds %d sweeps; name one: %s%s", q->path, n, names,
                           used >= sizeof names ? " ..." : "");
    return 0;
}

int lrs_query_sweep(lrs_query_t *q, const char *name, lrs_query_sweep_t *out, lrs_err_t *err)
{
    char only[256];
    if (!name) {
        if (only_sweep(q, only, sizeof only, err) != 0)
            return -1;
        name = only;
    }
    sqlite3_stmt *st = stmt(q, QS_SWEEP_NAMED, err);
    if (!st)
        return -1;
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int row = next_row(q, st, err);
    if (row < 0)
        return finish(st, -1);
    if (row == 0) {
        finish(st, 0);
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "%s: no sweep named '%s' (`lrsweep sweeps --db %s` lists them)",
                           q->path, name, q->path);
    }
    memset(out, 0, sizeof *out);
    out->id = sqlite3_column_int64(st, 0);
    snprintf(out->name, sizeof out->name, "%s", col_text(st, 1));
    out->trials = sqlite3_column_int64(st, 2);
    out->maximize = strcmp(col_text(st, 3), "maximize") == 0;
    finish(st, 0);
    if (read_origin(q, out, err) != 0)
        return -1;
    return read_pruning(q, out, err);
}

int lrs_query_sweeps(lrs_query_t *q, int (*fn)(void *ctx, const lrs_query_sweep_row_t *row),
                     void *ctx, lrs_err_t *err)
{
    static const lrs_status_t column_status[] = {LRS_STATUS_COMPLETE, LRS_STATUS_DIVERGED,
                                                 LRS_STATUS_FAILED, LRS_STATUS_RUNNING,
                                                 LRS_STATUS_PENDING};
    sqlite3_stmt *st = stmt(q, QS_SWEEPS, err);
    if (!st)
        return -1;
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        lrs_query_sweep_row_t r = {.name = col_text(st, 0), .trials = sqlite3_column_int64(st, 1)};
        for (int i = 0; i < 5; i++)
            r.n[column_status[i]] = sqlite3_column_int64(st, 2 + i);
        r.best = lrs_store_column_real(st, 7);
        r.created_at = lrs_store_column_real(st, 8);
        r.n[LRS_STATUS_PRUNED] = sqlite3_column_int64(st, 9);
        r.metric = col_text(st, 10);
        r.maximize = strcmp(col_text(st, 11), "maximize") == 0;
        const char *text = col_text(st, 12);
        lrs_err_t spec_err;
        lrs_spec_t *spec = NULL;
        if (lrs_spec_parse(r.name, text, strlen(text), NULL, &spec, &spec_err) == 0)
            r.sampler = lrs_sampler_kind_name(lrs_spec_info(spec)->sampler);
        int stop = fn(ctx, &r);
        lrs_spec_destroy(&spec);
        if (stop)
            return finish(st, stop);
    }
    return finish(st, row);
}

/* Schema 006: the epochs sw's pruned trials did not train, into out. */
static int read_epochs_saved(lrs_query_t *q, const lrs_query_sweep_t *sw,
                             lrs_query_progress_t *out, lrs_err_t *err)
{
    if (q->version < 6)
        return 0;
    sqlite3_stmt *st = stmt(q, QS_EPOCHS_SAVED, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row = next_row(q, st, err);
    if (row < 0)
        return finish(st, -1);
    out->epochs_saved = row == 1 ? sqlite3_column_int64(st, 0) : 0;
    return finish(st, 0);
}

int lrs_query_progress(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_query_progress_t *out,
                       lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    out->trials_per_s = out->trials_per_s_recent = NAN;
    sqlite3_stmt *st = stmt(q, QS_STATUS_COUNTS, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        int s = col_status(q, st, 0, err);
        if (s < 0)
            return finish(st, -1);
        if (sqlite3_column_int(st, 2)) {   /* confirmation runs: counted apart */
            out->confirmed += sqlite3_column_int64(st, 1);
            continue;
        }
        out->n[s] = sqlite3_column_int64(st, 1);
        out->recorded += out->n[s];
    }
    if (finish(st, row) < 0 || !(st = stmt(q, QS_PROGRESS, err)))
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    if ((row = next_row(q, st, err)) < 0)
        return finish(st, -1);
    if (row == 1) {
        out->n[LRS_STATUS_RUNNING] = sqlite3_column_int64(st, 0);
        out->workers = sqlite3_column_int64(st, 1);
        out->confirming = sqlite3_column_int64(st, 6);
        out->queued = sqlite3_column_int64(st, 7);   /* NULL (no leases): 0 */
        int64_t finished = sqlite3_column_int64(st, 4);
        if (finished > 1) {
            double span = sqlite3_column_double(st, 3) - sqlite3_column_double(st, 2);
            if (span > 0)
                out->trials_per_s = (double)finished / span;
            out->trials_per_s_recent =
                (double)sqlite3_column_int64(st, 5) / (span < 60 && span > 0 ? span : 60);
        }
    }
    out->n[LRS_STATUS_PENDING] = sw->trials - out->recorded - out->n[LRS_STATUS_RUNNING];
    finish(st, 0);
    return read_epochs_saved(q, sw, out, err);
}

/* The row of a trials statement (TRIAL_COLUMNS) into t; -1 with err. */
static int fill_trial(lrs_query_t *q, sqlite3_stmt *st, lrs_query_trial_t *t, lrs_err_t *err)
{
    int s = col_status(q, st, 1, err);
    if (s < 0)
        return -1;
    *t = (lrs_query_trial_t){
        .trial = sqlite3_column_int64(st, 0),
        .result = {
            .status = (lrs_status_t)s,
            .score = lrs_store_column_real(st, 2),
            .score_std = lrs_store_column_real(st, 3),
            .seconds = lrs_store_column_real(st, 10),
            .diverged_epoch = sqlite3_column_int(st, 11),
            .error = (char *)col_text_or_null(st, 12),   /* borrowed: see query.h */
            .pruned_epoch = sqlite3_column_int(st, 13),
        },
        .params_json = col_text(st, 4),
        .lr = lrs_store_column_real(st, 5),
        .optimizer = col_text_or_null(st, 6),
        .scheduler = col_text_or_null(st, 7),
        .attempts = sqlite3_column_int(st, 8),
        .worker = col_text_or_null(st, 9),
        .prune_rule = col_text_or_null(st, 14),
        .prune_value = lrs_store_column_real(st, 15),
        .prune_threshold = lrs_store_column_real(st, 16),
    };
    return 0;
}

/* The trials statement for sel, bound for sw. */
static sqlite3_stmt *trials_stmt(lrs_query_t *q, const lrs_query_sweep_t *sw,
                                 const lrs_query_select_t *sel, lrs_err_t *err)
{
    int which = sel->order != LRS_QUERY_BY_SCORE ? QS_TRIALS_BY_TRIAL
                : sw->maximize                   ? QS_TRIALS_BEST_HIGH
                                                 : QS_TRIALS_BEST_LOW;
    sqlite3_stmt *st = stmt(q, which, err);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, sw->id);
    if (sel->status >= 0)
        sqlite3_bind_text(st, 2, lrs_status_name((lrs_status_t)sel->status), -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, sel->limit > 0 ? sel->limit : -1);   /* -1: no limit */
    return st;
}

int lrs_query_trials(lrs_query_t *q, const lrs_query_sweep_t *sw, const lrs_query_select_t *sel,
                     int (*fn)(void *ctx, const lrs_query_trial_t *t), void *ctx,
                     lrs_err_t *err)
{
    sqlite3_stmt *st = trials_stmt(q, sw, sel, err);
    if (!st)
        return -1;
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        lrs_query_trial_t t;
        if (fill_trial(q, st, &t, err) != 0)
            return finish(st, -1);
        int stop = fn(ctx, &t);
        if (stop)
            return finish(st, stop);
    }
    return finish(st, row);
}

lrs_spec_t *lrs_query_spec(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_err_t *err)
{
    sqlite3_stmt *st = stmt(q, QS_SPEC, err);
    if (!st)
        return NULL;
    sqlite3_bind_int64(st, 1, sw->id);
    lrs_spec_t *spec = NULL;
    int row = next_row(q, st, err);
    if (row == 0)
        db_err(q, err);
    if (row == 1) {
        const char *text = col_text(st, 0);
        lrs_spec_parse(sw->name, text, strlen(text), NULL, &spec, err);
    }
    finish(st, 0);
    return spec;
}

int lrs_query_every_trial(lrs_query_t *q, const lrs_query_sweep_t *sw,
                          int (*fn)(void *ctx, const lrs_query_trial_t *t), void *ctx,
                          lrs_err_t *err)
{
    static const lrs_query_select_t all = {LRS_QUERY_BY_TRIAL, -1, 0};
    sqlite3_stmt *tr = NULL, *ls = NULL;
    lrs_spec_t *spec = lrs_query_spec(q, sw, err);
    int rc = -1, have_tr, have_ls;
    if (!spec || !(tr = trials_stmt(q, sw, &all, err)) || !(ls = stmt(q, QS_LEASES, err)))
        goto done;
    sqlite3_bind_int64(ls, 1, sw->id);
    if ((have_tr = next_row(q, tr, err)) < 0 || (have_ls = next_row(q, ls, err)) < 0)
        goto done;
    for (int64_t i = 0; i < sw->trials; i++) {
        while (have_ls == 1 && sqlite3_column_int64(ls, 0) < i)
            if ((have_ls = next_row(q, ls, err)) < 0)
                goto done;
        int recorded = have_tr == 1 && sqlite3_column_int64(tr, 0) == i;
        lrs_query_trial_t t = {.trial = i, .lr = NAN, .prune_value = NAN,
                               .prune_threshold = NAN};
        lrs_trial_result_init(&t.result);
        t.result.status = LRS_STATUS_PENDING;
        t.result.seconds = NAN;
        char json[4096];
        if (recorded) {
            if (fill_trial(q, tr, &t, err) != 0)
                goto done;
        } else {
            lrs_trial_cfg_t cfg;
            if (lrs_spec_sample(spec, (uint64_t)i, &cfg, NULL, err) != 0)
                goto done;
            lrs_trial_cfg_json(&cfg, json, sizeof json);
            t.params_json = json;
            if (have_ls == 1 && sqlite3_column_int64(ls, 0) == i) {
                t.result.status = LRS_STATUS_RUNNING;
                t.attempts = sqlite3_column_int(ls, 1);
                t.worker = col_text(ls, 2);
            }
        }
        int stop = fn(ctx, &t);
        if (stop) {
            rc = stop;
            goto done;
        }
        if (recorded && (have_tr = next_row(q, tr, err)) < 0)
            goto done;
    }
    rc = 0;
done:
    finish(tr, 0);
    finish(ls, 0);
    lrs_spec_destroy(&spec);
    return rc;
}

int lrs_query_param_values(lrs_query_t *q, const lrs_query_sweep_t *sw, const char *key,
                           int (*fn)(void *ctx, const lrs_query_param_value_t *v), void *ctx,
                           lrs_err_t *err)
{
    char path[300];
    snprintf(path, sizeof path, "$.%s", key);
    sqlite3_stmt *st = stmt(q, QS_PARAM_VALUES, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    sqlite3_bind_text(st, 2, path, -1, SQLITE_STATIC);
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        int s = col_status(q, st, 4, err);
        if (s < 0)
            return finish(st, -1);
        const char *type = col_text(st, 2);
        lrs_query_param_value_t v = {
            .trial = sqlite3_column_int64(st, 0),
            .text = col_text_or_null(st, 1),
            .number = strcmp(type, "integer") == 0 || strcmp(type, "real") == 0
                          ? sqlite3_column_double(st, 3) : NAN,
            .status = (lrs_status_t)s,
            .score = lrs_store_column_real(st, 5)};
        int stop = fn(ctx, &v);
        if (stop)
            return finish(st, stop);
    }
    return finish(st, row);
}

int lrs_query_epochs(lrs_query_t *q, const lrs_query_sweep_t *sw, int64_t trial,
                     int (*fn)(void *ctx, const lrs_epoch_stat_t *e), void *ctx, lrs_err_t *err)
{
    sqlite3_stmt *st = stmt(q, QS_EPOCHS, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sw->id);
    sqlite3_bind_int64(st, 2, trial);
    int row;
    while ((row = next_row(q, st, err)) == 1) {
        lrs_epoch_stat_t e = {.epoch = sqlite3_column_int(st, 0), .lr = lrs_store_column_real(st, 1),
                              .train_loss = lrs_store_column_real(st, 2), .val_loss = lrs_store_column_real(st, 3)};
        int stop = fn(ctx, &e);
        if (stop)
            return finish(st, stop);
    }
    return finish(st, row);
}
