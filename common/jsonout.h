/* jsonout.h — numbers in the JSON that lrsweep writes.
 *
 * JSON has no NaN or infinity, and a diverged trial's loss is one of them:
 * every JSON output (train --json, the query commands, stored metrics) writes
 * such a value as null, through this one function.
 */
#ifndef LRS_JSONOUT_H
#define LRS_JSONOUT_H

#include <jansson.h>

/* A new JSON real for a finite x, JSON null otherwise; NULL when out of memory. */
json_t *lrs_json_number(double x);

#endif
