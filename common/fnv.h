/* fnv.h — 64-bit FNV-1a, the one byte hash lrsweep writes into files and
 * onto the wire (a spec's name, a sweep's data content hash), and its
 * word-wise form that names a data set's binary form on the wire.
 *
 * It is defined on bytes only, so it is the same on every machine; callers
 * that hash numbers lay them out as bytes first, in an explicit order.
 */
#ifndef LRS_FNV_H
#define LRS_FNV_H

#include <stddef.h>
#include <stdint.h>

#define LRS_FNV64_INIT 0xcbf29ce484222325ULL

/* h updated with bytes[0..len): start from LRS_FNV64_INIT. */
uint64_t lrs_fnv64(uint64_t h, const void *bytes, size_t len);

/* h as 16 lower-case hex digits and a NUL. */
void lrs_fnv64_hex(uint64_t h, char out[17]);

/* The name of a data set's binary form on the wire, for large byte
 * strings: FNV-1a's step (h ^= w; h *= prime) taken on each 64-bit
 * little-endian word of the bytes instead of each byte — 8 times fewer
 * serial multiplies — and on the last len % 8 bytes one by one.  Any one
 * changed word changes it (each step is a bijection of h and of w).  Fed in
 * pieces of any lengths, it gives the hash of their concatenation. */
typedef struct lrs_fnv64w {
    uint64_t h;
    uint8_t tail[8];   /* bytes of a word not yet whole */
    unsigned n_tail;
} lrs_fnv64w_t;

void lrs_fnv64w_init(lrs_fnv64w_t *s);
void lrs_fnv64w_update(lrs_fnv64w_t *s, const void *bytes, size_t len);
/* The hash of everything fed so far (s is unchanged). */
uint64_t lrs_fnv64w_final(const lrs_fnv64w_t *s);
/* The hash of bytes[0..len) as 16 hex digits and a NUL. */
void lrs_fnv64w_hex(const void *bytes, size_t len, char out[17]);

#endif
