/* spec_notes.h — advice on a spec that is valid but probably not what its
 * author meant: printed by `validate`, `run` and `coordinator` as warnings
 * (exit status unchanged), never by `train`, which runs one trial. */
#ifndef LRS_SPEC_NOTES_H
#define LRS_SPEC_NOTES_H

#include <stddef.h>

#include "common/spec.h"

/* A sobol sweep whose trials is not a power of two: its first 2^k points
 * are balanced, the rest a partial pass that is not.  Writes the warning
 * (naming the powers of two on either side) into out and returns 1, else
 * returns 0 and leaves out alone. */
int lrs_spec_sobol_warning(const lrs_spec_t *s, char *out, size_t size);

/* A command sweep searching a script's own name that is a well-known alias
 * of one of lrsweep's (learning_rate for lr) and not declared under user::
 * only lrsweep's name drives schedulers, summary and the report.  Writes
 * the warning (how to tie the two in command:) and returns 1, else 0. */
int lrs_spec_alias_warning(const lrs_spec_t *s, char *out, size_t size);

#endif
