/* spec_config.c — lrs_spec_config (common/spec.h): the config a spec gives
 * without sampling, for `train` and `lrfind` on a spec: the fixed values of
 * the branches the words take, the words on top.  Apart from spec.c, which
 * samples, because it reads the space only through the spec's accessors.
 */
#include <string.h>

#include "common/space.h"
#include "common/space_user.h"
#include "common/spec.h"

/* ------------------------------------------- configs without sampling */

/* The fixed values of the branches a config takes.  A loaded spec has each
 * parameter at most once per trial, so LRS_P_COUNT entries suffice. */
typedef struct fixed_set {
    const lrs_space_node_t *node[LRS_P_COUNT];
    int n;
    uint64_t searched;
} fixed_set_t;

static int cfg_int(const lrs_trial_cfg_t *cfg, const lrs_param_info_t *p)
{
    int v;
    memcpy(&v, (const char *)cfg + p->offset, sizeof v);
    return v;
}

/* Walks block: a parameter set by a word takes the branch of the word's
 * value (if the space has one), a fixed one is collected and takes its only
 * branch, a searched one is noted and its branches are not entered. */
static void collect_fixed(const lrs_space_block_t *b, const lrs_trial_cfg_t *words, fixed_set_t *f)
{
    for (int i = 0; b && i < b->n_nodes; i++) {
        const lrs_space_node_t *n = &b->nodes[i];
        const lrs_param_info_t *p = n->param;
        int fixed = n->dist == LRS_DIST_VALUES && n->n_values == 1, branch = -1;
        if ((words->set_mask >> p->id) & 1u) {
            for (int k = 0; n->branches && k < n->n_values; k++)
                if ((int)n->values[k].number == cfg_int(words, p))
                    branch = k;
        } else if (fixed) {
            if (f->n < LRS_P_COUNT)
                f->node[f->n++] = n;
            branch = 0;
        } else {
            f->searched |= 1ull << p->id;
        }
        if (n->branches && branch >= 0)
            collect_fixed(&n->branches[branch], words, f);
    }
}

static int apply_words(lrs_trial_cfg_t *cfg, char *const *words, int n_words, lrs_err_t *err)
{
    for (int i = 0; i < n_words; i++)
        if (lrs_trial_cfg_assign(cfg, words[i], err) < 0)
            return -1;
    return 0;
}

int lrs_spec_config(const lrs_spec_t *s, char *const *words, int n_words, lrs_trial_cfg_t *cfg,
                    uint64_t *searched, lrs_err_t *err)
{
    lrs_trial_cfg_t given, probe;
    fixed_set_t f = {.n = 0};
    lrs_trial_cfg_init(&given);
    lrs_trial_cfg_init(cfg);
    lrs_space_users_attach(lrs_spec_users(s), cfg);
    if (apply_words(&given, words, n_words, err) < 0)
        return -1;
    collect_fixed(lrs_spec_space(s), &given, &f);
    /* The optimizer and scheduler the config ends with decide which fixed
     * values apply; then the words go on top. */
    lrs_trial_cfg_init(&probe);
    for (int i = 0; i < f.n; i++)
        lrs_space_store_value(&probe, f.node[i], 0);
    apply_words(&probe, words, n_words, err);
    for (int i = 0; i < f.n; i++)
        if (lrs_param_active(f.node[i]->param, &probe))
            lrs_space_store_value(cfg, f.node[i], 0);
    if (apply_words(cfg, words, n_words, err) < 0 || lrs_trial_cfg_finalize(cfg, err) < 0)
        return -1;
    if (searched)
        *searched = f.searched & ~given.set_mask;
    return 0;
}
