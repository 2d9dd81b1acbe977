/* bytesize.c — see bytesize.h.  Parsing is strtoull on the digits alone
 * (no sign, no spaces, no hex) then one unit checked for overflow. */
#include "common/bytesize.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char units[] = "KMGT";

int lrs_bytesize_parse(const char *text, uint64_t *out, lrs_err_t *err)
{
    const char *p = text;
    while (isdigit((unsigned char)*p))
        p++;
    if (p == text)
        return lrs_err_set(err, LRS_EXIT_USAGE, "'%s' is not a size (e.g. 512M, 4G)", text);
    errno = 0;
    unsigned long long v = strtoull(text, NULL, 10);
    if (errno == ERANGE)
        return lrs_err_set(err, LRS_EXIT_USAGE, "size '%s' is too large", text);
    int shift = 0;
    const char *u = *p ? strchr(units, toupper((unsigned char)*p)) : NULL;
    if (u) {
        shift = 10 * (int)(u - units + 1);
        p++;
        if (*p == 'i' || *p == 'I')
            p++;
    }
    if (*p == 'B' || *p == 'b')
        p++;
    if (*p)
        return lrs_err_set(err, LRS_EXIT_USAGE,
                           "'%s' is not a size: expected digits and one of K, M, G, T "
                           "(e.g. 512M, 4G)", text);
    if (shift && v > (UINT64_MAX >> shift))
        return lrs_err_set(err, LRS_EXIT_USAGE, "size '%s' is too large", text);
    *out = (uint64_t)v << shift;
    return 0;
}

const char *lrs_bytesize_show(uint64_t n, char *buf, size_t size)
{
    static const char *const names[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    if (n < 1024) {
        snprintf(buf, size, "%llu bytes", (unsigned long long)n);
        return buf;
    }
    int k = 0;
    double v = (double)n / 1024;
    while (v >= 1024 && k < 5) {
        v /= 1024;
        k++;
    }
    double tenths = (double)(long long)(v * 10 + 0.5) / 10;
    if (tenths == (double)(long long)tenths)
        snprintf(buf, size, "%lld %s", (long long)tenths, names[k]);
    else
        snprintf(buf, size, "%.1f %s", tenths, names[k]);
    return buf;
}
