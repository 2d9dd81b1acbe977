/* query_metrics.c — see query_metrics.h.  Statements prepared on first use
 * and kept for the handle's life, as query.c's; a reader never migrates, so
 * a file older than a table's version gets a text without it (NULL or 0 in
 * its place), and the curve view (schema 008) is refused with the version. */
#include "coordinator/query_metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "coordinator/store.h"

enum { MS_NAMES, MS_TRIAL, MS_CURVE_NAMES, MS_CURVES, MS_STDERR, MS_COUNT };

/* The engine's accuracy: the mean over the trial's folds, every repeat's. */
#define ACCURACY_OF_T                                                                              \
    "(SELECT AVG(f.accuracy) FROM trial_folds f WHERE f.sweep_id = t.sweep_id"                    \
    " AND f.trial = t.trial)"
#define TRIAL_SQL(metrics, score_n, repeats)                                                       \
    "SELECT " metrics ", " score_n ", " ACCURACY_OF_T ", " repeats                                 \
    " FROM trials t WHERE t.sweep_id = ?1 AND t.trial = ?2"
#define ACCURACY_NAME                                                                              \
    "SELECT 'accuracy' WHERE EXISTS (SELECT 1 FROM trial_folds WHERE sweep_id = ?1"               \
    " AND accuracy IS NOT NULL)"
/* Text that is not a JSON object counts as none (json_each needs valid JSON). */
#define METRICS_OBJECT                                                                             \
    "CASE WHEN json_valid(t.metrics) AND json_type(t.metrics) = 'object' THEN t.metrics"          \
    " ELSE '{}' END"
/* ?2..?3: the trials wanted (one, or all). */
#define CURVES_WHERE " WHERE c.sweep_id = ?1 AND c.trial BETWEEN ?2 AND ?3"

/* By the file's schema version: [0] from 007, [1] 002..006, [2] before 002. */
static const char *const sql_by_age[MS_COUNT][3] = {
    [MS_NAMES] = {"SELECT j.key FROM trials t, json_each(" METRICS_OBJECT ") j"
                  " WHERE t.sweep_id = ?1 UNION " ACCURACY_NAME " ORDER BY 1",
                  NULL, ACCURACY_NAME},
    [MS_TRIAL] = {TRIAL_SQL("t.metrics", "t.score_n",
                            "(SELECT COUNT(*) FROM trial_repeats r WHERE r.sweep_id = t.sweep_id"
                            " AND r.trial = t.trial)"),
                  TRIAL_SQL("t.metrics", "NULL", "0"), TRIAL_SQL("NULL", "NULL", "0")},
    [MS_CURVE_NAMES] = {"SELECT DISTINCT j.key FROM trial_curves c, json_each(c.metrics) j"
                        CURVES_WHERE " ORDER BY 1"},
    [MS_CURVES] = {"SELECT c.trial, c.repeat, c.fold, c.epoch, c.lr, c.train_loss, c.val_loss,"
                   " c.metrics FROM trial_curves c" CURVES_WHERE
                   " ORDER BY c.trial, c.repeat, c.fold, c.epoch"},
    [MS_STDERR] = {"SELECT stderr_tail FROM trials WHERE sweep_id = ?1 AND trial = ?2", NULL,
                   "SELECT NULL FROM trials WHERE sweep_id = ?1 AND trial = ?2"},
};

struct lrs_query_metrics {
    sqlite3 *db;
    int version;
    int64_t sweep_id;
    sqlite3_stmt *st[MS_COUNT];
    json_t *last;   /* the last trial's metrics, lent to the caller */
};

static int db_err(lrs_query_metrics_t *m, lrs_err_t *err)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: %s", sqlite3_db_filename(m->db, "main"),
                       sqlite3_errmsg(m->db));
}

/* Statement i for the file's version, prepared on first use and bound to
 * the sweep; NULL with err. */
static sqlite3_stmt *stmt(lrs_query_metrics_t *m, int i, lrs_err_t *err)
{
    int age = m->version >= 7 ? 0 : m->version >= 2 ? 1 : 2;
    const char *sql = sql_by_age[i][age] ? sql_by_age[i][age] : sql_by_age[i][0];
    if (!m->st[i] && sqlite3_prepare_v3(m->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &m->st[i],
                                        NULL) != SQLITE_OK) {
        db_err(m, err);
        return NULL;
    }
    sqlite3_bind_int64(m->st[i], 1, m->sweep_id);
    return m->st[i];
}

/* Ready for the next use; returns rc. */
static int finish(sqlite3_stmt *st, int rc)
{
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

lrs_query_metrics_t *lrs_query_metrics_new(lrs_query_t *q, const lrs_query_sweep_t *sw,
                                           lrs_err_t *err)
{
    lrs_query_metrics_t *m = calloc(1, sizeof *m);
    if (!m) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    m->db = lrs_store_db(lrs_query_store(q));
    m->version = lrs_store_version(lrs_query_store(q));
    m->sweep_id = sw->id;
    return m;
}

void lrs_query_metrics_destroy(lrs_query_metrics_t **mp)
{
    if (!mp || !*mp)
        return;
    for (int i = 0; i < MS_COUNT; i++)
        sqlite3_finalize((*mp)->st[i]);
    json_decref((*mp)->last);
    free(*mp);
    *mp = NULL;
}

void lrs_names_clear(lrs_names_t *names)
{
    for (int i = 0; i < names->n; i++)
        free(names->name[i]);
    free(names->name);
    names->n = 0;
    names->name = NULL;
}

/* The text column 0 of every row of st into out, in the rows' order. */
static int collect_names(lrs_query_metrics_t *m, sqlite3_stmt *st, lrs_names_t *out,
                         lrs_err_t *err)
{
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(st, 0);
        char **grown = realloc(out->name, (size_t)(out->n + 1) * sizeof *grown);
        if (grown)
            out->name = grown;
        if (!grown || !(out->name[out->n] = strdup(name ? name : ""))) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
            return finish(st, -1);
        }
        out->n++;
    }
    return finish(st, rc == SQLITE_DONE ? 0 : db_err(m, err));
}

int lrs_query_metric_names(lrs_query_metrics_t *m, lrs_names_t *out, lrs_err_t *err)
{
    sqlite3_stmt *st = stmt(m, MS_NAMES, err);
    return st ? collect_names(m, st, out, err) : -1;
}

/* The stored metrics text (a JSON object, or NULL) with the folds' accuracy
 * unless the text has its own: a new object of numbers and nulls. */
static json_t *merge_metrics(const char *text, double accuracy)
{
    json_t *stored = text ? json_loads(text, 0, NULL) : NULL;
    json_t *out = json_object();
    const char *key;
    json_t *v;
    if (json_is_object(stored))
        json_object_foreach(stored, key, v) {
            double x = json_is_number(v) ? json_number_value(v) : NAN;
            json_object_set_new(out, key, isfinite(x) ? json_real(x) : json_null());
        }
    json_decref(stored);
    if (!isnan(accuracy) && !json_object_get(out, "accuracy"))
        json_object_set_new(out, "accuracy", json_real(accuracy));
    return out;
}

int lrs_query_trial_metrics(lrs_query_metrics_t *m, int64_t trial, lrs_trial_metrics_t *out,
                            lrs_err_t *err)
{
    sqlite3_stmt *st = stmt(m, MS_TRIAL, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 2, trial);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return finish(st, db_err(m, err));
    int row = rc == SQLITE_ROW;
    json_decref(m->last);
    m->last = merge_metrics(row ? (const char *)sqlite3_column_text(st, 0) : NULL,
                            row ? lrs_store_column_real(st, 2) : NAN);
    *out = (lrs_trial_metrics_t){.metrics = m->last,
                                 .score_n = row ? sqlite3_column_int(st, 1) : 0,
                                 .repeats = row ? sqlite3_column_int(st, 3) : 0};
    finish(st, 0);
    if (!m->last)
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    return 0;
}

/* A curve statement for trial (-1: all), or NULL with err (a file without
 * the view says so). */
static sqlite3_stmt *curve_stmt(lrs_query_metrics_t *m, int which, int64_t trial, lrs_err_t *err)
{
    if (m->version < 8) {
        lrs_err_set(err, LRS_EXIT_RUNTIME,
                    "%s is schema version %d, before the curve view (trial_curves, version 8); "
                    "a coordinator of this lrsweep upgrades it when it opens it",
                    sqlite3_db_filename(m->db, "main"), m->version);
        return NULL;
    }
    sqlite3_stmt *st = stmt(m, which, err);
    if (st) {
        sqlite3_bind_int64(st, 2, trial < 0 ? INT64_MIN : trial);
        sqlite3_bind_int64(st, 3, trial < 0 ? INT64_MAX : trial);
    }
    return st;
}

int lrs_query_curve_names(lrs_query_metrics_t *m, int64_t trial, lrs_names_t *out,
                          lrs_err_t *err)
{
    sqlite3_stmt *st = curve_stmt(m, MS_CURVE_NAMES, trial, err);
    return st ? collect_names(m, st, out, err) : -1;
}

int lrs_query_curves(lrs_query_metrics_t *m, int64_t trial,
                     int (*fn)(void *ctx, const lrs_curve_row_t *row), void *ctx,
                     lrs_err_t *err)
{
    sqlite3_stmt *st = curve_stmt(m, MS_CURVES, trial, err);
    if (!st)
        return -1;
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *text = (const char *)sqlite3_column_text(st, 7);
        json_t *metrics = text ? json_loads(text, 0, NULL) : NULL;
        lrs_curve_row_t row = {
            .trial = sqlite3_column_int64(st, 0),
            .repeat = sqlite3_column_int(st, 1),
            .fold = sqlite3_column_type(st, 2) == SQLITE_NULL ? -1 : sqlite3_column_int(st, 2),
            .epoch = sqlite3_column_int(st, 3),
            .lr = lrs_store_column_real(st, 4),
            .train_loss = lrs_store_column_real(st, 5),
            .val_loss = lrs_store_column_real(st, 6),
            .metrics = json_is_object(metrics) ? metrics : NULL,
        };
        int stop = fn(ctx, &row);
        json_decref(metrics);
        if (stop)
            return finish(st, stop);
    }
    return finish(st, rc == SQLITE_DONE ? 0 : db_err(m, err));
}

int lrs_query_trial_stderr(lrs_query_metrics_t *m, int64_t trial, char **out, lrs_err_t *err)
{
    *out = NULL;
    sqlite3_stmt *st = stmt(m, MS_STDERR, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 2, trial);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT &&
        !(*out = strdup((const char *)sqlite3_column_text(st, 0)))) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return finish(st, -1);
    }
    return finish(st, rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : db_err(m, err));
}
