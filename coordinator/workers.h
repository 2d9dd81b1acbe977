/* workers.h — the coordinator's table of workers: who is connected (by
 * routing identity), what each asked for (credit), holds (leases) and is
 * owed (ACKs of results waiting for the next commit), and when it was last
 * heard from.  Slots of workers that left are reused, so the table is
 * bounded by the most workers ever live at once, not by how many came and
 * went.  What a lease means for the sweep is coordinator/trials.h; this
 * table only remembers which trials a worker holds, so that they can go
 * back when it leaves. */
#ifndef LRS_WORKERS_H
#define LRS_WORKERS_H

#include <stddef.h>
#include <stdint.h>

#include "common/devices.h"

#define LRS_WORKER_ID_MAX 256   /* routing identity bytes (ZeroMQ allows 255) */

typedef struct lrs_worker {
    uint8_t id[LRS_WORKER_ID_MAX];
    size_t id_len;
    char name[128], host[128];
    char key[41];              /* its CURVE public key (Z85), "" without CURVE */
    int jobs;
    int64_t pid;               /* as its HELLO gave it */
    int runs_commands;         /* HELLO said --allow-commands */
    char gpus[LRS_DEVICES_TEXT_MAX + 1];   /* HELLO's --gpus list, "" none */
    int credit;                /* trials it still asked for */
    int64_t last_seen_ms;
    uint64_t *leases;
    int n_leases, cap_leases;
    uint64_t *acks;            /* results to ACK after the next commit */
    int n_acks, cap_acks;
    int64_t done;              /* results recorded from it */
    int64_t done_saved;        /* of which already added to its workers row */
    int dirty;                 /* workers row needs writing */
    int live;
} lrs_worker_t;

typedef struct lrs_workers {
    lrs_worker_t *slots;       /* n of them in use or free (live == 0) */
    int n, cap;
    int live;                  /* slots with live == 1 */
} lrs_workers_t;

void lrs_workers_init(lrs_workers_t *ws);

/* Frees every slot's lists and the table; leaves it empty (reusable). */
void lrs_workers_clear(lrs_workers_t *ws);

/* The live worker with routing identity id (len bytes), or NULL. */
lrs_worker_t *lrs_workers_find(lrs_workers_t *ws, const uint8_t *id, size_t len);

/* The live worker of key (Z85 or "") named name, or NULL: a worker's
 * session is (key, name), whatever routing id it comes with. */
lrs_worker_t *lrs_workers_find_session(lrs_workers_t *ws, const char *key, const char *name);

/* A live worker record for identity id (len <= LRS_WORKER_ID_MAX) with
 * CURVE key key ("" without), named name on host with jobs slots, last
 * seen at now_ms: a free slot reused or a new one, its lists emptied
 * (their memory kept).  NULL when out of memory or id is too long.  The
 * caller bounds how many may be live. */
lrs_worker_t *lrs_workers_join(lrs_workers_t *ws, const uint8_t *id, size_t len, const char *key,
                               const char *name, const char *host, int jobs, int64_t now_ms);

/* Marks w gone: no credit, leases or ACKs left (the caller has dealt with
 * its leases first).  Its slot may be reused. */
void lrs_workers_leave(lrs_workers_t *ws, lrs_worker_t *w);

/* Adds a lease / forgets one (order is not kept).  add: 0, or -1 out of
 * memory. */
int lrs_worker_add_lease(lrs_worker_t *w, uint64_t trial);
void lrs_worker_drop_lease(lrs_worker_t *w, uint64_t trial);

/* Makes room for n more leases at once: 0, or -1 out of memory. */
int lrs_worker_reserve_leases(lrs_worker_t *w, int n);

/* Queues an ACK for trial, sent after the next commit: 0, or -1 out of
 * memory. */
int lrs_worker_queue_ack(lrs_worker_t *w, uint64_t trial);

#endif
