/* rng.c — see rng.h.  SplitMix64 is a bijective mixer with full avalanche;
 * feeding it key ^ counter-derived words gives a counter-based generator whose
 * outputs for different (key, counter) pairs are independent for our purposes
 * (sampling and shuffling, not cryptography). */
#include "common/rng.h"

#include <math.h>

uint64_t lrs_mix64(uint64_t x)
{
    x += 0x9e3779b97f4a7c15ULL;
    x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
    x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
    return x ^ (x >> 31);
}

uint64_t lrs_rng_key(uint64_t seed, uint64_t index, uint64_t purpose)
{
    uint64_t k = lrs_mix64(seed ^ 0x6c72737765657021ULL);   /* "lrsweep!" */
    k = lrs_mix64(k ^ lrs_mix64(index + 0x51ed270b27b4b1a5ULL));
    return lrs_mix64(k ^ (purpose * 0xd1b54a32d192ed03ULL));
}

void lrs_rng_init(lrs_rng_t *rng, uint64_t key)
{
    rng->key = key;
    rng->counter = 0;
    rng->has_spare = 0;
    rng->spare = 0.0;
}

uint64_t lrs_rng_u64(lrs_rng_t *rng)
{
    uint64_t c = rng->counter++;
    return lrs_mix64(rng->key ^ lrs_mix64(c * 0x9e3779b97f4a7c15ULL + rng->key));
}

double lrs_rng_uniform(lrs_rng_t *rng)
{
    return (double)(lrs_rng_u64(rng) >> 11) * 0x1.0p-53;
}

uint64_t lrs_rng_below(lrs_rng_t *rng, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)lrs_rng_u64(rng) * n;
    uint64_t low = (uint64_t)m;
    if (low < n) {
        uint64_t threshold = (0 - n) % n;
        while (low < threshold) {
            m = (unsigned __int128)lrs_rng_u64(rng) * n;
            low = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

double lrs_rng_normal(lrs_rng_t *rng)
{
    if (rng->has_spare) {
        rng->has_spare = 0;
        return rng->spare;
    }
    double u1 = 1.0 - lrs_rng_uniform(rng);   /* (0, 1]: log is finite */
    double u2 = lrs_rng_uniform(rng);
    double r = sqrt(-2.0 * log(u1));
    double theta = 2.0 * M_PI * u2;
    rng->spare = r * sin(theta);
    rng->has_spare = 1;
    return r * cos(theta);
}

void lrs_rng_shuffle(lrs_rng_t *rng, uint32_t *idx, uint32_t n)
{
    for (uint32_t i = n; i > 1; i--) {
        uint32_t j = (uint32_t)lrs_rng_below(rng, i);
        uint32_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}
