/* metric_cols.c — see metric_cols.h. */
#include "coordinator/metric_cols.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/jsonout.h"
#include "common/numfmt.h"
#include "common/textesc.h"
#include "coordinator/readout.h"

enum { TABLE_MIN_WIDTH = 12 };

static int find(const lrs_names_t *names, const char *name, size_t len)
{
    for (int i = 0; i < names->n; i++)
        if (strlen(names->name[i]) == len && memcmp(names->name[i], name, len) == 0)
            return i;
    return -1;
}

static int append(lrs_names_t *out, const char *name, size_t len, lrs_err_t *err)
{
    char **grown = realloc(out->name, (size_t)(out->n + 1) * sizeof *grown);
    if (grown)
        out->name = grown;
    if (!grown || !(out->name[out->n] = strndup(name, len)))
        return lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
    out->n++;
    return 0;
}

/* The unknown name and the known ones, as far as the message holds them. */
static int unknown(const lrs_names_t *known, const char *name, size_t len, const char *where,
                   lrs_err_t *err)
{
    char list[768] = "";
    size_t used = 0;
    for (int i = 0; i < known->n && used < sizeof list; i++) {
        int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", known->name[i]);
        used += w > 0 ? (size_t)w : 0;
    }
    char shown[LRS_TEXTESC_SIZE(64)];
    char raw[65];
    snprintf(raw, sizeof raw, "%.*s", (int)(len < 64 ? len : 64), name);
    if (known->n == 0)
        return lrs_err_set(err, LRS_EXIT_USAGE, "--metrics: no metric '%s' in %s, which has none",
                           lrs_text_escape_str(raw, shown, sizeof shown), where);
    return lrs_err_set(err, LRS_EXIT_USAGE, "--metrics: no metric '%s' in %s; its metrics: %s%s",
                       lrs_text_escape_str(raw, shown, sizeof shown), where, list,
                       used >= sizeof list ? " ..." : "");
}

int lrs_metric_cols_choose(const lrs_names_t *known, const char *choice, const char *where,
                           lrs_names_t *out, lrs_err_t *err)
{
    if (!choice) {
        for (int i = 0; i < known->n; i++)
            if (append(out, known->name[i], strlen(known->name[i]), err) != 0)
                return -1;
        return 0;
    }
    if (choice[0] == '\0' || strcmp(choice, "none") == 0)
        return 0;
    for (const char *p = choice;; p++) {
        size_t len = strcspn(p, ",");
        if (find(known, p, len) < 0)
            return unknown(known, p, len, where, err);
        if (find(out, p, len) < 0 && append(out, p, len, err) != 0)
            return -1;
        p += len;
        if (*p == '\0')
            return 0;
    }
}

struct lrs_metric_cols {
    lrs_query_metrics_t *reader;
    lrs_names_t cols;
};

lrs_metric_cols_t *lrs_metric_cols_new(lrs_query_t *q, const lrs_query_sweep_t *sw, int curves,
                                       int64_t trial, const char *choice, lrs_err_t *err)
{
    char where[320];
    if (!curves)
        snprintf(where, sizeof where, "sweep '%s'", sw->name);
    else if (trial >= 0)
        snprintf(where, sizeof where, "the curve of trial %" PRId64 " of sweep '%s'", trial,
                 sw->name);
    else
        snprintf(where, sizeof where, "the curves of sweep '%s'", sw->name);
    lrs_metric_cols_t *c = calloc(1, sizeof *c);
    if (!c) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory");
        return NULL;
    }
    lrs_names_t known = {0};
    int rc = -1;
    if ((c->reader = lrs_query_metrics_new(q, sw, err)) &&
        (curves ? lrs_query_curve_names(c->reader, trial, &known, err)
                : lrs_query_metric_names(c->reader, &known, err)) == 0)
        rc = lrs_metric_cols_choose(&known, choice, where, &c->cols, err);
    lrs_names_clear(&known);
    if (rc != 0)
        lrs_metric_cols_destroy(&c);
    return c;
}

void lrs_metric_cols_destroy(lrs_metric_cols_t **cp)
{
    if (!cp || !*cp)
        return;
    lrs_query_metrics_destroy(&(*cp)->reader);
    lrs_names_clear(&(*cp)->cols);
    free(*cp);
    *cp = NULL;
}

lrs_query_metrics_t *lrs_metric_cols_reader(lrs_metric_cols_t *c) { return c->reader; }

int lrs_metric_cols_trial(lrs_metric_cols_t *c, int64_t trial, lrs_trial_metrics_t *out,
                          lrs_err_t *err)
{
    return lrs_query_trial_metrics(c->reader, trial, out, err);
}

/* The value of name in metrics; NaN when it has none. */
static double value_of(const json_t *metrics, const char *name)
{
    const json_t *v = json_object_get(metrics, name);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* A column's name as a table shows it, and the column's width. */
static int table_name(const char *name, char *shown, size_t size)
{
    int len = (int)strlen(lrs_text_escape_str(name, shown, size));
    return len > TABLE_MIN_WIDTH ? len : TABLE_MIN_WIDTH;
}

void lrs_metric_cols_table_header(FILE *out, const lrs_metric_cols_t *c)
{
    const lrs_names_t *cols = &c->cols;
    for (int i = 0; i < cols->n; i++) {
        char shown[LRS_TEXTESC_SIZE(256)];
        int width = table_name(cols->name[i], shown, sizeof shown);
        fprintf(out, " %*s", width, shown);
    }
}

void lrs_metric_cols_table_row(FILE *out, const lrs_metric_cols_t *c, const json_t *metrics)
{
    const lrs_names_t *cols = &c->cols;
    for (int i = 0; i < cols->n; i++) {
        char shown[LRS_TEXTESC_SIZE(256)];
        fputc(' ', out);
        lrs_fmt_print(out, table_name(cols->name[i], shown, sizeof shown), LRS_FMT_VALUE_DIGITS,
                      value_of(metrics, cols->name[i]));
    }
}

void lrs_metric_cols_csv_header(FILE *out, const lrs_metric_cols_t *c, const char *const *taken,
                                int n_taken)
{
    const lrs_names_t *cols = &c->cols;
    for (int i = 0; i < cols->n; i++) {
        int clash = 0;
        for (int k = 0; k < n_taken && !clash; k++)
            clash = strcmp(taken[k], cols->name[i]) == 0;
        fputc(',', out);
        if (clash) {
            char *prefixed = malloc(strlen(cols->name[i]) + sizeof "metrics.");
            if (prefixed) {
                strcpy(prefixed, "metrics.");
                strcat(prefixed, cols->name[i]);
            }
            lrs_readout_csv_text(out, prefixed ? prefixed : cols->name[i]);
            free(prefixed);
        } else {
            lrs_readout_csv_text(out, cols->name[i]);
        }
    }
}

void lrs_metric_cols_csv_row(FILE *out, const lrs_metric_cols_t *c, const json_t *metrics)
{
    const lrs_names_t *cols = &c->cols;
    for (int i = 0; i < cols->n; i++) {
        fputc(',', out);
        lrs_readout_csv_number(out, value_of(metrics, cols->name[i]));
    }
}

json_t *lrs_metric_cols_json(const lrs_metric_cols_t *c, const json_t *metrics)
{
    const lrs_names_t *cols = &c->cols;
    json_t *o = json_object();
    for (int i = 0; o && i < cols->n; i++)
        if (json_object_get(metrics, cols->name[i]) &&
            json_object_set_new(o, cols->name[i], lrs_json_number(value_of(metrics, cols->name[i]))) != 0) {
            json_decref(o);
            return NULL;
        }
    return o;
}
