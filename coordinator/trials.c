/* trials.c — see trials.h.  Three small structures and a cursor:
 *
 *   done     sorted, disjoint, non-adjacent ranges [lo, hi) of recorded
 *            indices; binary search to look up, merge on insert;
 *   active   open addressing (linear probing, backward-shift deletion) from
 *            trial index to {attempts, owner, leased} for every trial that
 *            is leased or has had an attempt and waits for another;
 *   retry    FIFO ring of trials to serve before fresh ones (an entry whose
 *            trial was recorded meanwhile is skipped when it comes up);
 *   cursor   every index at or above it that is neither done nor active is
 *            pending with no attempt yet.
 *
 * Below the cursor each index is done or active: the cursor only passes an
 * index by handing it out (it becomes active) or by skipping a done range
 * or an active one. */
#include "coordinator/trials.h"

#include <stdlib.h>
#include <string.h>

typedef struct range {
    uint64_t lo, hi;
} range_t;

typedef struct entry {
    uint64_t key;        /* trial + 1; 0: empty slot */
    uint32_t attempts;
    int32_t owner;       /* -1 unless leased */
    uint8_t leased;
} entry_t;

struct lrs_trials {
    uint64_t total, done, running, cursor;   /* total: the search indices 0..total-1 */
    uint64_t *extra;     /* extra indices (≥ total) in the order they were added */
    size_t n_extra, cap_extra, extra_cursor;
    uint64_t extra_done;
    range_t *ranges;
    size_t n_ranges, cap_ranges;
    entry_t *slots;      /* cap_slots is a power of two */
    size_t n_slots, cap_slots;
    uint64_t *ring;
    size_t ring_head, ring_len, ring_cap;
};

lrs_trials_t *lrs_trials_new(uint64_t total)
{
    lrs_trials_t *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->total = total;
    t->cap_slots = 64;
    t->slots = calloc(t->cap_slots, sizeof *t->slots);
    if (!t->slots) {
        free(t);
        return NULL;
    }
    return t;
}

void lrs_trials_destroy(lrs_trials_t **tp)
{
    if (!tp || !*tp)
        return;
    free((*tp)->ranges);
    free((*tp)->slots);
    free((*tp)->ring);
    free((*tp)->extra);
    free(*tp);
    *tp = NULL;
}

uint64_t lrs_trials_total(const lrs_trials_t *t) { return t->total + t->n_extra; }
uint64_t lrs_trials_search_total(const lrs_trials_t *t) { return t->total; }
uint64_t lrs_trials_extra_count(const lrs_trials_t *t) { return t->n_extra; }
uint64_t lrs_trials_extra_done(const lrs_trials_t *t) { return t->extra_done; }
uint64_t lrs_trials_done(const lrs_trials_t *t) { return t->done; }
uint64_t lrs_trials_running(const lrs_trials_t *t) { return t->running; }

size_t lrs_trials_footprint(const lrs_trials_t *t)
{
    return sizeof *t + t->cap_ranges * sizeof *t->ranges + t->cap_slots * sizeof *t->slots +
           t->ring_cap * sizeof *t->ring + t->cap_extra * sizeof *t->extra;
}

/* ---- extra indices ----------------------------------------------------- */

static int is_extra(const lrs_trials_t *t, uint64_t x)
{
    for (size_t i = 0; i < t->n_extra; i++)
        if (t->extra[i] == x)
            return 1;
    return 0;
}

int lrs_trials_in(const lrs_trials_t *t, uint64_t trial)
{
    return trial < t->total || is_extra(t, trial);
}

int lrs_trials_add_extra(lrs_trials_t *t, uint64_t trial)
{
    if (trial < t->total || is_extra(t, trial))
        return 0;
    if (t->n_extra == t->cap_extra) {
        size_t cap = t->cap_extra ? t->cap_extra * 2 : 16;
        uint64_t *e = realloc(t->extra, cap * sizeof *e);
        if (!e)
            return -1;
        t->extra = e;
        t->cap_extra = cap;
    }
    t->extra[t->n_extra++] = trial;
    return 1;
}

/* ---- done ranges ------------------------------------------------------- */

/* Index of the last range with lo <= x, or -1. */
static ptrdiff_t range_at(const lrs_trials_t *t, uint64_t x)
{
    ptrdiff_t lo = 0, hi = (ptrdiff_t)t->n_ranges;   /* answer in [lo - 1, hi) */
    while (lo < hi) {
        ptrdiff_t mid = lo + (hi - lo) / 2;
        if (t->ranges[mid].lo <= x)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo - 1;
}

static int is_done(const lrs_trials_t *t, uint64_t x)
{
    ptrdiff_t i = range_at(t, x);
    return i >= 0 && x < t->ranges[i].hi;
}

/* Adds x (not done) to the ranges, merging with its neighbours. */
static int range_add(lrs_trials_t *t, uint64_t x)
{
    ptrdiff_t i = range_at(t, x);
    int joins_left = i >= 0 && t->ranges[i].hi == x;
    int joins_right = (size_t)(i + 1) < t->n_ranges && t->ranges[i + 1].lo == x + 1;
    if (joins_left && joins_right) {
        t->ranges[i].hi = t->ranges[i + 1].hi;
        memmove(&t->ranges[i + 1], &t->ranges[i + 2],
                (t->n_ranges - (size_t)i - 2) * sizeof *t->ranges);
        t->n_ranges--;
    } else if (joins_left) {
        t->ranges[i].hi++;
    } else if (joins_right) {
        t->ranges[i + 1].lo--;
    } else {
        if (t->n_ranges == t->cap_ranges) {
            size_t cap = t->cap_ranges ? t->cap_ranges * 2 : 16;
            range_t *r = realloc(t->ranges, cap * sizeof *r);
            if (!r)
                return -1;
            t->ranges = r;
            t->cap_ranges = cap;
        }
        size_t at = (size_t)(i + 1);
        memmove(&t->ranges[at + 1], &t->ranges[at], (t->n_ranges - at) * sizeof *t->ranges);
        t->ranges[at] = (range_t){x, x + 1};
        t->n_ranges++;
    }
    return 0;
}

/* ---- active trials ----------------------------------------------------- */

static size_t home(const lrs_trials_t *t, uint64_t key)
{
    return (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & (t->cap_slots - 1);
}

static entry_t *find(const lrs_trials_t *t, uint64_t trial)
{
    uint64_t key = trial + 1;
    for (size_t i = home(t, key);; i = (i + 1) & (t->cap_slots - 1)) {
        if (t->slots[i].key == key)
            return &t->slots[i];
        if (t->slots[i].key == 0)
            return NULL;
    }
}

static int rehash(lrs_trials_t *t, size_t cap)
{
    entry_t *old = t->slots;
    size_t old_cap = t->cap_slots;
    entry_t *slots = calloc(cap, sizeof *slots);
    if (!slots)
        return -1;
    t->slots = slots;
    t->cap_slots = cap;
    for (size_t k = 0; k < old_cap; k++) {
        if (!old[k].key)
            continue;
        size_t i = home(t, old[k].key);
        while (slots[i].key)
            i = (i + 1) & (cap - 1);
        slots[i] = old[k];
    }
    free(old);
    return 0;
}

/* The entry of trial, made (no attempt, no owner) when absent; NULL out of
 * memory.  Kept at most half full. */
static entry_t *find_or_add(lrs_trials_t *t, uint64_t trial)
{
    entry_t *e = find(t, trial);
    if (e)
        return e;
    if ((t->n_slots + 1) * 2 > t->cap_slots && rehash(t, t->cap_slots * 2) != 0)
        return NULL;
    uint64_t key = trial + 1;
    size_t i = home(t, key);
    while (t->slots[i].key)
        i = (i + 1) & (t->cap_slots - 1);
    t->slots[i] = (entry_t){.key = key, .owner = -1};
    t->n_slots++;
    return &t->slots[i];
}

/* Removes e, moving later members of its probe run back into the hole. */
static void remove_entry(lrs_trials_t *t, entry_t *e)
{
    size_t mask = t->cap_slots - 1, hole = (size_t)(e - t->slots);
    for (size_t j = (hole + 1) & mask; t->slots[j].key; j = (j + 1) & mask) {
        size_t h = home(t, t->slots[j].key);
        int stays = hole <= j ? (hole < h && h <= j) : (hole < h || h <= j);
        if (!stays) {
            t->slots[hole] = t->slots[j];
            hole = j;
        }
    }
    t->slots[hole].key = 0;
    t->n_slots--;
}

/* ---- retry queue ------------------------------------------------------- */

static int ring_push(lrs_trials_t *t, uint64_t trial)
{
    if (t->ring_len == t->ring_cap) {
        size_t cap = t->ring_cap ? t->ring_cap * 2 : 64;
        uint64_t *q = malloc(cap * sizeof *q);
        if (!q)
            return -1;
        for (size_t i = 0; i < t->ring_len; i++)
            q[i] = t->ring[(t->ring_head + i) % t->ring_cap];
        free(t->ring);
        t->ring = q;
        t->ring_cap = cap;
        t->ring_head = 0;
    }
    t->ring[(t->ring_head + t->ring_len) % t->ring_cap] = trial;
    t->ring_len++;
    return 0;
}

/* ---- the table --------------------------------------------------------- */

lrs_trial_slot_t lrs_trials_get(const lrs_trials_t *t, uint64_t trial)
{
    if (!lrs_trials_in(t, trial) || is_done(t, trial))
        return (lrs_trial_slot_t){LRS_TRIAL_DONE, 0, -1};
    const entry_t *e = find(t, trial);
    if (!e)
        return (lrs_trial_slot_t){LRS_TRIAL_PENDING, 0, -1};
    return (lrs_trial_slot_t){e->leased ? LRS_TRIAL_LEASED : LRS_TRIAL_PENDING, e->attempts,
                              e->owner};
}

int lrs_trials_held_by(const lrs_trials_t *t, uint64_t trial, int32_t owner, uint32_t attempt)
{
    lrs_trial_slot_t s = lrs_trials_get(t, trial);
    return s.state == LRS_TRIAL_LEASED && s.owner == owner && s.attempts == attempt;
}

int lrs_trials_set_done(lrs_trials_t *t, uint64_t trial)
{
    if (!lrs_trials_in(t, trial) || is_done(t, trial))
        return 0;
    if (range_add(t, trial) != 0)
        return -1;
    entry_t *e = find(t, trial);
    if (e) {
        if (e->leased)
            t->running--;
        remove_entry(t, e);
    }
    t->done++;
    if (trial >= t->total)
        t->extra_done++;
    return 1;
}

int lrs_trials_resume_lease(lrs_trials_t *t, uint64_t trial, uint32_t attempt)
{
    if (lrs_trials_get(t, trial).state != LRS_TRIAL_PENDING)
        return 0;
    entry_t *e = find_or_add(t, trial);
    if (!e)
        return -1;
    e->attempts = attempt > 1 ? attempt - 1 : 0;
    return ring_push(t, trial);
}

int lrs_trials_next(lrs_trials_t *t, uint64_t *trial)
{
    while (t->ring_len > 0) {
        uint64_t x = t->ring[t->ring_head];
        t->ring_head = (t->ring_head + 1) % t->ring_cap;
        t->ring_len--;
        const entry_t *e = find(t, x);
        if (e && !e->leased) {
            *trial = x;
            return 1;
        }
    }
    while (t->cursor < t->total) {
        uint64_t x = t->cursor;
        ptrdiff_t r = range_at(t, x);
        if (r >= 0 && x < t->ranges[r].hi) {
            t->cursor = t->ranges[r].hi;   /* a whole recorded run at once */
            continue;
        }
        t->cursor++;
        if (!find(t, x)) {   /* an active one is leased or waits in the FIFO */
            *trial = x;
            return 1;
        }
    }
    while (t->extra_cursor < t->n_extra) {   /* then the extra ones, in their order */
        uint64_t x = t->extra[t->extra_cursor++];
        if (!is_done(t, x) && !find(t, x)) {
            *trial = x;
            return 1;
        }
    }
    return 0;
}

int64_t lrs_trials_lease(lrs_trials_t *t, uint64_t trial, int32_t owner)
{
    if (lrs_trials_get(t, trial).state != LRS_TRIAL_PENDING)
        return -1;
    entry_t *e = find_or_add(t, trial);
    if (!e)
        return -1;
    e->leased = 1;
    e->owner = owner;
    e->attempts++;
    t->running++;
    return e->attempts;
}

int lrs_trials_release(lrs_trials_t *t, uint64_t trial)
{
    entry_t *e = lrs_trials_in(t, trial) ? find(t, trial) : NULL;
    if (!e || !e->leased)
        return -1;
    e->leased = 0;
    e->owner = -1;
    t->running--;
    return 0;
}

int lrs_trials_unlease(lrs_trials_t *t, uint64_t trial)
{
    if (lrs_trials_release(t, trial) != 0)
        return -1;
    find(t, trial)->attempts--;
    return ring_push(t, trial);
}

int lrs_trials_retry(lrs_trials_t *t, uint64_t trial)
{
    if (lrs_trials_get(t, trial).state != LRS_TRIAL_PENDING)
        return 0;
    /* the FIFO serves only active entries: make sure this one is */
    return find_or_add(t, trial) ? ring_push(t, trial) : -1;
}
