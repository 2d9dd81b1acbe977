/* peerlog.h — what the coordinator says about peers that send it bad
 * messages: every reject is counted, the first from each peer is logged,
 * and the log stays bounded however many peers misbehave (a flood of new
 * identities yields one more line, then only the count grows).  Peer
 * identities are bytes chosen by the peer: they are printed escaped. */
#ifndef LRS_PEERLOG_H
#define LRS_PEERLOG_H

#include <stddef.h>
#include <stdint.h>

#define LRS_PEERLOG_SLOTS 256   /* peers remembered for "logged once per peer" */

typedef struct lrs_peerlog {
    uint64_t rejected;                  /* every rejected message */
    uint64_t seen[LRS_PEERLOG_SLOTS];   /* hashes of peers already logged */
    int n_seen;
    int overflow_logged;
} lrs_peerlog_t;

/* What to log of a reject: nothing, the peer's first, or the first past
 * the table's size (after which rejects are only counted). */
typedef enum { LRS_PEERLOG_QUIET = 0, LRS_PEERLOG_FIRST = 1, LRS_PEERLOG_OVERFLOW = 2 } lrs_peerlog_say_t;

/* Counts a rejected message from the peer with identity id (len bytes) and
 * says whether to log it; when it does, who holds the identity as
 * lrs_text_escape (common/textesc.h) shows it, cut to size. */
lrs_peerlog_say_t lrs_peerlog_note(lrs_peerlog_t *p, const uint8_t *id, size_t len, char *who,
                                   size_t size);

#endif
