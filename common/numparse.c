/* numparse.c — numbers from text (see numparse.h): strtod / strtol /
 * strtoull with the checks C leaves to the caller (whole text used,
 * nothing out of range, finite). */
#include "common/numparse.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int lrs_parse_double(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (errno || end == text || *end || !isfinite(v))
        return -1;
    *out = v;
    return 0;
}

int lrs_parse_long(const char *text, long *out)
{
    char *end;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno || end == text || *end)
        return -1;
    *out = v;
    return 0;
}

int lrs_parse_u64(const char *text, uint64_t *out)
{
    char *end;
    if (*text == '-')   /* strtoull would wrap "-1" around */
        return -1;
    errno = 0;
    unsigned long long v = strtoull(text, &end, 10);
    if (errno || end == text || *end)
        return -1;
    *out = (uint64_t)v;
    return 0;
}
