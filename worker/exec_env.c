/* exec_env.c — see exec_env.h.  The worker's own environment (environ)
 * minus every name an override sets, then the overrides in order, so the
 * LRSWEEP_FOLD entry stays last and can be rewritten per fold. */
#include "worker/exec_env.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

static int env_name_matches(const char *entry, const char *name, size_t name_len)
{
    return strncmp(entry, name, name_len) == 0 && entry[name_len] == '=';
}

/* Whether entry's NAME is set by one of the n "NAME=value" overrides. */
static int overridden(const char *entry, char *const *over, int n)
{
    for (int i = 0; i < n; i++) {
        size_t len = strcspn(over[i], "=");
        if (env_name_matches(entry, over[i], len))
            return 1;
    }
    return 0;
}

/* Builds envp: environ minus overridden names, then the overrides. */
static int build_env(lrs_words_t *overrides, lrs_words_t *envp)
{
    for (char **e = environ; e && *e; e++)
        if (!overridden(*e, overrides->v, overrides->n) && lrs_words_push(envp, *e, strlen(*e)) < 0)
            return -1;
    for (int i = 0; i < overrides->n; i++) {
        /* a later override of the same name wins (spec env may repeat a name) */
        size_t len = strcspn(overrides->v[i], "=");
        int later = 0;
        for (int j = i + 1; j < overrides->n && !later; j++)
            later = env_name_matches(overrides->v[j], overrides->v[i], len);
        if (!later && lrs_words_push(envp, overrides->v[i], strlen(overrides->v[i])) < 0)
            return -1;
    }
    return 0;
}

const char *lrs_exec_env_lookup(char *const *envp, int n, const char *name)
{
    size_t len = strlen(name);
    for (int i = 0; i < n; i++)
        if (env_name_matches(envp[i], name, len))
            return envp[i] + len + 1;
    return NULL;
}
/* Builds the environment of the trial's runs into envp; with folds,
 * *fold_at is the index of the LRSWEEP_FOLD entry, rewritten per run (else
 * -1).  -1 on allocation failure. */
int lrs_exec_trial_env(const lrs_exec_spec_t *spec, const lrs_trial_cfg_t *cfg, uint64_t trial,
                       uint64_t seed, const char *device, lrs_words_t *envp, int *fold_at)
{
    lrs_words_t over = {0};
    lrs_strbuf_t entry = {0};
    char *params = lrs_exec_params_json(cfg);
    char text[128];
    int rc = -1;
    *fold_at = -1;
    if (!params)
        goto done;
    for (int i = 0; i < spec->n_env; i++)
        if (lrs_words_push(&over, spec->env[i], strlen(spec->env[i])) < 0)
            goto done;
    int has_unbuffered = lrs_exec_env_lookup(over.v, over.n, "PYTHONUNBUFFERED") != NULL;
    snprintf(text, sizeof text, "LRSWEEP_TRIAL=%llu", (unsigned long long)trial);
    if (lrs_words_push(&over, text, strlen(text)) < 0)
        goto done;
    snprintf(text, sizeof text, "LRSWEEP_SEED=%llu", (unsigned long long)seed);
    if (lrs_words_push(&over, text, strlen(text)) < 0 || lrs_sb_adds(&entry, "LRSWEEP_PARAMS=") < 0 ||
        lrs_sb_adds(&entry, params) < 0 || lrs_words_push(&over, entry.p, entry.len) < 0)
        goto done;
    if (!has_unbuffered && lrs_words_push(&over, "PYTHONUNBUFFERED=1", 18) < 0)
        goto done;
    if (device) {   /* the slot's GPU (--gpus) wins over the spec's env */
        snprintf(text, sizeof text, "CUDA_VISIBLE_DEVICES=%s", device);
        if (lrs_words_push(&over, text, strlen(text)) < 0)
            goto done;
        snprintf(text, sizeof text, "LRSWEEP_GPU=%s", device);
        if (lrs_words_push(&over, text, strlen(text)) < 0)
            goto done;
    }
    if (spec->folds > 0) {
        snprintf(text, sizeof text, "LRSWEEP_FOLDS=%d", spec->folds);
        if (lrs_words_push(&over, text, strlen(text)) < 0 || lrs_words_push(&over, "LRSWEEP_FOLD=0", 14) < 0)
            goto done;
    }
    if (build_env(&over, envp) < 0)
        goto done;
    if (spec->folds > 0)
        *fold_at = envp->n - 1;   /* build_env keeps the overrides' order, last at the end */
    rc = 0;
done:
    lrs_words_free(&over);
    free(entry.p);
    free(params);
    return rc;
}

