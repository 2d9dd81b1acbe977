/* fnv.h — 64-bit FNV-1a, the one byte hash lrsweep writes into files and
 * onto the wire (the data frame's name, a sweep's data content hash).
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

#endif
