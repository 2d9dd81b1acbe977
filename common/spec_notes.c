/* spec_notes.c — see spec_notes.h. */
#include "common/spec_notes.h"

#include <inttypes.h>
#include <stdio.h>

#include "common/space_user.h"

int lrs_spec_sobol_warning(const lrs_spec_t *s, char *out, size_t size)
{
    const lrs_spec_info_t *info = lrs_spec_info(s);
    uint64_t n = info->trials;
    if (info->sampler != LRS_SAMPLER_SOBOL || n < 2 || (n & (n - 1)) == 0)
        return 0;
    uint64_t below = 1;
    while (below * 2 < n)
        below *= 2;
    snprintf(out, size,
             "sampler sobol with trials: %" PRIu64 ", not a power of two: the first %" PRIu64
             " points are balanced, the last %" PRIu64 " are a partial pass that is not; use %" PRIu64
             " or %" PRIu64 " trials for the sampler's balance",
             n, below, n - below, below, below * 2);
    return 1;
}

int lrs_spec_alias_warning(const lrs_spec_t *s, char *out, size_t size)
{
    const lrs_space_users_t *u = lrs_spec_users(s);
    if (!u->alias)
        return 0;
    snprintf(out, size,
             "line %d: search.%s is passed to the script as its own parameter, but only %s is "
             "lrsweep's (schedulers, summary and the report read %s): to tune lrsweep's, search %s "
             "and write --%s {%s} in command:; to keep the script's own, list it under user: [%s]",
             u->alias_line, u->alias, u->alias_of, u->alias_of, u->alias_of, u->alias, u->alias_of,
             u->alias);
    return 1;
}
