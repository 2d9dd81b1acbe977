/* spec_confirm.h — `confirm:` in a spec: re-run the best configs with fresh
 * seeds when the search ends, and the index range confirmation runs take.
 *
 *   confirm:
 *     top: 5         # the K best complete search trials (default 5)
 *     repeats: 5     # fresh training seeds each (default 5)
 *
 * The confirmation of search trial j is trial LRS_CONFIRM_BASE + j: the
 * config of trial j, trained with the seeds of its own index (fresh: no
 * search trial has them), `repeats` times.  Search indices stay below
 * LRS_SPEC_MAX_TRIALS, so the ranges never meet, and extending `trials:`
 * keeps both stable.  Like `trials:` and `budget:`, `confirm:` is not part
 * of the sweep's identity (its space hash): it may be added to a finished
 * sweep's spec, which `lrsweep confirm` then confirms.
 */
#ifndef LRS_SPEC_CONFIRM_H
#define LRS_SPEC_CONFIRM_H

#include <stdint.h>

#include "common/yaml_doc.h"

#define LRS_CONFIRM_BASE 1000000000ULL
#define LRS_CONFIRM_MAX_TOP 1000
#define LRS_CONFIRM_DEFAULT_TOP 5
#define LRS_CONFIRM_DEFAULT_REPEATS 5

typedef struct lrs_confirm_spec {
    int top;        /* 0: no confirmation */
    int repeats;    /* training seeds per confirmation, 1..LRS_SPEC_MAX_REPEATS */
} lrs_confirm_spec_t;

/* Reads `confirm:` (the node n) into *out, adding each error to c->d; the
 * node may be an empty mapping (the defaults). max_repeats bounds
 * `repeats`. */
void lrs_spec_confirm_read(lrs_yctx_t *c, const lrs_ynode_t *n, int max_repeats,
                           lrs_confirm_spec_t *out);

/* 1 when trial index is a confirmation run, with *of (may be NULL) the
 * search trial it confirms; 0 for a search trial. */
int lrs_confirm_of(uint64_t index, uint64_t *of);

/* The index of the confirmation of search trial j. */
uint64_t lrs_confirm_index(uint64_t j);

#endif
