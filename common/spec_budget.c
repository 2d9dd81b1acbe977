/* spec_budget.c — see spec_budget.h. */
#include "common/spec_budget.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>


int lrs_duration_parse(const char *text, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(text, &end);
    if (end == text || errno || !isfinite(v) || v <= 0)
        return -1;
    static const struct { char unit; double seconds; } units[] = {
        {'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
    double scale = 1;
    if (*end) {
        scale = 0;
        for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
            if (end[0] == units[i].unit && end[1] == '\0')
                scale = units[i].seconds;
        if (scale == 0)
            return -1;
    }
    if (v * scale > 1e9)   /* about 31 years */
        return -1;
    *out = v * scale;
    return 0;
}

void lrs_spec_budget_read(lrs_yctx_t *c, const lrs_ynode_t *n, lrs_budget_t *out)
{
    static const char *const keys[] = {"trials", "time", "running", NULL};
    static const char *const running_names[] = {"finish", "cancel", NULL};
    const lrs_ynode_t *v;
    if (lrs_y_check_mapping(c, n, "budget", keys) < 0)
        return;
    if (!lrs_y_get(n, "trials") && !lrs_y_get(n, "time"))
        LRS_YERR(c, n, "budget: give trials, time or both (e.g. budget: {trials: 200, time: 2h})");
    if ((v = lrs_y_get(n, "trials"))) {
        long long trials;
        if (lrs_y_integer(c, v, "budget.trials", 1, LRS_SPEC_MAX_TRIALS, &trials) == 0)
            out->trials = (uint64_t)trials;
    }
    if ((v = lrs_y_get(n, "time"))) {
        if (v->kind != LRS_Y_SCALAR || lrs_duration_parse(v->text, &out->seconds) != 0)
            LRS_YERR(c, v, "budget.time: expected a duration: seconds, or a number with s, m, h "
                           "or d (e.g. 90m), at most 1e9 s, got %s", v->kind == LRS_Y_SCALAR ? v->text : "a collection");
    }
    int k = 0;
    if ((v = lrs_y_get(n, "running")) && lrs_y_enum(c, v, "budget.running", running_names, &k) == 0)
        out->cancel = k == 1;
}
