/* sobol.c — see sobol.h.  Direction integers are built once per generator
 * from the Joe–Kuo table with the Bratley–Fox recurrence:
 *   V[k] = m_{k+1} << (31 - k)                         for k < s
 *   V[k] = V[k-s] ^ (V[k-s] >> s) ^ XOR_j a_j V[k-j]     for k >= s
 * where a_1..a_{s-1} are the inner coefficients of the dimension's primitive
 * polynomial of degree s. */
#include "common/sobol.h"

#include <stdlib.h>

#include "common/rng.h"

struct lrs_sobol {
    int dims;
    uint64_t *scramble_keys;   /* dims: one Owen scramble per dimension */
    uint32_t *v;               /* dims × 32 direction integers, row per dimension */
};

static int poly_degree(uint16_t poly)
{
    int s = 0;
    while (poly >> (s + 1))
        s++;
    return s;
}

static void build_directions(uint32_t *v, int dim, const uint16_t *m)
{
    if (dim == 0) {
        for (int k = 0; k < LRS_SOBOL_BITS; k++)
            v[k] = 1u << (31 - k);
        return;
    }
    uint16_t poly = lrs_sobol_poly[dim];
    int s = poly_degree(poly);
    for (int k = 0; k < s && k < LRS_SOBOL_BITS; k++)
        v[k] = (uint32_t)m[k] << (31 - k);
    for (int k = s; k < LRS_SOBOL_BITS; k++) {
        uint32_t x = v[k - s] ^ (v[k - s] >> s);
        for (int j = 1; j < s; j++)
            if ((poly >> (s - j)) & 1u)
                x ^= v[k - j];
        v[k] = x;
    }
}

lrs_sobol_t *lrs_sobol_new(int dims, uint64_t seed, lrs_err_t *err)
{
    if (dims < 1 || dims > LRS_SOBOL_MAX_DIMS) {
        lrs_err_set(err, LRS_EXIT_USAGE, "sobol: %d dimensions requested, supported 1..%d", dims,
                    LRS_SOBOL_MAX_DIMS);
        return NULL;
    }
    lrs_sobol_t *s = calloc(1, sizeof *s);
    if (!s)
        goto fail;
    s->dims = dims;
    s->scramble_keys = malloc((size_t)dims * sizeof *s->scramble_keys);
    s->v = malloc((size_t)dims * LRS_SOBOL_BITS * sizeof *s->v);
    if (!s->scramble_keys || !s->v)
        goto fail;
    const uint16_t *m = lrs_sobol_m;
    for (int d = 0; d < dims; d++) {
        build_directions(s->v + (size_t)d * LRS_SOBOL_BITS, d, m);
        if (d > 0)
            m += poly_degree(lrs_sobol_poly[d]);
        s->scramble_keys[d] = lrs_rng_key(seed, (uint64_t)d, LRS_RNG_SOBOL);
    }
    return s;
fail:
    lrs_sobol_destroy(&s);
    lrs_err_set(err, LRS_EXIT_RUNTIME, "sobol: out of memory");
    return NULL;
}

void lrs_sobol_destroy(lrs_sobol_t **s)
{
    if (!s || !*s)
        return;
    free((*s)->scramble_keys);
    free((*s)->v);
    free(*s);
    *s = NULL;
}

int lrs_sobol_dims(const lrs_sobol_t *s)
{
    return s->dims;
}

uint32_t lrs_sobol_raw(const lrs_sobol_t *s, int dim, uint64_t index)
{
    const uint32_t *v = s->v + (size_t)dim * LRS_SOBOL_BITS;
    uint32_t x = 0;
    for (int k = 0; index && k < LRS_SOBOL_BITS; k++, index >>= 1)
        if (index & 1u)
            x ^= v[k];
    return x;
}

/* Owen's scramble of the 32 digits of x: digit `level` (0 = most
 * significant) flips by one hash bit of the node (level, digits above it) of
 * the binary tree of intervals; ((1 << level) | prefix) names that node
 * uniquely.  Returns the scrambled digits; *tail receives random digits for
 * below the last one, drawn from the leaf's own hash. */
static uint32_t owen_scramble(uint32_t x, uint64_t key, uint64_t *tail)
{
    uint32_t flips = 0;
    for (int level = 0; level < LRS_SOBOL_BITS; level++) {
        uint64_t prefix = level ? (uint64_t)(x >> (LRS_SOBOL_BITS - level)) : 0;
        uint64_t node = ((uint64_t)1 << level) | prefix;
        flips |= (uint32_t)(lrs_mix64(key ^ node) >> 63) << (31 - level);
    }
    *tail = lrs_mix64(key ^ (((uint64_t)1 << 32) | x));
    return x ^ flips;
}

double lrs_sobol_coord(const lrs_sobol_t *s, int dim, uint64_t index)
{
    uint64_t tail;
    uint32_t x = owen_scramble(lrs_sobol_raw(s, dim, index), s->scramble_keys[dim], &tail);
    uint64_t bits53 = ((uint64_t)x << 21) | (tail >> 43);
    return (double)bits53 * 0x1.0p-53;
}
