/* readfile.c — see readfile.h.  Doubling buffer from 64 KiB; the bound is
 * checked before each growth, so at most max bytes are ever held. */
#include "common/readfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lrs_read_file(const char *path, const char *what, size_t max, char **bufp, size_t *lenp,
                  lrs_err_t *err)
{
    *bufp = NULL;
    *lenp = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return lrs_err_set(err, LRS_EXIT_USAGE, "%s: cannot read %s: %s", path, what,
                           strerror(errno));
    char *buf = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    for (;;) {
        if (len == cap) {
            cap = cap ? cap * 2 : 65536;
            if (cap > max) {
                lrs_err_set(err, LRS_EXIT_USAGE, "%s: %s file larger than %zu bytes", path, what,
                            max);
                goto done;
            }
            char *q = realloc(buf, cap);
            if (!q) {
                lrs_err_set(err, LRS_EXIT_RUNTIME, "out of memory reading %s", path);
                goto done;
            }
            buf = q;
        }
        size_t n = fread(buf + len, 1, cap - len, f);
        len += n;
        if (n == 0)
            break;
    }
    if (ferror(f)) {
        lrs_err_set(err, LRS_EXIT_RUNTIME, "%s: read error", path);
        goto done;
    }
    *bufp = buf;
    *lenp = len;
    buf = NULL;
    rc = 0;
done:
    free(buf);
    fclose(f);
    return rc;
}
