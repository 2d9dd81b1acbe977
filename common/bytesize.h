/* bytesize.h — sizes in bytes as an operator writes them on a command line
 * ("4G", "512M", "1048576") and as lrsweep shows them back ("4 GiB").
 *
 * One reading for every size option, so `--max-data 512M` means the same
 * to each command that takes a size: binary units (K = 1024), an optional
 * "B" or "iB" after the unit ("512MiB", "4GB" are 512 MiB and 4 GiB).
 */
#ifndef LRS_BYTESIZE_H
#define LRS_BYTESIZE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

/* Reads text — digits, then optionally one of K M G T (either case, binary
 * powers) and "B" or "iB" — into *out.  0, or -1 with err (code 2) for
 * anything else, an empty number, or a size over UINT64_MAX.  Zero is
 * accepted; a caller that refuses it says so. */
int lrs_bytesize_parse(const char *text, uint64_t *out, lrs_err_t *err);

/* Writes n for a human: "N bytes" below 1 KiB, else the largest binary
 * unit with at most one decimal ("1.5 MiB", "4 GiB").  Returns buf. */
const char *lrs_bytesize_show(uint64_t n, char *buf, size_t size);

#endif
