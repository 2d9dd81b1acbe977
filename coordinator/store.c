/* store.c — see store.h.  SQLite with statements prepared once, bound, stepped
 * and reset; writes gathered in one transaction until lrs_store_flush. */
#include "coordinator/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "common/spec_confirm.h"
#include "common/version.h"

enum {
    ST_BEGIN, ST_COMMIT, ST_ROLLBACK, ST_INS_TRIAL, ST_INS_FOLD, ST_INS_EPOCH, ST_PUT_LEASE,
    ST_DEL_LEASE, ST_PUT_WORKER, ST_DEL_POINTS, ST_PUT_POINT, ST_UPD_EXEC, ST_PUT_RUNG, ST_INS_REPEAT, ST_COUNT
};

static const char *const write_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_INS_TRIAL] =
        "INSERT INTO trials (sweep_id, trial, status, score, score_std, params, lr,"
        " optimizer, scheduler, attempts, worker, seconds, diverged_epoch, error, finished_at,"
        " pruned_epoch, score_n, confirms)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)"
        " ON CONFLICT (sweep_id, trial) DO NOTHING",
    [ST_INS_FOLD] = "INSERT INTO trial_folds (sweep_id, trial, fold, train_loss,"
                    " val_loss, accuracy, repeat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                    " ON CONFLICT DO NOTHING",
    [ST_INS_EPOCH] = "INSERT INTO trial_epochs (sweep_id, trial, epoch, lr,"
                     " train_loss, val_loss, repeat) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"
                     " ON CONFLICT DO NOTHING",
    [ST_PUT_LEASE] = "INSERT OR REPLACE INTO leases (sweep_id, trial, attempt, worker, started_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_DEL_LEASE] = "DELETE FROM leases WHERE sweep_id = ?1 AND trial = ?2",
    [ST_PUT_WORKER] =
        "INSERT INTO workers (sweep_id, name, host, jobs, first_seen, last_seen, trials_done,"
        " idle_reason, pid, state, left_reason, gpus) VALUES (?1, ?2, ?3, ?4, ?5, ?5, ?6, ?7, ?8,"
        " ?9, ?10, ?11) ON CONFLICT (sweep_id, name) DO UPDATE SET host = excluded.host,"
        " jobs = excluded.jobs, last_seen = excluded.last_seen,"
        " trials_done = trials_done + excluded.trials_done, idle_reason = excluded.idle_reason,"
        " pid = excluded.pid, state = excluded.state, left_reason = excluded.left_reason,"
        " gpus = excluded.gpus",
    [ST_DEL_POINTS] = "DELETE FROM trial_metrics WHERE sweep_id = ?1 AND trial = ?2",
    [ST_PUT_POINT] = "INSERT OR REPLACE INTO trial_metrics (sweep_id, trial, fold, epoch, name,"
                     " value) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_UPD_EXEC] = "UPDATE trials SET exit_status = ?3, signal = ?4, stderr_tail = ?5,"
                    " log_tail = ?6, metrics = ?7 WHERE sweep_id = ?1 AND trial = ?2",
    [ST_PUT_RUNG] = "INSERT INTO trial_rungs (sweep_id, trial, rung, epoch, value, best, decision,"
                    " threshold, rule, decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
                    " ON CONFLICT (sweep_id, trial, rung) DO NOTHING",
    [ST_INS_REPEAT] = "INSERT INTO trial_repeats (sweep_id, trial, repeat, seed, score)"
                      " VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING",
};

struct lrs_store {
    sqlite3 *db;
    char *path;
    int mode;
    int lock_fd;
    int in_txn;
    int64_t pending;
    sqlite3_stmt *st[ST_COUNT];
};

double lrs_store_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int db_fail(lrs_store_t *s, lrs_err_t *err, const char *what)
{
    int rc = sqlite3_extended_errcode(s->db);
    int code = (rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT ? LRS_EXIT_USAGE
                                                                             : LRS_EXIT_RUNTIME;
    return lrs_err_set(err, code, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

static int exec_sql(lrs_store_t *s, const char *sql, const char *what, lrs_err_t *err)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) != SQLITE_OK) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: %s: %s", s->path, what, msg ? msg : "error");
        sqlite3_free(msg);
        return -1;
    }
    return 0;
}

static int int_query(lrs_store_t *s, const char *sql, int64_t *out, lrs_err_t *err)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);
    if (rc == SQLITE_OK)
        rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        db_fail(s, err, "reading the database");
        sqlite3_finalize(st);
        return -1;
    }
    *out = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return 0;
}

/* The one-writer lock: flock on PATH.lock, close-on-exec so worker processes
 * forked later do not inherit it. */
static int take_lock(lrs_store_t *s, lrs_err_t *err)
{
    size_t n = strlen(s->path) + 6;
    char *lock_path = malloc(n);
    if (!lock_path)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    snprintf(lock_path, n, "%s.lock", s->path);
    int rc = -1;
    s->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (s->lock_fd < 0) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: cannot create lock file: %s", lock_path,
                    strerror(errno));
        goto done;
    }
    if (flock(s->lock_fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            lrs_err_set(err, LRS_EXIT_RUNTIME,
                        "%s: another coordinator is using this database (lock %s held); stop it "
                        "or use another --db",
                        s->path, lock_path);
        else
            lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: cannot lock: %s", lock_path, strerror(errno));
        goto done;
    }
    rc = 0;
done:
    free(lock_path);
    return rc;
}

/* A file of a newer schema than this build's: one message naming both
 * versions and the release that wrote it (schema 005's meta table). */
static int newer_schema(lrs_store_t *s, int64_t version, lrs_err_t *err)
{
    char writer[64] = "a newer lrsweep";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'written_by'", -1, &st,
                           NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(writer, sizeof writer, "lrsweep %.40s", (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return lrs_err_set(err, LRS_EXIT_USAGE,
                       "%s: results schema version mismatch: the file has schema %" PRId64
                       " (written by %s), this lrsweep %s reads schema %d and older; use "
                       "that release or a newer one (`lrsweep --version` names its schema)",
                       s->path, version, writer,
                       LRS_VERSION, lrs_schema_count);
}

static int migrate(lrs_store_t *s, lrs_err_t *err)
{
    int64_t version = 0, objects = 0;
    if (int_query(s, "PRAGMA user_version", &version, err) != 0)
        return -1;
    if (version > lrs_schema_count)
        return newer_schema(s, version, err);
    if (version == 0) {
        if (int_query(s, "SELECT COUNT(*) FROM sqlite_master", &objects, err) != 0)
            return -1;
        if (objects > 0)
            return lrs_err_set(err, LRS_EXIT_USAGE,
                               "%s: not an lrsweep database (it has tables but no lrsweep schema)",
                               s->path);
    }
    if (s->mode != LRS_STORE_WRITE)
        return version == 0 ? lrs_err_set(err, LRS_EXIT_USAGE, "%s: no lrsweep data yet", s->path)
                            : 0;
    for (int64_t v = version; v < lrs_schema_count; v++) {
        char what[64], pragma[64];
        snprintf(what, sizeof what, "applying schema %" PRId64, v + 1);
        snprintf(pragma, sizeof pragma, "PRAGMA user_version = %" PRId64, v + 1);
        if (exec_sql(s, "BEGIN IMMEDIATE", what, err) != 0)
            return -1;
        if (exec_sql(s, lrs_schema_sql[v], what, err) != 0 || exec_sql(s, pragma, what, err) != 0 ||
            exec_sql(s, "COMMIT", what, err) != 0) {
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
            return -1;
        }
    }
    return exec_sql(s, "INSERT OR REPLACE INTO meta (key, value) VALUES ('written_by', '"
                       LRS_VERSION "')", "recording the release", err);
}

lrs_store_t *lrs_store_open(const char *path, int mode, lrs_err_t *err)
{
    lrs_store_t *s = calloc(1, sizeof *s);
    if (!s) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    s->lock_fd = -1;
    s->mode = mode;
    s->path = strdup(path);
    if (!s->path) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        goto fail;
    }
    if (mode == LRS_STORE_WRITE) {
        if (take_lock(s, err) != 0)
            goto fail;
    } else if (access(path, R_OK) != 0) {
        lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read database: %s", path, strerror(errno));
        goto fail;
    }
    int flags = mode == LRS_STORE_WRITE ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
                                        : SQLITE_OPEN_READONLY;
    if (sqlite3_open_v2(path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        if (!s->db) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: out of memory", path);
            goto fail;
        }
        db_fail(s, err, "cannot open database");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    sqlite3_extended_result_codes(s->db, 1);
    if (mode == LRS_STORE_WRITE &&
        (exec_sql(s, "PRAGMA journal_mode = WAL", "enabling WAL", err) != 0 ||
         exec_sql(s, "PRAGMA synchronous = FULL", "setting synchronous", err) != 0))
        goto fail;
    if (migrate(s, err) != 0)
        goto fail;
    if (mode == LRS_STORE_WRITE) {
        for (int i = 0; i < ST_COUNT; i++)
            if (sqlite3_prepare_v3(s->db, write_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                                   NULL) != SQLITE_OK) {
                db_fail(s, err, "preparing statements");
                goto fail;
            }
    }
    return s;
fail:
    lrs_store_destroy(&s);
    return NULL;
}

void lrs_store_destroy(lrs_store_t **sp)
{
    if (!sp || !*sp)
        return;
    lrs_store_t *s = *sp;
    if (s->in_txn) {
        lrs_err_t ignored;
        lrs_store_flush(s, &ignored);
    }
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    if (s->db && s->mode == LRS_STORE_WRITE)   /* the WAL back into the file: closed last, the
                                                  writer leaves no -wal/-shm beside it */
        sqlite3_exec(s->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL, NULL);
    if (s->db)
        sqlite3_close(s->db);
    if (s->lock_fd >= 0)
        close(s->lock_fd);   /* releases the flock */
    free(s->path);
    free(s);
    *sp = NULL;
}

sqlite3 *lrs_store_db(lrs_store_t *s) { return s->db; }

int lrs_store_version(lrs_store_t *s)
{
    int64_t v = -1;
    lrs_err_t ignored;
    if (int_query(s, "PRAGMA user_version", &v, &ignored) != 0)
        return -1;
    return (int)v;
}

double lrs_store_column_real(sqlite3_stmt *st, int col)
{
    return sqlite3_column_type(st, col) == SQLITE_NULL ? NAN : sqlite3_column_double(st, col);
}

static void bind_real_or_null(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v))
        sqlite3_bind_double(st, i, v);
    else
        sqlite3_bind_null(st, i);
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void copy_text(char *dst, size_t size, const unsigned char *src)
{
    snprintf(dst, size, "%s", src ? (const char *)src : "");
}

int lrs_store_sweep_get(lrs_store_t *s, const char *name, lrs_sweep_row_t *row, lrs_err_t *err)
{
    static const char sql[] = "SELECT id, name, token, space_hash, seed, trials, metric, goal,"
                              " created_at, data_hash, transport, ended,"
                              " (SELECT elapsed FROM coordinators WHERE sweep_id = id),"
                              " stop_budget_trials,"
                              " stop_budget_seconds, end_reason, COALESCE(rules, 0)"
                              " FROM sweeps WHERE name = ?1";
    sqlite3_stmt *st = NULL;
    int found = -1;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, err, "reading sweeps");
        goto done;
    }
    sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_DONE) {
        found = 0;
    } else if (rc == SQLITE_ROW) {
        memset(row, 0, sizeof *row);
        row->id = sqlite3_column_int64(st, 0);
        copy_text(row->name, sizeof row->name, sqlite3_column_text(st, 1));
        row->token = (uint64_t)sqlite3_column_int64(st, 2);
        copy_text(row->space_hash, sizeof row->space_hash, sqlite3_column_text(st, 3));
        row->seed = (uint64_t)sqlite3_column_int64(st, 4);
        row->trials = sqlite3_column_int64(st, 5);
        copy_text(row->metric, sizeof row->metric, sqlite3_column_text(st, 6));
        const unsigned char *goal = sqlite3_column_text(st, 7);
        row->maximize = goal && strcmp((const char *)goal, "maximize") == 0;
        row->created_at = sqlite3_column_double(st, 8);
        copy_text(row->data_hash, sizeof row->data_hash, sqlite3_column_text(st, 9));
        copy_text(row->transport, sizeof row->transport, sqlite3_column_text(st, 10));
        copy_text(row->ended, sizeof row->ended, sqlite3_column_text(st, 11));
        row->elapsed = sqlite3_column_double(st, 12);
        row->stop_budget_trials = sqlite3_column_int64(st, 13);
        row->stop_budget_seconds = sqlite3_column_double(st, 14);
        copy_text(row->end_reason, sizeof row->end_reason, sqlite3_column_text(st, 15));
        row->rules = sqlite3_column_int(st, 16);
        found = 1;
    } else {
        db_fail(s, err, "reading sweeps");
    }
done:
    sqlite3_finalize(st);
    return found;
}

/* Steps st, a write, and resets it: 0, or -1 with err naming what. */
static int write_now(lrs_store_t *s, sqlite3_stmt *st, const char *what, lrs_err_t *err)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    if (rc != SQLITE_DONE)
        return db_fail(s, err, what);
    return 0;
}

/* A one-off write outside the group-commit transaction: flushes that first
 * and prepares sql (NULL with err); the caller binds, then one_off_run. */
sqlite3_stmt *lrs_store_one_off(lrs_store_t *s, const char *sql, const char *what, lrs_err_t *err)
{
    sqlite3_stmt *st = NULL;
    if (lrs_store_flush(s, err) != 0)
        return NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, err, what);
        sqlite3_finalize(st);
        return NULL;
    }
    return st;
}

int lrs_store_one_off_run(lrs_store_t *s, sqlite3_stmt *st, const char *what, lrs_err_t *err)
{
    int rc = write_now(s, st, what, err);
    sqlite3_finalize(st);
    return rc;
}

int lrs_store_sweep_create(lrs_store_t *s, lrs_sweep_row_t *row, const char *spec_text,
                           lrs_err_t *err)
{
    static const char sql[] =
        "INSERT INTO sweeps (name, token, spec, space_hash, seed, trials, metric, goal,"
        " created_at, updated_at, data_hash, transport, rules)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10, ?11, ?12)";
    sqlite3_stmt *st = lrs_store_one_off(s, sql, "creating the sweep", err);
    if (!st)
        return -1;
    row->created_at = lrs_store_now();
    sqlite3_bind_text(st, 1, row->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, (int64_t)row->token);
    sqlite3_bind_text(st, 3, spec_text, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, row->space_hash, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (int64_t)row->seed);
    sqlite3_bind_int64(st, 6, row->trials);
    sqlite3_bind_text(st, 7, row->metric, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 8, row->maximize ? "maximize" : "minimize", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 9, row->created_at);
    bind_text_or_null(st, 10, row->data_hash[0] ? row->data_hash : NULL);
    bind_text_or_null(st, 11, row->transport[0] ? row->transport : NULL);
    sqlite3_bind_int(st, 12, row->rules);
    if (lrs_store_one_off_run(s, st, "creating the sweep", err) != 0)
        return -1;
    row->id = sqlite3_last_insert_rowid(s->db);
    return 0;
}

int lrs_store_sweep_set_origin(lrs_store_t *s, int64_t sweep_id, const char *data_hash,
                               const char *transport, lrs_err_t *err)
{
    static const char sql[] = "UPDATE sweeps SET data_hash = COALESCE(data_hash, ?2),"
                              " transport = COALESCE(?3, transport), updated_at = ?4 WHERE id = ?1";
    static const char what[] = "recording the sweep's data and transport";
    sqlite3_stmt *st = lrs_store_one_off(s, sql, what, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    bind_text_or_null(st, 2, data_hash && *data_hash ? data_hash : NULL);
    bind_text_or_null(st, 3, transport && *transport ? transport : NULL);
    sqlite3_bind_double(st, 4, lrs_store_now());
    return lrs_store_one_off_run(s, st, what, err);
}

int lrs_store_sweep_set_trials(lrs_store_t *s, int64_t sweep_id, int64_t trials, lrs_err_t *err)
{
    static const char sql[] = "UPDATE sweeps SET trials = ?2, updated_at = ?3 WHERE id = ?1";
    sqlite3_stmt *st = lrs_store_one_off(s, sql, "extending the sweep", err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_int64(st, 2, trials);
    sqlite3_bind_double(st, 3, lrs_store_now());
    return lrs_store_one_off_run(s, st, "extending the sweep", err);
}

int lrs_store_each_done(lrs_store_t *s, int64_t sweep_id,
                        void (*fn)(void *ctx, int64_t trial, int status), void *ctx,
                        lrs_err_t *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1, step;
    if (sqlite3_prepare_v2(s->db, "SELECT trial, status FROM trials WHERE sweep_id = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        db_fail(s, err, "reading trials");
        goto done;
    }
    sqlite3_bind_int64(st, 1, sweep_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0),
           lrs_status_parse((const char *)sqlite3_column_text(st, 1)));
    if (step != SQLITE_DONE) {
        db_fail(s, err, "reading trials");
        goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(st);
    return rc;
}

int lrs_store_each_lease(lrs_store_t *s, int64_t sweep_id,
                         void (*fn)(void *ctx, int64_t trial, int attempt, const char *worker),
                         void *ctx, lrs_err_t *err)
{
    sqlite3_stmt *st = NULL;
    int rc = -1, step;
    if (sqlite3_prepare_v2(s->db, "SELECT trial, attempt, worker FROM leases WHERE sweep_id = ?1", -1, &st,
                           NULL) != SQLITE_OK) {
        db_fail(s, err, "reading leases");
        goto done;
    }
    sqlite3_bind_int64(st, 1, sweep_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW)
        fn(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int(st, 1),
           (const char *)sqlite3_column_text(st, 2));
    if (step != SQLITE_DONE) {
        db_fail(s, err, "reading leases");
        goto done;
    }
    rc = 0;
done:
    sqlite3_finalize(st);
    return rc;
}

int lrs_store_best(lrs_store_t *s, int64_t sweep_id, int maximize, double *score, double *lr,
                   char *sched, size_t sched_size, lrs_err_t *err)
{
    const char *sql = maximize ? "SELECT score, lr, scheduler FROM trials WHERE sweep_id = ?1 AND "
                                 "status = 'complete' AND confirms IS NULL ORDER BY score DESC LIMIT 1"
                               : "SELECT score, lr, scheduler FROM trials WHERE sweep_id = ?1 AND "
                                 "status = 'complete' AND confirms IS NULL ORDER BY score ASC LIMIT 1";
    sqlite3_stmt *st = NULL;
    int rc = -1, step;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, err, "reading the best trial");
        goto done;
    }
    sqlite3_bind_int64(st, 1, sweep_id);
    step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        const unsigned char *name = sqlite3_column_text(st, 2);
        *score = sqlite3_column_double(st, 0);
        *lr = sqlite3_column_double(st, 1);
        snprintf(sched, sched_size, "%s", name ? (const char *)name : "?");
        rc = 1;
    } else if (step == SQLITE_DONE) {
        rc = 0;
    } else {
        db_fail(s, err, "reading the best trial");
    }
done:
    sqlite3_finalize(st);
    return rc;
}

static int ensure_txn(lrs_store_t *s, lrs_err_t *err)
{
    if (s->in_txn)
        return 0;
    if (write_now(s, s->st[ST_BEGIN], "starting a transaction", err) != 0)
        return -1;
    s->in_txn = 1;
    s->pending = 0;
    return 0;
}

/* A failed write inside the group transaction rolls all of it back, so a
 * trial is never half-written; the caller learns that everything since the
 * last flush is lost. */
static int abort_txn(lrs_store_t *s)
{
    if (s->in_txn) {
        sqlite3_step(s->st[ST_ROLLBACK]);
        sqlite3_reset(s->st[ST_ROLLBACK]);
        s->in_txn = 0;
        s->pending = 0;
    }
    return -1;
}

static int put_curves(lrs_store_t *s, const lrs_store_trial_t *t, lrs_err_t *err)
{
    sqlite3_stmt *f = s->st[ST_INS_FOLD], *e = s->st[ST_INS_EPOCH];
    const lrs_trial_result_t *o = t->result;
    for (int i = 0; i < o->n_folds; i++) {
        const lrs_fold_result_t *r = &o->folds[i];
        sqlite3_bind_int64(f, 1, t->sweep_id);
        sqlite3_bind_int64(f, 2, t->trial);
        sqlite3_bind_int(f, 3, r->fold);
        bind_real_or_null(f, 4, r->train_loss);
        bind_real_or_null(f, 5, r->val_loss);
        bind_real_or_null(f, 6, r->accuracy);
        sqlite3_bind_int(f, 7, r->repeat);
        if (write_now(s, f, "recording a fold", err) != 0)
            return -1;
    }
    int n_epochs = o->n_epochs ? o->n_epochs : t->n_curve_epochs;
    const lrs_epoch_stat_t *epochs = o->n_epochs ? o->epochs : t->curve_epochs;
    for (int i = 0; i < n_epochs; i++) {
        const lrs_epoch_stat_t *r = &epochs[i];
        sqlite3_bind_int64(e, 1, t->sweep_id);
        sqlite3_bind_int64(e, 2, t->trial);
        sqlite3_bind_int(e, 3, r->epoch);
        bind_real_or_null(e, 4, r->lr);
        bind_real_or_null(e, 5, r->train_loss);
        bind_real_or_null(e, 6, r->val_loss);
        sqlite3_bind_int(e, 7, r->repeat);
        if (write_now(s, e, "recording an epoch", err) != 0)
            return -1;
    }
    sqlite3_stmt *rp = s->st[ST_INS_REPEAT];
    for (int r = 0; r < o->n_repeats; r++) {
        sqlite3_bind_int64(rp, 1, t->sweep_id);
        sqlite3_bind_int64(rp, 2, t->trial);
        sqlite3_bind_int(rp, 3, r);
        sqlite3_bind_int64(rp, 4, (int64_t)t->repeat_seeds[r]);
        bind_real_or_null(rp, 5, o->repeat_scores[r]);
        if (write_now(s, rp, "recording a repeat", err) != 0)
            return -1;
    }
    return 0;
}

static int put_points(lrs_store_t *s, int64_t sweep_id, int64_t trial, const lrs_curve_t *c,
                      lrs_err_t *err)
{
    sqlite3_stmt *st = s->st[ST_PUT_POINT];
    for (size_t i = 0; c && i < c->n_points; i++) {
        const lrs_curve_point_t *p = &c->points[i];
        if (p->name < 0 || p->name >= c->n_names)
            continue;
        sqlite3_bind_int64(st, 1, sweep_id);
        sqlite3_bind_int64(st, 2, trial);
        sqlite3_bind_int(st, 3, p->fold);
        sqlite3_bind_int(st, 4, p->epoch);
        sqlite3_bind_text(st, 5, c->names[p->name], -1, SQLITE_STATIC);
        bind_real_or_null(st, 6, p->value);
        if (write_now(s, st, "recording a curve point", err) != 0)
            return -1;
    }
    return 0;
}

/* The exec columns and the final curve of a user's-command trial. */
static int put_exec(lrs_store_t *s, const lrs_store_trial_t *t, lrs_err_t *err)
{
    sqlite3_stmt *d = s->st[ST_DEL_POINTS], *u = s->st[ST_UPD_EXEC];
    const lrs_command_result_t *c = t->result->command;
    sqlite3_bind_int64(d, 1, t->sweep_id);
    sqlite3_bind_int64(d, 2, t->trial);
    if (write_now(s, d, "replacing a curve", err) != 0 ||
        put_points(s, t->sweep_id, t->trial, &c->curve, err) != 0)
        return -1;
    sqlite3_bind_int64(u, 1, t->sweep_id);
    sqlite3_bind_int64(u, 2, t->trial);
    if (c->exit_status >= 0)
        sqlite3_bind_int(u, 3, c->exit_status);
    else
        sqlite3_bind_null(u, 3);
    if (c->term_signal > 0)
        sqlite3_bind_int(u, 4, c->term_signal);
    else
        sqlite3_bind_null(u, 4);
    bind_text_or_null(u, 5, t->stderr_text);
    bind_text_or_null(u, 6, t->log_text);
    bind_text_or_null(u, 7, t->metrics_json);
    return write_now(s, u, "recording a command's outcome", err);
}

int lrs_store_put_points(lrs_store_t *s, int64_t sweep_id, int64_t trial,
                         const lrs_curve_t *curve, lrs_err_t *err)
{
    if (ensure_txn(s, err) != 0)
        return -1;
    if (put_points(s, sweep_id, trial, curve, err) != 0)
        return abort_txn(s);
    s->pending++;
    return 0;
}

int lrs_store_put_trial(lrs_store_t *s, const lrs_store_trial_t *t, lrs_err_t *err)
{
    if (ensure_txn(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->st[ST_INS_TRIAL];
    const lrs_trial_result_t *o = t->result;
    sqlite3_bind_int64(st, 1, t->sweep_id);
    sqlite3_bind_int64(st, 2, t->trial);
    sqlite3_bind_text(st, 3, lrs_status_name(o->status), -1, SQLITE_STATIC);
    bind_real_or_null(st, 4, o->score);
    bind_real_or_null(st, 5, o->score_std);
    sqlite3_bind_text(st, 6, t->params_json, -1, SQLITE_STATIC);
    bind_real_or_null(st, 7, t->lr);
    bind_text_or_null(st, 8, t->optimizer);
    bind_text_or_null(st, 9, t->scheduler);
    sqlite3_bind_int(st, 10, t->attempts);
    bind_text_or_null(st, 11, t->worker);
    bind_real_or_null(st, 12, o->seconds);
    if (o->diverged_epoch > 0)
        sqlite3_bind_int(st, 13, o->diverged_epoch);
    else
        sqlite3_bind_null(st, 13);
    bind_text_or_null(st, 14, o->error);
    sqlite3_bind_double(st, 15, lrs_store_now());
    if (o->status == LRS_STATUS_PRUNED && o->pruned_epoch > 0)
        sqlite3_bind_int(st, 16, o->pruned_epoch);
    else
        sqlite3_bind_null(st, 16);
    if (o->status == LRS_STATUS_COMPLETE)
        sqlite3_bind_int(st, 17, t->score_n > 0 ? t->score_n : lrs_trial_result_score_n(o));
    else
        sqlite3_bind_null(st, 17);
    uint64_t confirms;
    if (lrs_confirm_of((uint64_t)t->trial, &confirms))
        sqlite3_bind_int64(st, 18, (int64_t)confirms);
    else
        sqlite3_bind_null(st, 18);
    if (write_now(s, st, "recording a trial", err) != 0)
        return abort_txn(s);
    if (sqlite3_changes(s->db) == 0)
        return 0;   /* already recorded: a late duplicate */
    if (put_curves(s, t, err) != 0 || (o->command && put_exec(s, t, err) != 0) ||
        lrs_store_del_lease(s, t->sweep_id, t->trial, err) != 0)
        return abort_txn(s);
    s->pending++;
    return 1;
}

int lrs_store_put_rung(lrs_store_t *s, const lrs_store_rung_t *r, lrs_err_t *err)
{
    if (ensure_txn(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->st[ST_PUT_RUNG];
    sqlite3_bind_int64(st, 1, r->sweep_id);
    sqlite3_bind_int64(st, 2, r->trial);
    sqlite3_bind_int(st, 3, r->rung);
    sqlite3_bind_int(st, 4, r->epoch);
    bind_real_or_null(st, 5, r->value);
    bind_real_or_null(st, 6, r->best);
    sqlite3_bind_text(st, 7, r->prune ? "prune" : "continue", -1, SQLITE_STATIC);
    bind_real_or_null(st, 8, r->threshold);
    sqlite3_bind_text(st, 9, r->rule, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 10, lrs_store_now());
    if (write_now(s, st, "recording a pruning decision", err) != 0)
        return abort_txn(s);
    s->pending++;
    return 0;
}

int lrs_store_put_lease(lrs_store_t *s, int64_t sweep_id, int64_t trial, int attempt,
                        const char *worker, lrs_err_t *err)
{
    if (ensure_txn(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->st[ST_PUT_LEASE];
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_int64(st, 2, trial);
    sqlite3_bind_int(st, 3, attempt);
    sqlite3_bind_text(st, 4, worker ? worker : "", -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 5, lrs_store_now());
    s->pending++;
    return write_now(s, st, "recording a lease", err) == 0 ? 0 : abort_txn(s);
}

int lrs_store_del_lease(lrs_store_t *s, int64_t sweep_id, int64_t trial, lrs_err_t *err)
{
    if (ensure_txn(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->st[ST_DEL_LEASE];
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_int64(st, 2, trial);
    s->pending++;
    return write_now(s, st, "removing a lease", err) == 0 ? 0 : abort_txn(s);
}

int lrs_store_put_worker(lrs_store_t *s, int64_t sweep_id, const lrs_store_worker_t *w,
                         lrs_err_t *err)
{
    if (ensure_txn(s, err) != 0)
        return -1;
    sqlite3_stmt *st = s->st[ST_PUT_WORKER];
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_text(st, 2, w->name, -1, SQLITE_STATIC);
    bind_text_or_null(st, 3, w->host);
    sqlite3_bind_int(st, 4, w->jobs);
    sqlite3_bind_double(st, 5, lrs_store_now());
    sqlite3_bind_int64(st, 6, w->trials_added);
    bind_text_or_null(st, 7, w->idle_reason);
    sqlite3_bind_int64(st, 8, w->pid);
    sqlite3_bind_text(st, 9, w->left_reason ? w->lost ? "lost" : "left" : "connected", -1,
                      SQLITE_STATIC);
    bind_text_or_null(st, 10, w->left_reason);
    bind_text_or_null(st, 11, w->gpus);
    s->pending++;
    return write_now(s, st, "recording a worker", err) == 0 ? 0 : abort_txn(s);
}

int64_t lrs_store_pending(const lrs_store_t *s) { return s->in_txn ? s->pending : 0; }

int lrs_store_flush(lrs_store_t *s, lrs_err_t *err)
{
    if (!s->in_txn)
        return 0;
    s->in_txn = 0;
    s->pending = 0;
    if (write_now(s, s->st[ST_COMMIT], "committing results", err) == 0)
        return 0;
    int rc = sqlite3_step(s->st[ST_ROLLBACK]);   /* no half-written trial survives */
    sqlite3_reset(s->st[ST_ROLLBACK]);
    (void)rc;
    return -1;
}
