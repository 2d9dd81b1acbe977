/* result.c — see result.h: the one name table of trial statuses. */
#include "common/result.h"

#include <string.h>

static const char *const status_names[LRS_STATUS_COUNT] = {
    [LRS_STATUS_COMPLETE] = "complete", [LRS_STATUS_DIVERGED] = "diverged",
    [LRS_STATUS_FAILED] = "failed",     [LRS_STATUS_PENDING] = "pending",
    [LRS_STATUS_RUNNING] = "running",   [LRS_STATUS_CANCELLED] = "cancelled",
};

const char *lrs_status_name(lrs_status_t s)
{
    return (int)s >= 0 && (int)s < LRS_STATUS_COUNT ? status_names[s] : "?";
}

int lrs_status_parse(const char *name)
{
    for (int i = 0; i < LRS_STATUS_COUNT; i++)
        if (name && strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}
