/* peerlog.c — see peerlog.h.  Peers are remembered by a 64-bit hash of
 * their identity in a fixed table, scanned linearly: 256 entries, touched
 * only on a reject. */
#include "coordinator/peerlog.h"

#include "common/rng.h"
#include "common/textesc.h"

static uint64_t id_hash(const uint8_t *id, size_t len)
{
    uint64_t h = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < len; i++)
        h = lrs_mix64(h ^ id[i]);
    return h | 1;
}

lrs_peerlog_say_t lrs_peerlog_note(lrs_peerlog_t *p, const uint8_t *id, size_t len, char *who,
                                   size_t size)
{
    p->rejected++;
    uint64_t h = id_hash(id, len);
    for (int i = 0; i < p->n_seen; i++)
        if (p->seen[i] == h)
            return LRS_PEERLOG_QUIET;
    lrs_peerlog_say_t say = LRS_PEERLOG_QUIET;
    if (p->n_seen < LRS_PEERLOG_SLOTS) {
        p->seen[p->n_seen++] = h;
        say = LRS_PEERLOG_FIRST;
    } else if (!p->overflow_logged) {
        p->overflow_logged = 1;
        say = LRS_PEERLOG_OVERFLOW;
    }
    if (say)
        lrs_text_escape((const char *)id, len, who, size);
    return say;
}
