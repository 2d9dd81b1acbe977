/* cmd_query.c — the read commands: `sweeps`, `status`, `best`, `summary`,
 * `export`.  Each opens the database read-only (WAL lets it run beside a
 * live coordinator) and prints an aligned table, or JSON Lines / CSV.
 * Trials not yet recorded are pending, or running when a lease exists; their
 * parameters come from regenerating them from the stored spec. */
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/params.h"
#include "common/spec.h"
#include "coordinator/query.h"
#include "coordinator/store.h"

typedef struct qargs {
    const char *cmd;
    const char *db_path;
    const char *sweep;
    int top, json;
    const char *by, *format;
} qargs_t;

typedef struct sweep_ref {
    int64_t id;
    char name[256];
    int64_t trials;
    int maximize;
} sweep_ref_t;

static int db_err(sqlite3 *db, const char *path, lrs_err_t *err)
{
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: %s", path, sqlite3_errmsg(db));
}

/* Resolves name (NULL: the newest sweep). */
static int find_sweep(sqlite3 *db, const char *path, const char *name, sweep_ref_t *out,
                      lrs_err_t *err)
{
    sqlite3_stmt *st = NULL;
    const char *sql = name ? "SELECT id, name, trials, goal FROM sweeps WHERE name = ?1"
                           : "SELECT id, name, trials, goal FROM sweeps ORDER BY id DESC LIMIT 1";
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, path, err);
    if (name)
        sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) {
        out->id = sqlite3_column_int64(st, 0);
        snprintf(out->name, sizeof out->name, "%s", (const char *)sqlite3_column_text(st, 1));
        out->trials = sqlite3_column_int64(st, 2);
        out->maximize = strcmp((const char *)sqlite3_column_text(st, 3), "maximize") == 0;
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_err(db, path, err);
    if (name)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: no sweep named '%s' (`lrsweep sweeps --db %s` "
                           "lists them)", path, name, path);
    return lrs_err_set(err, LRS_EXIT_USAGE, "%s: the database holds no sweep yet", path);
}

static void print_num(FILE *out, int width, double v)
{
    lrs_fmt_print(out, width, LRS_FMT_VALUE_DIGITS, v);
}

static double col_real(sqlite3_stmt *st, int i)
{
    return sqlite3_column_type(st, i) == SQLITE_NULL ? NAN : sqlite3_column_double(st, i);
}

static const char *col_text(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? (const char *)t : "";
}

static int dump_json_line(FILE *out, json_t *obj)
{
    char *s = lrs_json_text(obj);
    json_decref(obj);
    if (!s)
        return -1;
    fprintf(out, "%s\n", s);
    free(s);
    return 0;
}

/* Writes a params JSON object as `name=value` words, reals with 4
 * significant digits (the JSON outputs keep every digit). */
static void print_params(FILE *out, const char *json)
{
    json_t *p = json_loads(json, 0, NULL);
    if (!json_is_object(p)) {
        fputs(json, out);
        json_decref(p);
        return;
    }
    const char *key;
    json_t *v;
    int first = 1;
    json_object_foreach(p, key, v) {
        fprintf(out, "%s%s=", first ? "" : " ", key);
        first = 0;
        if (json_is_real(v))
            lrs_fmt_print(out, 0, LRS_FMT_SHORT_DIGITS, json_real_value(v));
        else if (json_is_integer(v))
            fprintf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_string(v))
            fputs(json_string_value(v), out);
        else if (json_is_boolean(v))
            fputs(json_is_true(v) ? "true" : "false", out);
        else {
            char *s = lrs_json_text(v);
            fputs(s ? s : "?", out);
            free(s);
        }
    }
    json_decref(p);
}

/* ---- best -------------------------------------------------------------- */

static int best_on(sqlite3 *db, const char *path, const sweep_ref_t *sw, int top, int json,
                   FILE *out, lrs_err_t *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT trial, score, score_std, params, attempts, worker, seconds FROM trials"
             " WHERE sweep_id = ?1 AND status = 'complete' ORDER BY score %s, trial LIMIT ?2",
             sw->maximize ? "DESC" : "ASC");
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, path, err);
    sqlite3_bind_int64(st, 1, sw->id);
    sqlite3_bind_int(st, 2, top);
    if (!json)
        fprintf(out, "%4s %8s %12s %10s  %s\n", "rank", "trial", "score", "std", "params");
    int rank = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        rank++;
        if (json) {
            json_t *o = json_object();
            json_object_set_new(o, "rank", json_integer(rank));
            json_object_set_new(o, "trial", json_integer(sqlite3_column_int64(st, 0)));
            json_object_set_new(o, "score", lrs_json_number(col_real(st, 1)));
            json_object_set_new(o, "score_std", lrs_json_number(col_real(st, 2)));
            json_t *p = json_loads(col_text(st, 3), 0, NULL);
            json_object_set_new(o, "params", p ? p : json_object());
            json_object_set_new(o, "attempts", json_integer(sqlite3_column_int(st, 4)));
            json_object_set_new(o, "worker", json_string(col_text(st, 5)));
            json_object_set_new(o, "seconds", lrs_json_number(col_real(st, 6)));
            dump_json_line(out, o);
        } else {
            fprintf(out, "%4d %8" PRId64 " ", rank, (int64_t)sqlite3_column_int64(st, 0));
            print_num(out, 12, col_real(st, 1));
            fputc(' ', out);
            lrs_fmt_print(out, 10, LRS_FMT_SHORT_DIGITS, col_real(st, 2));
            fputs("  ", out);
            print_params(out, col_text(st, 3));
            fputc('\n', out);
        }
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE)
        return db_err(db, path, err);
    if (!json && rank == 0)
        fprintf(out, "   (no complete trial yet)\n");
    return 0;
}

int lrs_query_best(const char *db_path, const char *sweep, int top, int json, FILE *out,
                   lrs_err_t *err)
{
    lrs_store_t *s = lrs_store_open(db_path, LRS_STORE_READ, err);
    if (!s)
        return -1;
    sweep_ref_t sw;
    int rc = find_sweep(lrs_store_db(s), db_path, sweep, &sw, err);
    if (rc == 0)
        rc = best_on(lrs_store_db(s), db_path, &sw, top, json, out, err);
    lrs_store_destroy(&s);
    return rc;
}

/* ---- sweeps ------------------------------------------------------------ */

static int cmd_sweeps(sqlite3 *db, const qargs_t *q, lrs_err_t *err)
{
    static const char sql[] =
        "SELECT p.sweep, p.total, p.complete, p.diverged, p.failed, p.running, p.pending,"
        " (SELECT best FROM (SELECT CASE WHEN s.goal = 'maximize' THEN MAX(score) ELSE MIN(score)"
        "  END AS best FROM trials t WHERE t.sweep_id = s.id AND t.status = 'complete')),"
        " s.created_at FROM sweep_progress p JOIN sweeps s ON s.name = p.sweep ORDER BY s.id";
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, q->db_path, err);
    if (!q->json)
        printf("%-24s %8s %8s %8s %8s %8s %8s %12s\n", "sweep", "trials", "complete", "diverged",
               "failed", "running", "pending", "best");
    int rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (q->json) {
            json_t *o = json_object();
            json_object_set_new(o, "sweep", json_string(col_text(st, 0)));
            static const char *keys[] = {"trials", "complete", "diverged", "failed", "running",
                                         "pending"};
            for (int i = 0; i < 6; i++)
                json_object_set_new(o, keys[i], json_integer(sqlite3_column_int64(st, 1 + i)));
            json_object_set_new(o, "best", lrs_json_number(col_real(st, 7)));
            json_object_set_new(o, "created_at", lrs_json_number(col_real(st, 8)));
            dump_json_line(stdout, o);
        } else {
            printf("%-24s", col_text(st, 0));
            for (int i = 1; i <= 6; i++)
                printf(" %8" PRId64, (int64_t)sqlite3_column_int64(st, i));
            putchar(' ');
            print_num(stdout, 12, col_real(st, 7));
            putchar('\n');
        }
    }
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_err(db, q->db_path, err);
}

/* ---- status ------------------------------------------------------------ */

static int64_t count_of(sqlite3 *db, const char *sql, int64_t id)
{
    sqlite3_stmt *st = NULL;
    int64_t n = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK) {
        sqlite3_bind_int64(st, 1, id);
        if (sqlite3_step(st) == SQLITE_ROW)
            n = sqlite3_column_int64(st, 0);
    }
    sqlite3_finalize(st);
    return n;
}

static int cmd_status(sqlite3 *db, const qargs_t *q, const sweep_ref_t *sw, lrs_err_t *err)
{
    const char *states[] = {"complete", "diverged", "failed"};
    int64_t counts[3], total_done = 0;
    for (int i = 0; i < 3; i++) {
        char sql[160];
        snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM trials WHERE sweep_id = ?1 AND status = '%s'",
                 states[i]);
        counts[i] = count_of(db, sql, sw->id);
        if (counts[i] < 0)
            return db_err(db, q->db_path, err);
        total_done += counts[i];
    }
    int64_t running = count_of(db, "SELECT COUNT(*) FROM leases WHERE sweep_id = ?1", sw->id);
    int64_t workers = count_of(db, "SELECT COUNT(*) FROM workers WHERE sweep_id = ?1", sw->id);
    double rate = NAN, recent = NAN;
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db,
                           "SELECT MIN(finished_at), MAX(finished_at), COUNT(*),"
                           " SUM(finished_at > (SELECT MAX(finished_at) FROM trials WHERE"
                           " sweep_id = ?1) - 60) FROM trials WHERE sweep_id = ?1",
                           -1, &st, NULL) != SQLITE_OK)
        return db_err(db, q->db_path, err);
    sqlite3_bind_int64(st, 1, sw->id);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int64(st, 2) > 1) {
        double span = sqlite3_column_double(st, 1) - sqlite3_column_double(st, 0);
        if (span > 0)
            rate = (double)sqlite3_column_int64(st, 2) / span;
        recent = (double)sqlite3_column_int64(st, 3) / (span < 60 && span > 0 ? span : 60);
    }
    sqlite3_finalize(st);
    int64_t pending = sw->trials - total_done - (running > 0 ? running : 0);
    if (q->json) {
        json_t *o = json_object();
        json_object_set_new(o, "sweep", json_string(sw->name));
        json_object_set_new(o, "trials", json_integer(sw->trials));
        for (int i = 0; i < 3; i++)
            json_object_set_new(o, states[i], json_integer(counts[i]));
        json_object_set_new(o, "running", json_integer(running));
        json_object_set_new(o, "pending", json_integer(pending));
        json_object_set_new(o, "workers_seen", json_integer(workers));
        json_object_set_new(o, "trials_per_s", lrs_json_number(rate));
        json_object_set_new(o, "trials_per_s_last_minute", lrs_json_number(recent));
        dump_json_line(stdout, o);
    } else {
        printf("sweep %s: %" PRId64 " of %" PRId64 " trials recorded\n", sw->name, total_done,
               sw->trials);
        printf("  complete %" PRId64 "  diverged %" PRId64 "  failed %" PRId64 "  running %" PRId64
               "  pending %" PRId64 "\n",
               counts[0], counts[1], counts[2], running, pending);
        printf("  workers seen %" PRId64, workers);
        if (isnan(rate))
            printf("  throughput -\n");
        else
            printf("  throughput %.1f trials/s overall, %.1f in the last minute of results\n",
                   rate, recent);
        printf("  best so far:\n");
    }
    return best_on(db, q->db_path, sw, 1, q->json, stdout, err);
}

/* ---- summary ----------------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static void summary_row(const qargs_t *q, const char *group, int64_t count, int64_t diverged,
                        int64_t failed, double *scores, int n, int maximize)
{
    double best = NAN, median = NAN;
    if (n > 0) {
        qsort(scores, (size_t)n, sizeof *scores, cmp_double);
        best = maximize ? scores[n - 1] : scores[0];
        median = n % 2 ? scores[n / 2] : 0.5 * (scores[n / 2 - 1] + scores[n / 2]);
    }
    if (q->json) {
        json_t *o = json_object();
        json_object_set_new(o, q->by, json_string(group));
        json_object_set_new(o, "count", json_integer(count));
        json_object_set_new(o, "complete", json_integer(n));
        json_object_set_new(o, "diverged", json_integer(diverged));
        json_object_set_new(o, "failed", json_integer(failed));
        json_object_set_new(o, "best", lrs_json_number(best));
        json_object_set_new(o, "median", lrs_json_number(median));
        dump_json_line(stdout, o);
    } else {
        printf("%-22s %8" PRId64 " %8d %8" PRId64 " %8" PRId64 " ", group, count, n, diverged,
               failed);
        print_num(stdout, 12, best);
        putchar(' ');
        print_num(stdout, 12, median);
        putchar('\n');
    }
}

static int cmd_summary(sqlite3 *db, const qargs_t *q, const sweep_ref_t *sw, lrs_err_t *err)
{
    const char *by = q->by ? q->by : "scheduler";
    if (strcmp(by, "scheduler") != 0 && strcmp(by, "optimizer") != 0 && !lrs_param_find(by))
        return lrs_err_set(err, LRS_EXIT_USAGE, "--by: '%s' is not scheduler, optimizer or a "
                           "parameter name (`lrsweep params` lists them)", by);
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT COALESCE(CAST(json_extract(params, '$.%s') AS TEXT), '-') AS g, status, score"
             " FROM trials WHERE sweep_id = ?1 ORDER BY g",
             by);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, q->db_path, err);
    sqlite3_bind_int64(st, 1, sw->id);
    qargs_t qq = *q;
    qq.by = by;
    if (!q->json)
        printf("%-22s %8s %8s %8s %8s %12s %12s\n", by, "trials", "complete", "diverged", "failed",
               "best", "median");
    char group[256] = "";
    int64_t count = 0, diverged = 0, failed = 0;
    double *scores = NULL;
    int n = 0, cap = 0, rc, have = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *g = col_text(st, 0), *status = col_text(st, 1);
        if (have && strcmp(g, group) != 0) {
            summary_row(&qq, group, count, diverged, failed, scores, n, sw->maximize);
            count = diverged = failed = 0;
            n = 0;
        }
        have = 1;
        snprintf(group, sizeof group, "%s", g);
        count++;
        if (strcmp(status, "diverged") == 0)
            diverged++;
        else if (strcmp(status, "failed") == 0)
            failed++;
        else if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            if (n == cap) {
                cap = cap ? cap * 2 : 256;
                double *p = realloc(scores, (size_t)cap * sizeof *p);
                if (!p) {
                    free(scores);
                    sqlite3_finalize(st);
                    return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
                }
                scores = p;
            }
            scores[n++] = sqlite3_column_double(st, 2);
        }
    }
    if (have)
        summary_row(&qq, group, count, diverged, failed, scores, n, sw->maximize);
    free(scores);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_err(db, q->db_path, err);
}

/* ---- export ------------------------------------------------------------ */

typedef struct export_row {
    const char *status;
    double score, score_std, seconds;
    int attempts;
    const char *worker, *error;
    json_t *params;   /* owned */
} export_row_t;

/* Calls emit for every trial 0..trials-1 in order: recorded ones from the
 * database, the rest (running or pending) regenerated from the spec. */
static int each_trial(sqlite3 *db, const qargs_t *q, const sweep_ref_t *sw,
                      int (*emit)(void *ctx, int64_t trial, export_row_t *row), void *ctx,
                      lrs_err_t *err)
{
    sqlite3_stmt *spec_st = NULL, *tr = NULL, *ls = NULL;
    lrs_spec_t *spec = NULL;
    int rc = -1;
    if (sqlite3_prepare_v2(db, "SELECT spec FROM sweeps WHERE id = ?1", -1, &spec_st, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT trial, status, score, score_std, params, attempts, worker,"
                               " seconds, error FROM trials WHERE sweep_id = ?1 ORDER BY trial",
                           -1, &tr, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db, "SELECT trial, attempt, worker FROM leases WHERE sweep_id = ?1"
                               " ORDER BY trial", -1, &ls, NULL) != SQLITE_OK) {
        db_err(db, q->db_path, err);
        goto done;
    }
    sqlite3_bind_int64(spec_st, 1, sw->id);
    sqlite3_bind_int64(tr, 1, sw->id);
    sqlite3_bind_int64(ls, 1, sw->id);
    if (sqlite3_step(spec_st) != SQLITE_ROW) {
        db_err(db, q->db_path, err);
        goto done;
    }
    const char *text = col_text(spec_st, 0);
    if (lrs_spec_parse(sw->name, text, strlen(text), NULL, &spec, err) != 0)
        goto done;
    int have_tr = sqlite3_step(tr) == SQLITE_ROW, have_ls = sqlite3_step(ls) == SQLITE_ROW;
    for (int64_t i = 0; i < sw->trials; i++) {
        export_row_t row = {.score = NAN, .score_std = NAN, .seconds = NAN};
        while (have_ls && sqlite3_column_int64(ls, 0) < i)
            have_ls = sqlite3_step(ls) == SQLITE_ROW;
        if (have_tr && sqlite3_column_int64(tr, 0) == i) {
            row.status = col_text(tr, 1);
            row.score = col_real(tr, 2);
            row.score_std = col_real(tr, 3);
            row.params = json_loads(col_text(tr, 4), 0, NULL);
            row.attempts = sqlite3_column_int(tr, 5);
            row.worker = sqlite3_column_type(tr, 6) == SQLITE_NULL ? NULL : col_text(tr, 6);
            row.seconds = col_real(tr, 7);
            row.error = sqlite3_column_type(tr, 8) == SQLITE_NULL ? NULL : col_text(tr, 8);
        } else {
            lrs_trial_cfg_t cfg;
            char json[4096];
            if (lrs_spec_sample(spec, (uint64_t)i, &cfg, NULL, err) != 0)
                goto done;
            lrs_trial_cfg_json(&cfg, json, sizeof json);
            row.params = json_loads(json, 0, NULL);
            if (have_ls && sqlite3_column_int64(ls, 0) == i) {
                row.status = "running";
                row.attempts = sqlite3_column_int(ls, 1);
                row.worker = col_text(ls, 2);
            } else {
                row.status = "pending";
            }
        }
        if (!row.params)
            row.params = json_object();
        int e = emit(ctx, i, &row);
        json_decref(row.params);
        if (e != 0) {
            lrs_err_set(err, LRS_EXIT_RUNTIME, "writing the export failed");
            goto done;
        }
        if (have_tr && sqlite3_column_int64(tr, 0) == i)
            have_tr = sqlite3_step(tr) == SQLITE_ROW;
    }
    rc = 0;
done:
    sqlite3_finalize(spec_st);
    sqlite3_finalize(tr);
    sqlite3_finalize(ls);
    lrs_spec_destroy(&spec);
    return rc;
}

static int emit_jsonl(void *ctx, int64_t trial, export_row_t *r)
{
    (void)ctx;
    json_t *o = json_object();
    json_object_set_new(o, "trial", json_integer(trial));
    json_object_set_new(o, "status", json_string(r->status));
    json_object_set_new(o, "score", lrs_json_number(r->score));
    json_object_set_new(o, "score_std", lrs_json_number(r->score_std));
    json_object_set(o, "params", r->params);
    json_object_set_new(o, "attempts", json_integer(r->attempts));
    json_object_set_new(o, "worker", r->worker ? json_string(r->worker) : json_null());
    json_object_set_new(o, "seconds", lrs_json_number(r->seconds));
    json_object_set_new(o, "error", r->error ? json_string(r->error) : json_null());
    return dump_json_line(stdout, o) || ferror(stdout);
}

typedef struct csv_ctx {
    uint64_t mask;   /* parameter columns: bit per lrs_param_id_t */
    int header_done;
} csv_ctx_t;

static int collect_columns(void *ctx, int64_t trial, export_row_t *r)
{
    csv_ctx_t *c = ctx;
    (void)trial;
    const char *key;
    json_t *v;
    json_object_foreach(r->params, key, v) {
        const lrs_param_info_t *info = lrs_param_find(key);
        if (info)
            c->mask |= 1ULL << info->id;
    }
    return 0;
}

static void csv_field(const char *s)
{
    if (!s)
        return;
    if (strpbrk(s, ",\"\n\r")) {
        putchar('"');
        for (; *s; s++) {
            if (*s == '"')
                putchar('"');
            putchar(*s);
        }
        putchar('"');
    } else {
        fputs(s, stdout);
    }
}

static void csv_num(double v)
{
    char text[48];
    if (isfinite(v) && lrs_fmt_number(v, text, sizeof text) > 0)
        fputs(text, stdout);
}

static int emit_csv(void *ctx, int64_t trial, export_row_t *r)
{
    csv_ctx_t *c = ctx;
    const lrs_param_info_t *table = lrs_param_table();
    if (!c->header_done) {
        printf("trial,status,score,score_std");
        for (int i = 0; i < LRS_P_COUNT; i++)
            if (c->mask >> i & 1)
                printf(",%s", table[i].name);
        printf(",attempts,worker,seconds,error\n");
        c->header_done = 1;
    }
    printf("%" PRId64 ",%s,", trial, r->status);
    csv_num(r->score);
    putchar(',');
    csv_num(r->score_std);
    for (int i = 0; i < LRS_P_COUNT; i++) {
        if (!(c->mask >> i & 1))
            continue;
        putchar(',');
        json_t *v = json_object_get(r->params, table[i].name);
        if (json_is_string(v))
            csv_field(json_string_value(v));
        else if (json_is_integer(v))
            printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
        else if (json_is_real(v))
            csv_num(json_real_value(v));
        else if (json_is_boolean(v))
            fputs(json_is_true(v) ? "true" : "false", stdout);
        else if (v) {
            char *s = lrs_json_text(v);
            csv_field(s);
            free(s);
        }
    }
    printf(",%d,", r->attempts);
    csv_field(r->worker);
    putchar(',');
    csv_num(r->seconds);
    putchar(',');
    csv_field(r->error);
    putchar('\n');
    return ferror(stdout) != 0;
}

static int cmd_export(sqlite3 *db, const qargs_t *q, const sweep_ref_t *sw, lrs_err_t *err)
{
    const char *format = q->format ? q->format : "jsonl";
    if (strcmp(format, "jsonl") == 0)
        return each_trial(db, q, sw, emit_jsonl, NULL, err);
    if (strcmp(format, "csv") != 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--format: expected csv or jsonl, got '%s'", format);
    csv_ctx_t c = {0};
    if (each_trial(db, q, sw, collect_columns, &c, err) != 0)
        return -1;
    return each_trial(db, q, sw, emit_csv, &c, err);
}

/* ---- argument handling ------------------------------------------------- */

enum { Q_SWEEPS, Q_STATUS, Q_BEST, Q_SUMMARY, Q_EXPORT };

static void usage(FILE *out, int which)
{
    static const char *const lines[] = {
        [Q_SWEEPS] = "usage: lrsweep sweeps [--db FILE] [--json]\n\n"
                     "Lists the sweeps in the database with their progress and best score.\n",
        [Q_STATUS] = "usage: lrsweep status [SWEEP] [--db FILE] [--json]\n\n"
                     "Counts by state, workers seen, throughput and the best trial so far\n"
                     "(default: the newest sweep).  Works while the sweep runs.\n",
        [Q_BEST] = "usage: lrsweep best [SWEEP] [--db FILE] [--top K] [--json]\n\n"
                   "The K best complete trials (default 10) with their parameters.\n",
        [Q_SUMMARY] = "usage: lrsweep summary [SWEEP] [--db FILE] [--by scheduler|optimizer|PARAM]"
                      " [--json]\n\nPer group (default: scheduler): trials, complete, diverged, "
                      "failed,\nbest and median score.\n",
        [Q_EXPORT] = "usage: lrsweep export [SWEEP] [--db FILE] --format csv|jsonl\n\n"
                     "Every trial of the sweep, pending and running ones too.  JSON Lines keys:\n"
                     "trial, status, score, score_std, params, attempts, worker, seconds, error;\n"
                     "CSV has one column per parameter.\n",
    };
    fputs(lines[which], out);
    fputs("\n  --db FILE    results database (default lrsweep.db)\n", out);
}

static int query_main(int argc, char **argv, int which)
{
    static const char *const names[] = {"sweeps", "status", "best", "summary", "export"};
    static const struct option long_opts[] = {
        {"db", required_argument, NULL, 'd'},     {"top", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},         {"by", required_argument, NULL, 'b'},
        {"format", required_argument, NULL, 'f'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    qargs_t q = {.cmd = names[which], .db_path = "lrsweep.db", .top = 10};
    optind = 1;
    int c;
    while ((c = getopt_long(argc, argv, "d:t:jb:f:h", long_opts, NULL)) != -1) {
        switch (c) {
        case 'd': q.db_path = optarg; break;
        case 't': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "lrsweep %s: --top: expected a positive integer, got '%s'\n", q.cmd,
                        optarg);
                return LRS_EXIT_USAGE;
            }
            q.top = (int)v;
            break;
        }
        case 'j': q.json = 1; break;
        case 'b': q.by = optarg; break;
        case 'f': q.format = optarg; break;
        case 'h': usage(stdout, which); return lrs_cli_finish(0);
        default: usage(stderr, which); return LRS_EXIT_USAGE;
        }
    }
    int max_pos = which == Q_SWEEPS ? 0 : 1;
    if (argc - optind > max_pos) {
        fprintf(stderr, "lrsweep %s: unexpected argument '%s'\n\n", q.cmd, argv[optind + max_pos]);
        usage(stderr, which);
        return LRS_EXIT_USAGE;
    }
    if (optind < argc)
        q.sweep = argv[optind];
    if (which == Q_EXPORT && !q.format) {
        fprintf(stderr, "lrsweep export: --format csv|jsonl is required\n");
        return LRS_EXIT_USAGE;
    }
    lrs_err_t err;
    lrs_err_clear(&err);
    lrs_store_t *s = lrs_store_open(q.db_path, LRS_STORE_READ, &err);
    int rc = -1;
    if (s) {
        sqlite3 *db = lrs_store_db(s);
        sweep_ref_t sw;
        if (which == Q_SWEEPS)
            rc = cmd_sweeps(db, &q, &err);
        else if (find_sweep(db, q.db_path, q.sweep, &sw, &err) == 0)
            rc = which == Q_STATUS    ? cmd_status(db, &q, &sw, &err)
                 : which == Q_BEST    ? best_on(db, q.db_path, &sw, q.top, q.json, stdout, &err)
                 : which == Q_SUMMARY ? cmd_summary(db, &q, &sw, &err)
                                      : cmd_export(db, &q, &sw, &err);
        lrs_store_destroy(&s);
    }
    if (rc != 0) {
        fprintf(stderr, "lrsweep %s: %s\n", q.cmd, err.msg);
        return lrs_cli_finish(err.code ? err.code : LRS_EXIT_RUNTIME);
    }
    return lrs_cli_finish(0);
}

int lrs_cmd_sweeps(int argc, char **argv) { return query_main(argc, argv, Q_SWEEPS); }
int lrs_cmd_status(int argc, char **argv) { return query_main(argc, argv, Q_STATUS); }
int lrs_cmd_best(int argc, char **argv) { return query_main(argc, argv, Q_BEST); }
int lrs_cmd_summary(int argc, char **argv) { return query_main(argc, argv, Q_SUMMARY); }
int lrs_cmd_export(int argc, char **argv) { return query_main(argc, argv, Q_EXPORT); }
