/* rng.h — counter-based random numbers.
 *
 * A stream is named by a 64-bit key; its n-th 64-bit output is a pure
 * function mix(key, n) (SplitMix64's finaliser applied to key-whitened
 * counters).  Nothing is shared: trial i of a sweep uses the stream
 * lrs_rng_key(seed, i, purpose), so any trial can be regenerated alone, at
 * the same cost for i = 0 and i = 10^6, by any process.
 */
#ifndef LRS_RNG_H
#define LRS_RNG_H

#include <stdint.h>

typedef struct lrs_rng {
    uint64_t key;
    uint64_t counter;
    int has_spare;     /* Box–Muller yields normals in pairs */
    double spare;
} lrs_rng_t;

/* Purposes keep independent streams apart when derived from one seed. */
enum {
    LRS_RNG_SAMPLE = 1,   /* trial parameters */
    LRS_RNG_TRIAL_SEED,   /* a trial's training seed */
    LRS_RNG_INIT,         /* weight initialisation */
    LRS_RNG_SHUFFLE,      /* mini-batch order */
    LRS_RNG_FOLDS,        /* fold assignment */
    LRS_RNG_DATA,         /* synthetic data */
    LRS_RNG_SOBOL,        /* Sobol scrambling */
    LRS_RNG_REPEAT_SEED   /* the training seeds of a trial's repeats after the first */
};

/* A stateless 64-bit hash of x (SplitMix64 finaliser). */
uint64_t lrs_mix64(uint64_t x);

/* Key for the stream (seed, index, purpose). */
uint64_t lrs_rng_key(uint64_t seed, uint64_t index, uint64_t purpose);

/* Starts the stream named key at counter 0. */
void lrs_rng_init(lrs_rng_t *rng, uint64_t key);

/* Next raw 64 bits. */
uint64_t lrs_rng_u64(lrs_rng_t *rng);

/* Uniform double in [0, 1) with 53 random bits. */
double lrs_rng_uniform(lrs_rng_t *rng);

/* Uniform integer in [0, n); n > 0.  Unbiased (Lemire's method). */
uint64_t lrs_rng_below(lrs_rng_t *rng, uint64_t n);

/* Standard normal N(0, 1). */
double lrs_rng_normal(lrs_rng_t *rng);

/* Fisher–Yates shuffle of idx[0..n). */
void lrs_rng_shuffle(lrs_rng_t *rng, uint32_t *idx, uint32_t n);

#endif
