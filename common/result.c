/* result.c — see result.h: the one name table of trial statuses, and how
 * a result's owned parts are freed. */
#include "common/result.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[LRS_STATUS_COUNT] = {
    [LRS_STATUS_COMPLETE] = "complete", [LRS_STATUS_DIVERGED] = "diverged",
    [LRS_STATUS_FAILED] = "failed",     [LRS_STATUS_PENDING] = "pending",
    [LRS_STATUS_RUNNING] = "running",   [LRS_STATUS_CANCELLED] = "cancelled",
    [LRS_STATUS_PRUNED] = "pruned",
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

void lrs_curve_clear(lrs_curve_t *c)
{
    if (!c)
        return;
    for (int i = 0; c->names && i < c->n_names; i++)
        free(c->names[i]);
    free(c->names);
    free(c->points);
    memset(c, 0, sizeof *c);
}

void lrs_command_result_free(lrs_command_result_t **cp)
{
    if (!cp || !*cp)
        return;
    lrs_command_result_t *c = *cp;
    free(c->stderr_tail);
    free(c->log_tail);
    free(c->finals);
    lrs_curve_clear(&c->curve);
    free(c);
    *cp = NULL;
}

void lrs_trial_result_init(lrs_trial_result_t *r)
{
    memset(r, 0, sizeof *r);
    r->status = LRS_STATUS_FAILED;
    r->score = r->score_std = NAN;
}

void lrs_trial_result_clear(lrs_trial_result_t *r)
{
    if (!r)
        return;
    lrs_command_result_free(&r->command);
    free(r->error);
    free(r->folds);
    free(r->epochs);
    free(r->repeat_scores);
    lrs_trial_result_init(r);
}

int lrs_trial_result_score_n(const lrs_trial_result_t *r)
{
    if (r->n_repeats >= 2)
        return r->n_repeats;
    return r->n_folds > 0 ? r->n_folds : 1;
}
