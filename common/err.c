/* err.c — see err.h. */
#include "common/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void lrs_err_clear(lrs_err_t *err)
{
    if (!err)
        return;
    err->code = 0;
    err->msg[0] = '\0';
}

int lrs_err_set(lrs_err_t *err, int code, const char *fmt, ...)
{
    if (!err)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
    err->code = code;
    return -1;
}

void lrs_err_prefix(lrs_err_t *err, const char *fmt, ...)
{
    if (!err)
        return;
    char prefix[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(prefix, sizeof prefix, fmt, ap);
    va_end(ap);
    /* Shift the message right to make room, truncating its tail if needed. */
    size_t plen = strlen(prefix), mlen = strlen(err->msg), cap = sizeof err->msg - 1;
    if (plen > cap)
        plen = cap;
    if (plen + mlen > cap)
        mlen = cap - plen;
    memmove(err->msg + plen, err->msg, mlen);
    memcpy(err->msg, prefix, plen);
    err->msg[plen + mlen] = '\0';
}
