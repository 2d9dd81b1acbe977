/* readfile.h — a whole file into memory, bounded.  What the coordinator
 * reads and then ships (the data set) must never grow past what the wire
 * accepts, so the bound is checked while reading, not after. */
#ifndef LRS_READFILE_H
#define LRS_READFILE_H

#include <stddef.h>

#include "common/err.h"

/* Reads path into *buf (malloc'd, the caller frees; not NUL-terminated)
 * and *len.  what names the file in messages ("data": "P: cannot read data:
 * why", "P: data file larger than MAX bytes").  A file over max bytes, one
 * that cannot be opened: code 2; a read error or no memory: code 1.  0, or
 * -1 with err and *buf NULL. */
int lrs_read_file(const char *path, const char *what, size_t max, char **buf, size_t *len,
                  lrs_err_t *err);

#endif
