/* devices.c — see devices.h. */
#include "common/devices.h"

#include <stdio.h>
#include <string.h>

static int id_char(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-' ||
           c == '_';
}

int lrs_devices_parse(const char *text, lrs_devices_t *d, char *why, size_t size)
{
    memset(d, 0, sizeof *d);
    const char *p = text;
    for (;;) {
        size_t n = strcspn(p, ",");
        if (n == 0) {
            snprintf(why, size, "an empty device id (write ids such as 0,1 or GPU-UUIDs)");
            return -1;
        }
        if (n > LRS_DEVICE_ID_MAX) {
            snprintf(why, size, "a device id longer than %d characters", LRS_DEVICE_ID_MAX);
            return -1;
        }
        for (size_t i = 0; i < n; i++)
            if (!id_char(p[i])) {
                snprintf(why, size, "device id '%.*s' holds a character other than letters, digits, "
                                    "'-' and '_'", (int)n, p);
                return -1;
            }
        if (d->n == LRS_MAX_DEVICES) {
            snprintf(why, size, "more than %d devices", LRS_MAX_DEVICES);
            return -1;
        }
        memcpy(d->id[d->n], p, n);
        d->id[d->n][n] = '\0';
        for (int k = 0; k < d->n; k++)
            if (strcmp(d->id[k], d->id[d->n]) == 0) {
                snprintf(why, size, "device %s is listed twice", d->id[k]);
                return -1;
            }
        d->n++;
        if (p[n] == '\0')
            return 0;
        p += n + 1;
    }
}

const char *lrs_devices_for_slot(const lrs_devices_t *d, int slot)
{
    return d && d->n > 0 && slot >= 0 ? d->id[slot % d->n] : NULL;
}

char *lrs_devices_text(const lrs_devices_t *d, char *buf, size_t size)
{
    size_t at = 0;
    buf[0] = '\0';
    for (int i = 0; d && i < d->n && at < size; i++) {
        int n = snprintf(buf + at, size - at, i ? ",%s" : "%s", d->id[i]);
        if (n < 0)
            break;
        at += (size_t)n;
    }
    return buf;
}
