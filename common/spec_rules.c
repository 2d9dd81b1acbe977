/* spec_rules.c — see spec_rules.h. */
#include "common/spec_rules.h"

int lrs_rules_known(int rules)
{
    return rules >= 0 && rules <= LRS_RULES_CURRENT;
}

int lrs_rules_standardize_target(int rules, int written, int classification)
{
    if (written >= 0)
        return written;
    return rules >= 1 && !classification;
}

int lrs_rules_decimal_grid(int rules)
{
    return rules >= 1;
}
