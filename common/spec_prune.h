/* spec_prune.h — `pruning:` in a spec (the rules: common/prune.h).
 *
 *   pruning:
 *     rule: median                # there is no default rule
 *     n_startup_trials: 5         # the rule's own parameters, Optuna's names
 *     deterministic: true         # default
 *
 * Each rule takes only its own parameters (a key of another rule is an
 * error naming the ones it takes).  `auto` resources come from the spec:
 * successive_halving's min_resource is max(1, E / 100) and hyperband's
 * max_resource is E, E the largest `epochs` the search space gives — which a
 * command sweep does not know, so there they must be numbers.
 */
#ifndef LRS_SPEC_PRUNE_H
#define LRS_SPEC_PRUNE_H

#include "common/prune.h"
#include "common/yaml_doc.h"

/* Reads `pruning:` (the node n) into *out, adding each error to c->d.
 * max_epochs: the largest epochs of the search space, 0 for a command sweep
 * (then `auto` is an error).  *out is complete (lrs_prune_finish) when no
 * error was added. */
void lrs_spec_prune_read(lrs_yctx_t *c, const lrs_ynode_t *n, int max_epochs,
                         lrs_prune_spec_t *out);

#endif
