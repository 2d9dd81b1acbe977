/* progress.c — see progress.h.  The values wait in one array under the
 * buffer's lock; sending copies them out first, so that the trial threads
 * never wait on the encoding. */
#include "worker/progress.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A curve value waiting to leave in a PROGRESS message. */
typedef struct progress_point {
    uint64_t token, trial;
    uint32_t attempt;
    int fold, epoch;
    char name[LRS_METRIC_NAME_MAX];
    double value;
} progress_point_t;

struct lrs_progress {
    pthread_mutex_t mu;
    progress_point_t *points;    /* LRS_PROGRESS_MAX, under mu */
    int n;
};

lrs_progress_t *lrs_progress_new(void)
{
    lrs_progress_t *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    p->points = malloc(LRS_PROGRESS_MAX * sizeof *p->points);
    if (!p->points || pthread_mutex_init(&p->mu, NULL) != 0) {
        free(p->points);
        free(p);
        return NULL;
    }
    return p;
}

void lrs_progress_destroy(lrs_progress_t **pp)
{
    lrs_progress_t *p = *pp;
    if (!p)
        return;
    pthread_mutex_destroy(&p->mu);
    free(p->points);
    free(p);
    *pp = NULL;
}

int lrs_progress_add(lrs_progress_t *prog, uint64_t token, uint64_t trial, uint32_t attempt,
                     int fold, const lrs_metric_line_t *line)
{
    int e = lrs_metrics_find(line, "epoch");
    if (e < 0)
        return 0;
    double ev = line->items[e].value;
    if (!isfinite(ev) || ev != floor(ev) || fabs(ev) > 1e9)
        return 0;
    pthread_mutex_lock(&prog->mu);
    int was_empty = prog->n == 0;
    for (int i = 0; i < line->n && prog->n < LRS_PROGRESS_MAX; i++) {
        if (i == e)
            continue;
        progress_point_t *p = &prog->points[prog->n++];
        p->token = token;
        p->trial = trial;
        p->attempt = attempt;
        p->fold = fold;
        p->epoch = (int)ev;
        snprintf(p->name, sizeof p->name, "%s", line->items[i].name);
        p->value = line->items[i].value;
    }
    pthread_mutex_unlock(&prog->mu);
    return was_empty;
}

int lrs_progress_waiting(lrs_progress_t *p)
{
    pthread_mutex_lock(&p->mu);
    int n = p->n;
    pthread_mutex_unlock(&p->mu);
    return n > 0;
}

void lrs_progress_clear(lrs_progress_t *p)
{
    pthread_mutex_lock(&p->mu);
    p->n = 0;
    pthread_mutex_unlock(&p->mu);
}

void lrs_progress_send(lrs_progress_t *prog, uint64_t token, lrs_wbuf_t *out,
                       void (*send)(void *ctx), void *ctx)
{
    pthread_mutex_lock(&prog->mu);
    int n = prog->n;
    progress_point_t *pts = n ? malloc((size_t)n * sizeof *pts) : NULL;
    if (pts)
        memcpy(pts, prog->points, (size_t)n * sizeof *pts);
    prog->n = 0;
    pthread_mutex_unlock(&prog->mu);
    if (!pts)
        return;
    char *names[LRS_PROTO_MAX_NAMES];
    lrs_curve_point_t *wp = malloc((size_t)n * sizeof *wp);
    for (int i = 0; wp && i < n; i++) {
        if (pts[i].token != token || pts[i].attempt == 0)
            continue;   /* of another sweep, or already sent */
        uint64_t trial = pts[i].trial;
        uint32_t attempt = pts[i].attempt;
        lrs_curve_t c = {.names = names, .points = wp};
        for (int k = i; k < n; k++) {
            progress_point_t *p = &pts[k];
            if (p->attempt != attempt || p->trial != trial || p->token != token)
                continue;
            p->attempt = 0;
            int name = 0;
            while (name < c.n_names && strcmp(names[name], p->name) != 0)
                name++;
            if (name == c.n_names) {
                if (c.n_names == LRS_PROTO_MAX_NAMES)
                    continue;
                names[c.n_names++] = p->name;
            }
            wp[c.n_points++] = (lrs_curve_point_t){p->fold, p->epoch, name, p->value};
        }
        lrs_proto_progress(out, token, trial, attempt, &c);
        send(ctx);
    }
    free(wp);
    free(pts);
}
