/* confirmed.c — see confirmed.h. */
#include "coordinator/confirmed.h"

#include <inttypes.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/stats.h"
#include "coordinator/readout.h"
#include "coordinator/store.h"

int lrs_confirmed_read(lrs_query_t *q, const lrs_query_sweep_t *sw, lrs_confirmed_list_t *out,
                       lrs_err_t *err)
{
    memset(out, 0, sizeof *out);
    lrs_store_t *store = lrs_query_store(q);
    if (lrs_store_version(store) < 7)
        return 0;
    sqlite3 *db = lrs_store_db(store);
    sqlite3_stmt *st = NULL;
    int step, cap = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT c.confirms, c.status = 'complete', c.score, c.score_std,"
                           " MAX(1, (SELECT COUNT(*) FROM trial_repeats r WHERE r.sweep_id ="
                           " c.sweep_id AND r.trial = c.trial)), s.score, s.params"
                           " FROM trials c LEFT JOIN trials s"
                           " ON s.sweep_id = c.sweep_id AND s.trial = c.confirms"
                           " WHERE c.sweep_id = ?1 AND c.confirms IS NOT NULL"
                           " ORDER BY c.status != 'complete',"
                           " CASE WHEN ?2 THEN -c.score ELSE c.score END, c.confirms",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, sw->id);
    sqlite3_bind_int(st, 2, sw->maximize);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        if (out->n == cap) {
            cap = cap ? cap * 2 : 16;
            lrs_confirmed_t *items = realloc(out->items, (size_t)cap * sizeof *items);
            if (!items)
                goto oom;
            out->items = items;
        }
        lrs_confirmed_t *c = &out->items[out->n];
        const unsigned char *params = sqlite3_column_text(st, 6);
        *c = (lrs_confirmed_t){
            .trial = sqlite3_column_int64(st, 0), .complete = sqlite3_column_int(st, 1),
            .mean = lrs_store_column_real(st, 2), .std = lrs_store_column_real(st, 3),
            .n = sqlite3_column_int(st, 4), .search_score = lrs_store_column_real(st, 5),
            .params = strdup(params ? (const char *)params : "{}")};
        if (!c->params)
            goto oom;
        out->n++;
        double half = c->complete ? lrs_mean_ci_half(c->std, c->n, LRS_CONFIRMED_LEVEL) : NAN;
        c->low = c->mean - half;
        c->high = c->mean + half;
        out->n_complete += c->complete;
    }
    if (step != SQLITE_DONE)
        goto fail;
    sqlite3_finalize(st);
    /* apart: this interval and the next complete one's do not meet */
    for (int i = 0; i + 1 < out->n_complete; i++) {
        const lrs_confirmed_t *a = &out->items[i], *b = &out->items[i + 1];
        out->items[i].apart = !isnan(a->low) && !isnan(b->low) &&
                              (sw->maximize ? a->low > b->high : a->high < b->low);
    }
    return 0;
oom:
    sqlite3_finalize(st);
    lrs_confirmed_free(out);
    return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory reading confirmations");
fail:
    lrs_err_set(err, LRS_EXIT_RUNTIME, "reading the confirmation runs: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    lrs_confirmed_free(out);
    return -1;
}

void lrs_confirmed_free(lrs_confirmed_list_t *l)
{
    if (!l)
        return;
    for (int i = 0; i < l->n; i++)
        free(l->items[i].params);
    free(l->items);
    memset(l, 0, sizeof *l);
}

/* 1 when the intervals of a and b share a point. */
static int overlap(const lrs_confirmed_t *a, const lrs_confirmed_t *b)
{
    return a->low <= b->high && b->low <= a->high;
}

void lrs_confirmed_verdict(const lrs_confirmed_list_t *l, char *out, size_t size)
{
    out[0] = '\0';
    if (l->n_complete < 2)
        return;
    const lrs_confirmed_t *best = &l->items[0];
    if (isnan(best->low)) {
        snprintf(out, size, "with one repeat per confirmation there is no interval: confirm "
                            "with repeats of 2 or more to tell the configs apart");
        return;
    }
    size_t at = 0;
    int ties = 0;
    for (int i = 1; i < l->n_complete; i++) {
        if (isnan(l->items[i].low) || !overlap(best, &l->items[i]))
            continue;
        int w = snprintf(out + at, size - at, "%s%" PRId64, ties ? ", " : "", l->items[i].trial);
        if (w > 0 && (size_t)w < size - at)
            at += (size_t)w;
        ties++;
    }
    if (!ties) {
        snprintf(out, size, "trial %" PRId64 " is best: its 95%% interval does not overlap any "
                            "other confirmed config's", best->trial);
        return;
    }
    char list[512];
    snprintf(list, sizeof list, "%s", out);
    snprintf(out, size, "the top configs cannot be told apart: the 95%% interval of trial %" PRId64
                        " overlaps that of trial%s %s; more repeats (confirm.repeats) narrow them",
             best->trial, ties > 1 ? "s" : "", list);
}

void lrs_confirmed_print(const lrs_confirmed_list_t *l, int top, int json, FILE *out,
                         void (*print_params)(FILE *out, const char *json))
{
    if (!json && l->n)
        fprintf(out, "confirmed configs (mean of each one's fresh repeats, 95%% t interval):\n"
                     "%4s %8s %12s %23s %4s %12s  %s\n",
                "rank", "trial", "confirmed", "95% interval", "n", "search", "params");
    for (int i = 0; i < l->n && i < top; i++) {
        const lrs_confirmed_t *c = &l->items[i];
        if (json) {
            json_t *o = json_object(), *k = json_object();
            json_object_set_new(o, "rank", json_integer(i + 1));
            json_object_set_new(o, "trial", json_integer(c->trial));
            json_object_set_new(k, "status", json_string(c->complete ? "complete" : "incomplete"));
            json_object_set_new(k, "mean", lrs_json_number(c->mean));
            json_object_set_new(k, "std", lrs_json_number(c->std));
            json_object_set_new(k, "n", json_integer(c->n));
            json_object_set_new(k, "low", lrs_json_number(c->low));
            json_object_set_new(k, "high", lrs_json_number(c->high));
            json_object_set_new(k, "apart_from_next", json_boolean(c->apart));
            json_object_set_new(o, "confirmed", k);
            json_object_set_new(o, "score", lrs_json_number(c->search_score));
            json_object_set_new(o, "params", lrs_readout_json_value(c->params));
            lrs_readout_json_line(out, o);
            continue;
        }
        char lo[32], hi[32], iv[72];
        lrs_fmt_display(c->low, LRS_FMT_VALUE_DIGITS, lo, sizeof lo);
        lrs_fmt_display(c->high, LRS_FMT_VALUE_DIGITS, hi, sizeof hi);
        snprintf(iv, sizeof iv, isnan(c->low) ? "-" : "[%s, %s]", lo, hi);
        fprintf(out, "%4d %8" PRId64 " ", i + 1, c->trial);
        if (c->complete)
            lrs_fmt_print(out, 12, LRS_FMT_VALUE_DIGITS, c->mean);
        else
            fprintf(out, "%12s", "incomplete");
        fprintf(out, " %23s %4d ", iv, c->n);
        lrs_fmt_print(out, 12, LRS_FMT_VALUE_DIGITS, c->search_score);
        fputs("  ", out);
        print_params(out, c->params);
        fputc('\n', out);
    }
    char verdict[1024];
    lrs_confirmed_verdict(l, verdict, sizeof verdict);
    if (!json && verdict[0])
        fprintf(out, "%s\n", verdict);
    if (!json && l->n)
        fprintf(out, "\nsearch trials (one score each):\n");
}

int lrs_confirmed_brief(const char *db_path, const char *sweep, char *out, size_t size,
                        lrs_err_t *err)
{
    out[0] = '\0';
    lrs_query_t *q = lrs_query_open(db_path, err);
    if (!q)
        return -1;
    lrs_query_sweep_t sw;
    lrs_confirmed_list_t l = {0};
    int rc = lrs_query_sweep(q, sweep, &sw, err);
    if (rc == 0)
        rc = lrs_confirmed_read(q, &sw, &l, err);
    if (rc == 0 && l.n_complete > 0) {
        const lrs_confirmed_t *c = &l.items[0];
        char mean[32], lo[32], hi[32];
        lrs_fmt_display(c->mean, LRS_FMT_VALUE_DIGITS, mean, sizeof mean);
        lrs_fmt_display(c->low, LRS_FMT_VALUE_DIGITS, lo, sizeof lo);
        lrs_fmt_display(c->high, LRS_FMT_VALUE_DIGITS, hi, sizeof hi);
        if (isnan(c->low))
            snprintf(out, size, "confirmed %d, best trial %" PRId64 " %s (n %d)", l.n,
                     c->trial, mean, c->n);
        else
            snprintf(out, size, "confirmed %d, best trial %" PRId64 " %s [%s, %s]%s", l.n,
                     c->trial, mean, lo, hi, l.n_complete > 1 && !c->apart ? " (tied)" : "");
    }
    lrs_confirmed_free(&l);
    lrs_query_destroy(&q);
    return rc;
}
