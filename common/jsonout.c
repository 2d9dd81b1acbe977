/* jsonout.c — numbers in the JSON that lrsweep writes (jsonout.h). */
#include "common/jsonout.h"

#include <math.h>

json_t *lrs_json_number(double x)
{
    return isfinite(x) ? json_real(x) : json_null();
}
