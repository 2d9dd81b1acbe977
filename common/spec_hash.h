/* spec_hash.h — the 64-bit hash of what decides a sweep's trials and
 * results (lrs_spec_space_hash in common/spec.h returns it). */
#ifndef LRS_SPEC_HASH_H
#define LRS_SPEC_HASH_H

#include <stdint.h>

#include "common/spec_info.h"

struct lrs_space_block;

/* The hash of a loaded spec's settings in (in->exec set: an exec spec; the
 * paths as written in the spec, not resolved; either may be NULL) and its
 * search space root.  Pure: equal inputs give equal hashes on every
 * machine. */
uint64_t lrs_spec_hash_of(const lrs_spec_info_t *in, const char *data_path_as_written,
                          const char *workdir_as_written, const struct lrs_space_block *root);

#endif
