/* sobol.h — Sobol low-discrepancy points with Owen scrambling.
 *
 * Point i of the Sobol sequence, in dimension d, is the XOR of the direction
 * integers V_d[k] for every set bit k of i (natural order, computed directly:
 * point 10^6 costs what point 0 does).  Direction numbers are Joe & Kuo's
 * (new-joe-kuo-6.21201, common/sobol_table.c) for up to
 * LRS_SOBOL_MAX_DIMS dimensions; 32 bits, so up to 2^32 points.
 *
 * Scrambling is Owen's nested uniform scramble keyed by (seed, dimension):
 * digit k of a coordinate is flipped by a hash of the digits above it, so
 * every elementary interval's points are permuted as a block.  The scrambled
 * points keep the net property (each of 2^m equal slices of [0,1) holds one
 * of the first 2^m points) and are uniform on [0,1) for a random seed.
 */
#ifndef LRS_SOBOL_H
#define LRS_SOBOL_H

#include <stdint.h>

#include "common/err.h"

#define LRS_SOBOL_MAX_DIMS 1024
#define LRS_SOBOL_BITS 32

/* Joe–Kuo data (sobol_table.c): polynomial of each dimension and the
 * initial direction numbers of dimensions 1.. in order. */
extern const uint16_t lrs_sobol_poly[LRS_SOBOL_MAX_DIMS];
extern const uint16_t lrs_sobol_m[];
extern const int lrs_sobol_m_count;

typedef struct lrs_sobol lrs_sobol_t;

/* A generator of dims dimensions (1..LRS_SOBOL_MAX_DIMS), scrambled by seed. */
lrs_sobol_t *lrs_sobol_new(int dims, uint64_t seed, lrs_err_t *err);
void lrs_sobol_destroy(lrs_sobol_t **s);

int lrs_sobol_dims(const lrs_sobol_t *s);

/* Unscrambled coordinate dim of point index (< 2^32), as a 32-bit binary
 * fraction: the value is x / 2^32. */
uint32_t lrs_sobol_raw(const lrs_sobol_t *s, int dim, uint64_t index);

/* Owen-scrambled coordinate in [0, 1) with 53 bits: 32 scrambled digits
 * followed by 21 random ones (the nested scramble continued below the
 * sequence's own precision). */
double lrs_sobol_coord(const lrs_sobol_t *s, int dim, uint64_t index);

#endif
