/* store_life.c — schema 005 writes of store.h: the coordinator's row (who
 * runs a sweep, its beat, the seconds it has run) and how a sweep ended.
 * Each is a one-off write, committed at once: a beat that waited for the
 * next group commit would make a busy coordinator look dead. */
#include "coordinator/store.h"

#include <math.h>

int lrs_store_coordinator_start(lrs_store_t *s, int64_t sweep_id, const char *host, int64_t pid,
                                lrs_err_t *err)
{
    static const char what[] = "recording the coordinator";
    sqlite3_stmt *st = lrs_store_one_off(
        s, "INSERT INTO coordinators (sweep_id, host, pid, started_at, beat_at)"
           " VALUES (?1, ?2, ?3, ?4, ?4) ON CONFLICT (sweep_id) DO UPDATE SET host = excluded.host,"
           " pid = excluded.pid, started_at = excluded.started_at, beat_at = excluded.beat_at,"
           " exited_at = NULL, exit_status = NULL", what, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_text(st, 2, host, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, pid);
    sqlite3_bind_double(st, 4, lrs_store_now());
    return lrs_store_one_off_run(s, st, what, err);
}

int lrs_store_coordinator_beat(lrs_store_t *s, int64_t sweep_id, double elapsed, lrs_err_t *err)
{
    static const char what[] = "recording the coordinator's beat";
    sqlite3_stmt *st = lrs_store_one_off(
        s, "UPDATE coordinators SET beat_at = ?2, elapsed = ?3 WHERE sweep_id = ?1", what, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_double(st, 2, lrs_store_now());
    sqlite3_bind_double(st, 3, elapsed);
    return lrs_store_one_off_run(s, st, what, err);
}

int lrs_store_coordinator_exit(lrs_store_t *s, int64_t sweep_id, int status, lrs_err_t *err)
{
    static const char what[] = "recording the coordinator's exit";
    sqlite3_stmt *st = lrs_store_one_off(
        s, "UPDATE coordinators SET exited_at = ?2, exit_status = ?3 WHERE sweep_id = ?1", what,
        err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_double(st, 2, lrs_store_now());
    sqlite3_bind_int(st, 3, status);
    return lrs_store_one_off_run(s, st, what, err);
}

int lrs_store_sweep_end(lrs_store_t *s, int64_t sweep_id, const char *kind, const char *reason,
                        int64_t budget_trials, double budget_seconds, lrs_err_t *err)
{
    static const char what[] = "recording the sweep's end";
    sqlite3_stmt *st = lrs_store_one_off(
        s, "UPDATE sweeps SET ended = ?2, end_reason = ?3, ended_at = ?4, updated_at = ?4,"
           " stop_budget_trials = ?5, stop_budget_seconds = ?6 WHERE id = ?1", what, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, reason, -1, SQLITE_STATIC);
    sqlite3_bind_double(st, 4, lrs_store_now());
    if (budget_trials > 0)
        sqlite3_bind_int64(st, 5, budget_trials);
    else
        sqlite3_bind_null(st, 5);
    if (budget_seconds > 0 && isfinite(budget_seconds))
        sqlite3_bind_double(st, 6, budget_seconds);
    else
        sqlite3_bind_null(st, 6);
    return lrs_store_one_off_run(s, st, what, err);
}

int lrs_store_sweep_reopen(lrs_store_t *s, int64_t sweep_id, lrs_err_t *err)
{
    static const char what[] = "continuing the sweep";
    sqlite3_stmt *st = lrs_store_one_off(
        s, "UPDATE sweeps SET ended = NULL, end_reason = NULL, ended_at = NULL,"
           " stop_budget_trials = NULL, stop_budget_seconds = NULL, updated_at = ?2"
           " WHERE id = ?1", what, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_double(st, 2, lrs_store_now());
    return lrs_store_one_off_run(s, st, what, err);
}
