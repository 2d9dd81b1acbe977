/* workers.c — see workers.h.  A flat array scanned linearly: lookups run
 * once per message, and the table holds at most max_workers live slots
 * (10000 by default), so a scan is cheaper than keeping a hash in step. */
#include "coordinator/workers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int grow(void **p, int *cap, int need, size_t elem)
{
    if (need <= *cap)
        return 0;
    int cap2 = *cap ? *cap * 2 : 16;
    while (cap2 < need)
        cap2 *= 2;
    void *q = realloc(*p, (size_t)cap2 * elem);
    if (!q)
        return -1;
    *p = q;
    *cap = cap2;
    return 0;
}

void lrs_workers_init(lrs_workers_t *ws) { memset(ws, 0, sizeof *ws); }

void lrs_workers_clear(lrs_workers_t *ws)
{
    for (int i = 0; i < ws->n; i++) {
        free(ws->slots[i].leases);
        free(ws->slots[i].acks);
    }
    free(ws->slots);
    memset(ws, 0, sizeof *ws);
}

lrs_worker_t *lrs_workers_find(lrs_workers_t *ws, const uint8_t *id, size_t len)
{
    for (int i = 0; i < ws->n; i++) {
        lrs_worker_t *w = &ws->slots[i];
        if (w->live && w->id_len == len && memcmp(w->id, id, len) == 0)
            return w;
    }
    return NULL;
}

lrs_worker_t *lrs_workers_find_session(lrs_workers_t *ws, const char *key, const char *name)
{
    for (int i = 0; i < ws->n; i++) {
        lrs_worker_t *w = &ws->slots[i];
        if (w->live && strcmp(w->key, key) == 0 && strcmp(w->name, name) == 0)
            return w;
    }
    return NULL;
}

lrs_worker_t *lrs_workers_join(lrs_workers_t *ws, const uint8_t *id, size_t len, const char *key,
                               const char *name, const char *host, int jobs, int64_t now_ms)
{
    if (len > LRS_WORKER_ID_MAX)
        return NULL;
    lrs_worker_t *w = NULL;
    for (int i = 0; i < ws->n && !w; i++)
        if (!ws->slots[i].live)
            w = &ws->slots[i];
    if (!w) {
        if (grow((void **)&ws->slots, &ws->cap, ws->n + 1, sizeof *w) != 0)
            return NULL;
        w = &ws->slots[ws->n++];
        memset(w, 0, sizeof *w);
    }
    uint64_t *leases = w->leases, *acks = w->acks;
    int cap_leases = w->cap_leases, cap_acks = w->cap_acks;
    memset(w, 0, sizeof *w);
    w->leases = leases, w->cap_leases = cap_leases, w->acks = acks, w->cap_acks = cap_acks;
    memcpy(w->id, id, len);
    w->id_len = len;
    snprintf(w->key, sizeof w->key, "%s", key);
    snprintf(w->name, sizeof w->name, "%s", name);
    snprintf(w->host, sizeof w->host, "%s", host);
    w->jobs = jobs;
    w->last_seen_ms = now_ms;
    w->live = 1;
    w->dirty = 1;
    ws->live++;
    return w;
}

void lrs_workers_leave(lrs_workers_t *ws, lrs_worker_t *w)
{
    w->n_leases = 0;
    w->live = 0;
    w->credit = 0;
    w->n_acks = 0;
    ws->live--;
}

int lrs_worker_reserve_leases(lrs_worker_t *w, int n)
{
    return grow((void **)&w->leases, &w->cap_leases, w->n_leases + n, sizeof *w->leases);
}

int lrs_worker_add_lease(lrs_worker_t *w, uint64_t trial)
{
    if (lrs_worker_reserve_leases(w, 1) != 0)
        return -1;
    w->leases[w->n_leases++] = trial;
    return 0;
}

void lrs_worker_drop_lease(lrs_worker_t *w, uint64_t trial)
{
    for (int i = 0; i < w->n_leases; i++)
        if (w->leases[i] == trial) {
            w->leases[i] = w->leases[--w->n_leases];
            return;
        }
}

int lrs_worker_queue_ack(lrs_worker_t *w, uint64_t trial)
{
    if (grow((void **)&w->acks, &w->cap_acks, w->n_acks + 1, sizeof *w->acks) != 0)
        return -1;
    w->acks[w->n_acks++] = trial;
    return 0;
}
