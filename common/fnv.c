/* fnv.c — see fnv.h. */
#include "common/fnv.h"

#include <stdio.h>
#include <string.h>

uint64_t lrs_fnv64(uint64_t h, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 0x100000001b3ULL;
    }
    return h;
}

void lrs_fnv64_hex(uint64_t h, char out[17])
{
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}

#define FNV64_PRIME 0x100000001b3ULL

static uint64_t word_le(const uint8_t *p)
{
    uint64_t w = 0;
    for (int i = 7; i >= 0; i--)
        w = w << 8 | p[i];
    return w;
}

void lrs_fnv64w_init(lrs_fnv64w_t *s)
{
    memset(s, 0, sizeof *s);
    s->h = LRS_FNV64_INIT;
}

void lrs_fnv64w_update(lrs_fnv64w_t *s, const void *bytes, size_t len)
{
    const uint8_t *p = bytes;
    while (len > 0 && s->n_tail > 0) {   /* complete the word a piece left open */
        s->tail[s->n_tail++] = *p++;
        len--;
        if (s->n_tail == 8) {
            s->h = (s->h ^ word_le(s->tail)) * FNV64_PRIME;
            s->n_tail = 0;
        }
    }
    if (s->n_tail > 0)   /* the piece ended inside that word */
        return;
    uint64_t h = s->h;
    for (; len >= 8; p += 8, len -= 8) {
        uint64_t w;
        memcpy(&w, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        w = word_le(p);
#endif
        h = (h ^ w) * FNV64_PRIME;
    }
    s->h = h;
    memcpy(s->tail, p, len);
    s->n_tail = (unsigned)len;
}

uint64_t lrs_fnv64w_final(const lrs_fnv64w_t *s)
{
    return lrs_fnv64(s->h, s->tail, s->n_tail);
}

void lrs_fnv64w_hex(const void *bytes, size_t len, char out[17])
{
    lrs_fnv64w_t s;
    lrs_fnv64w_init(&s);
    lrs_fnv64w_update(&s, bytes, len);
    lrs_fnv64_hex(lrs_fnv64w_final(&s), out);
}
