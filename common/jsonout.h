/* jsonout.h — the JSON that lrsweep writes.
 *
 * Documents are built with jansson and written by lrs_json_write, whose
 * numbers are common/numfmt.h's shortest round trip (jansson itself writes
 * 17 digits: 0.050000000000000003 for 0.05).  JSON has no NaN or infinity,
 * and a diverged trial's loss is one of them: every JSON output (train
 * --json, the query commands, stored metrics) writes such a value as null,
 * through lrs_json_number.
 */
#ifndef LRS_JSONOUT_H
#define LRS_JSONOUT_H

#include <stdio.h>

#include <jansson.h>

/* A new JSON real for a finite x, JSON null otherwise; NULL when out of memory. */
json_t *lrs_json_number(double x);

/* Writes v compactly (no spaces; object keys in insertion order, as
 * jansson's JSON_COMPACT) to out, reals by lrs_fmt_number.  0, or -1 when
 * writing failed or out of memory. */
int lrs_json_write(FILE *out, const json_t *v);

/* The same text as a new string (free() it); NULL when out of memory. */
char *lrs_json_text(const json_t *v);

#endif
