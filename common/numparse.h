/* numparse.h — how lrsweep reads a number from text: one rule for every
 * command-line value and every PARAM=VALUE word.
 *
 * The whole text must be the number (no trailing characters, no empty
 * text), in range for its type; a double must be finite (strtod's "inf" and
 * "nan" are refused).  Callers add their own bounds and messages.
 */
#ifndef LRS_NUMPARSE_H
#define LRS_NUMPARSE_H

#include <stdint.h>

/* A finite double, as strtod reads it: 0 with *out set, or -1. */
int lrs_parse_double(const char *text, double *out);

/* A decimal long (a sign allowed): 0 with *out set, or -1. */
int lrs_parse_long(const char *text, long *out);

/* A decimal unsigned 64-bit integer, no sign: 0 with *out set, or -1. */
int lrs_parse_u64(const char *text, uint64_t *out);

#endif
