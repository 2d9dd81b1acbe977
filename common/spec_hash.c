/* spec_hash.c — the hash a resumed sweep must match.
 *
 * Everything that decides which trials a sweep has and what their results
 * are goes in; what may change between runs (trials:, name:, timeout:, the
 * goal, the budget) stays out.  Settings added after a release hash only
 * when they differ from the behaviour before them, so a spec written for
 * an older release keeps its hash and its sweep resumes.
 */
#include "common/spec_hash.h"

#include <string.h>

#include "common/rng.h"
#include "common/space.h"

static uint64_t hash_u64(uint64_t h, uint64_t x)
{
    return lrs_mix64(h ^ lrs_mix64(x));
}

static uint64_t hash_double(uint64_t h, double x)
{
    uint64_t bits;
    memcpy(&bits, &x, sizeof bits);
    return hash_u64(h, bits);
}

static uint64_t hash_str(uint64_t h, const char *s)
{
    if (!s)
        return hash_u64(h, 0x6e756c6cULL);
    size_t n = strlen(s);
    h = hash_u64(h, n);
    for (size_t i = 0; i < n; i += 8) {
        uint64_t word = 0;
        memcpy(&word, s + i, n - i < 8 ? n - i : 8);
        h = hash_u64(h, word);
    }
    return h;
}

static uint64_t hash_block(uint64_t h, const lrs_space_block_t *b)
{
    h = hash_u64(h, (uint64_t)b->n_nodes);
    for (int i = 0; i < b->n_nodes; i++) {
        const lrs_space_node_t *n = &b->nodes[i];
        h = hash_u64(h, (uint64_t)n->param->id);
        if (n->param->id == LRS_P_USER)   /* a script's own parameter: its name and type */
            h = hash_u64(hash_str(h, n->param->name), (uint64_t)n->param->type);
        h = hash_u64(h, (uint64_t)n->dist);
        h = hash_double(hash_double(h, n->lo), n->hi);
        h = hash_u64(h, (uint64_t)n->grid);
        if (n->grid_points)   /* rules 1's decimal log grid; rules 0 hash as before */
            h = hash_str(h, "decimal grid");
        h = hash_u64(h, (uint64_t)n->n_values);
        for (int k = 0; k < n->n_values; k++) {
            h = hash_double(h, n->values[k].number);
            h = hash_u64(h, (uint64_t)n->values[k].n_list);
            for (int j = 0; j < n->values[k].n_list; j++)
                h = hash_u64(h, (uint64_t)n->values[k].list[j]);
            if (n->param->id == LRS_P_USER && n->param->choices)
                h = hash_str(h, n->param->choices[k]);
            if (n->branches)
                h = hash_block(h, &n->branches[k]);
        }
    }
    return h;
}

uint64_t lrs_spec_hash_of(const lrs_spec_info_t *in, const char *data_path_as_written,
                          const char *workdir_as_written, const lrs_space_block_t *root)
{
    uint64_t h = 0x6c72737370656331ULL;
    h = hash_u64(h, in->seed);
    h = hash_u64(h, (uint64_t)in->sampler);
    h = hash_str(h, data_path_as_written);
    h = hash_u64(h, (uint64_t)in->n_targets);
    for (int i = 0; i < in->n_targets; i++)
        h = hash_str(h, in->targets[i]);
    h = hash_u64(h, (uint64_t)(int64_t)in->task_hint);
    h = hash_u64(h, (uint64_t)in->synthetic_rows);
    h = hash_u64(h, (uint64_t)in->synthetic_features);
    h = hash_u64(h, (uint64_t)in->synthetic_outputs);
    h = hash_double(h, in->synthetic_noise);
    h = hash_u64(h, (uint64_t)in->model_kind);
    h = hash_u64(h, (uint64_t)in->model.n_hidden);
    for (int i = 0; i < in->model.n_hidden; i++)
        h = hash_u64(h, (uint64_t)in->model.hidden[i]);
    h = hash_u64(h, (uint64_t)in->model.activation);
    h = hash_double(h, in->synthetic_cost_ms);
    h = hash_u64(h, (uint64_t)in->folds);
    h = hash_u64(h, (uint64_t)in->shuffle);
    h = hash_u64(h, (uint64_t)in->standardize);
    h = hash_double(h, in->holdout);
    if (in->exec) {   /* built-in specs hash exactly as before exec specs existed */
        const lrs_exec_spec_t *ex = in->exec;
        h = hash_str(h, "exec");
        h = hash_str(h, ex->command);
        h = hash_u64(h, (uint64_t)ex->shell);
        h = hash_str(h, in->metric);
        h = hash_u64(h, (uint64_t)ex->folds);
        h = hash_str(h, workdir_as_written);
        h = hash_u64(h, (uint64_t)ex->n_env);
        for (int i = 0; i < ex->n_env; i++)
            h = hash_str(h, ex->env[i]);
        if (ex->args_dashes)   /* newer than the rest: off hashes as before it existed */
            h = hash_str(h, "args.dashes");
    }
    h = hash_block(h, root);
    /* A standardized target changes every loss; off (rules 0's behaviour,
     * or written false) hashes as before the key existed. */
    if (in->standardize_target)
        h = hash_str(h, "standardize_target");
    /* Shared training seeds change every result but trial 0's; the default
     * (a seed per trial) hashes as before the key existed. */
    if (in->shared_seeds)
        h = hash_str(h, "seeds: shared");
    /* Repeats change every score; one run hashes as before the key. */
    if (in->repeats > 1) {
        h = hash_str(h, "repeats");
        h = hash_u64(h, (uint64_t)in->repeats);
    }
    /* Pruning decides which trials end early, so it is part of what is
     * stored; a spec without it hashes as before it existed. */
    const lrs_prune_spec_t *p = in->pruning;
    if (p->rule != LRS_PRUNE_NONE) {
        h = hash_str(h, "pruning");
        h = hash_u64(h, (uint64_t)p->rule);
        h = hash_u64(h, (uint64_t)p->deterministic);
        const int ints[] = {p->n_startup_trials, p->n_warmup_steps, p->interval_steps,
                            p->n_min_trials, p->min_resource, p->max_resource,
                            p->reduction_factor, p->min_early_stopping_rate};
        for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
            h = hash_u64(h, (uint64_t)ints[i]);
        h = hash_double(h, p->percentile);
        h = hash_double(h, p->lower);
        h = hash_double(h, p->upper);
    }
    return h;
}

