/* spec_confirm.c — see spec_confirm.h. */
#include "common/spec_confirm.h"

void lrs_spec_confirm_read(lrs_yctx_t *c, const lrs_ynode_t *n, int max_repeats,
                           lrs_confirm_spec_t *out)
{
    static const char *const keys[] = {"top", "repeats", NULL};
    out->top = LRS_CONFIRM_DEFAULT_TOP;
    out->repeats = LRS_CONFIRM_DEFAULT_REPEATS;
    if (lrs_y_check_mapping(c, n, "confirm", keys) < 0) {
        out->top = 0;
        return;
    }
    const lrs_ynode_t *v;
    if ((v = lrs_y_get(n, "top")))
        lrs_y_int(c, v, "confirm.top", 1, LRS_CONFIRM_MAX_TOP, &out->top);
    if ((v = lrs_y_get(n, "repeats")))
        lrs_y_int(c, v, "confirm.repeats", 1, max_repeats, &out->repeats);
}

int lrs_confirm_of(uint64_t index, uint64_t *of)
{
    if (index < LRS_CONFIRM_BASE)
        return 0;
    if (of)
        *of = index - LRS_CONFIRM_BASE;
    return 1;
}

uint64_t lrs_confirm_index(uint64_t j) { return LRS_CONFIRM_BASE + j; }
