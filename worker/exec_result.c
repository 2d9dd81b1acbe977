/* exec_result.c — see exec_result.h.  A result's starting state and its
 * release. */
#include "worker/exec_result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void lrs_exec_result_init(lrs_exec_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->status = LRS_STATUS_FAILED;
    r->objective = NAN;
    r->objective_std = NAN;
    r->exit_status = -1;
    for (int i = 0; i < LRS_EXEC_MAX_NAMES; i++)
        r->finals[i] = NAN;
}

void lrs_exec_result_free(lrs_exec_result_t *r)
{
    if (!r)
        return;
    free(r->curve);
    free(r->stderr_tail);
    free(r->log);
    r->curve = NULL;
    r->n_curve = 0;
    r->stderr_tail = NULL;
    r->stderr_tail_len = 0;
    r->log = NULL;
    r->log_len = 0;
}
