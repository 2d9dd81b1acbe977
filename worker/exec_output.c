/* exec_output.c — see exec_output.h.  Rings and a line splitter: the log
 * ring and the stderr line ring overwrite their oldest bytes / lines, the
 * stdout line is assembled in one LRS_METRIC_LINE_MAX buffer (a longer line
 * is dropped whole), and curve points grow geometrically up to
 * LRS_EXEC_MAX_CURVE. */
#include "worker/exec_output.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/strbuf.h"

void lrs_exec_acc_log(lrs_exec_acc_t *a, const char *data, size_t len)
{
    if (a->ring_cap == 0)
        return;
    if (len >= a->ring_cap) {       /* only the last ring_cap bytes can survive */
        data += len - a->ring_cap;
        len = a->ring_cap;
    }
    size_t tail = (a->ring_head + a->ring_len) % a->ring_cap;
    size_t first = a->ring_cap - tail < len ? a->ring_cap - tail : len;
    memcpy(a->ring + tail, data, first);
    memcpy(a->ring, data + first, len - first);
    a->ring_len += len;
    if (a->ring_len > a->ring_cap) {
        a->ring_head = (a->ring_head + a->ring_len - a->ring_cap) % a->ring_cap;
        a->ring_len = a->ring_cap;
    }
}

static void err_line_finish(lrs_exec_acc_t *a)
{
    int slot;
    if (a->err_count < LRS_EXEC_STDERR_LINES) {
        slot = (a->err_first + a->err_count) % LRS_EXEC_STDERR_LINES;
        a->err_count++;
    } else {
        slot = a->err_first;
        a->err_first = (a->err_first + 1) % LRS_EXEC_STDERR_LINES;
    }
    memcpy(a->err_lines[slot], a->err_cur, a->err_cur_len);
    a->err_line_len[slot] = a->err_cur_len;
    a->err_cur_len = 0;
    a->err_cur_open = 0;
}

static void stderr_add(lrs_exec_acc_t *a, const char *data, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (data[i] == '\n') {
            err_line_finish(a);
            continue;
        }
        a->err_cur_open = 1;
        if (a->err_cur_len < LRS_EXEC_STDERR_LINE_MAX)
            a->err_cur[a->err_cur_len++] = data[i];
    }
}

int lrs_exec_acc_name_index(lrs_exec_acc_t *a, const char *name)
{
    lrs_exec_result_t *r = a->out;
    for (int i = 0; i < r->n_names; i++)
        if (strcmp(r->names[i], name) == 0)
            return i;
    if (r->n_names == LRS_EXEC_MAX_NAMES)
        return -1;
    snprintf(r->names[r->n_names], LRS_METRIC_NAME_MAX, "%s", name);
    return r->n_names++;
}

static void curve_add(lrs_exec_acc_t *a, int epoch, int name, double value)
{
    lrs_exec_result_t *r = a->out;
    if (r->n_curve == LRS_EXEC_MAX_CURVE) {
        r->curve_truncated = 1;
        return;
    }
    if (r->n_curve == a->curve_cap) {
        size_t cap = a->curve_cap ? a->curve_cap * 2 : 256;
        lrs_exec_point_t *p = realloc(r->curve, cap * sizeof *p);
        if (!p) {
            a->oom = 1;
            return;
        }
        r->curve = p;
        a->curve_cap = cap;
    }
    r->curve[r->n_curve++] = (lrs_exec_point_t){a->fold, epoch, name, value};
}

static void metric_line(lrs_exec_acc_t *a, const lrs_metric_line_t *m)
{
    int e = lrs_metrics_find(m, "epoch");
    int epoch = 0, has_epoch = 0;
    if (e >= 0) {
        double ev = m->items[e].value;
        if (isfinite(ev) && ev == floor(ev) && fabs(ev) <= 1e9) {
            epoch = (int)ev;
            has_epoch = 1;
        }
    }
    for (int i = 0; i < m->n; i++) {
        const lrs_metric_t *it = &m->items[i];
        if (strcmp(it->name, a->spec->metric) == 0) {
            a->objective_seen = 1;
            double value, best;
            int due = has_epoch && isfinite(it->value) && !a->diverged[0]
                          ? lrs_exec_rungs_report(&a->rungs, a->fold, epoch, it->value, &value,
                                                  &best)
                          : 0;
            if (due < 0 || (due > 0 && a->hooks->rung_post(a->hooks->ctx, epoch, value, best) != 0))
                a->oom = 1;
            if (!isfinite(it->value) && !a->diverged[0]) {
                if (has_epoch)
                    snprintf(a->diverged, sizeof a->diverged, "%s is %g at epoch %d", it->name,
                             it->value, epoch);
                else
                    snprintf(a->diverged, sizeof a->diverged, "%s is %g", it->name, it->value);
            }
        }
        if (i == e)
            continue;
        int k = lrs_exec_acc_name_index(a, it->name);
        if (k < 0)
            continue;
        a->fold_last[k] = it->value;
        a->fold_has[k] = 1;
        if (has_epoch)
            curve_add(a, epoch, k, it->value);
    }
    if (a->hooks && a->hooks->on_metrics)
        a->hooks->on_metrics(a->hooks->ctx, a->fold, m);
}

void lrs_exec_acc_line_end(lrs_exec_acc_t *a)
{
    if (!a->line_overlong && a->line_len > 0) {
        lrs_metric_line_t m;
        if (lrs_metrics_parse_line(a->line, a->line_len, &m))
            metric_line(a, &m);
    }
    a->line_len = 0;
    a->line_overlong = 0;
}

static void stdout_add(lrs_exec_acc_t *a, const char *data, size_t len)
{
    while (len > 0) {
        const char *nl = memchr(data, '\n', len);
        size_t n = nl ? (size_t)(nl - data) : len;
        if (!a->line_overlong) {
            if (a->line_len + n > LRS_METRIC_LINE_MAX) {
                a->line_overlong = 1;
            } else {
                memcpy(a->line + a->line_len, data, n);
                a->line_len += n;
            }
        }
        if (!nl)
            return;
        lrs_exec_acc_line_end(a);
        data += n + 1;
        len -= n + 1;
    }
}

void lrs_exec_acc_output(lrs_exec_acc_t *a, int stream, const char *data, size_t len)
{
    a->out->output_bytes += len;
    lrs_exec_acc_log(a, data, len);
    if (stream == 1)
        stdout_add(a, data, len);
    else
        stderr_add(a, data, len);
    if (a->hooks && a->hooks->on_output)
        a->hooks->on_output(a->hooks->ctx, a->fold, stream, data, len);
}

/* Copies the log ring and the stderr lines into the result. */
void lrs_exec_acc_finish(lrs_exec_acc_t *a)
{
    lrs_exec_result_t *r = a->out;
    if (a->err_cur_open)
        err_line_finish(a);
    lrs_strbuf_t tail = {0};
    int ok = lrs_sb_add(&tail, "", 0) == 0;
    for (int i = 0; ok && i < a->err_count; i++) {
        int slot = (a->err_first + i) % LRS_EXEC_STDERR_LINES;
        ok = lrs_sb_add(&tail, a->err_lines[slot], a->err_line_len[slot]) == 0 &&
             lrs_sb_add(&tail, "\n", 1) == 0;
    }
    if (ok) {
        r->stderr_tail = tail.p;
        r->stderr_tail_len = tail.len;
    } else {
        free(tail.p);
    }
    r->log = malloc(a->ring_len + 1);
    if (r->log) {
        size_t first = a->ring_cap - a->ring_head < a->ring_len ? a->ring_cap - a->ring_head : a->ring_len;
        if (first)
            memcpy(r->log, a->ring + a->ring_head, first);
        if (a->ring_len > first)
            memcpy(r->log + first, a->ring, a->ring_len - first);
        r->log[a->ring_len] = '\0';
        r->log_len = a->ring_len;
    }
}
