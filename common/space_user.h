/* space_user.h — a command sweep's user parameters: names under `search:`
 * that are not lrsweep's own but the script's (dropout, hidden_size, …).
 *
 * The space builder (common/space_build.c) asks here what an unknown name
 * means.  The rule, in order: a name declared in the spec's `user:` list is
 * the script's even when lrsweep has one like it (a focal loss's gamma); a
 * name of lrsweep's is lrsweep's; a well-known alias of one of lrsweep's
 * (learning_rate, lr_gamma, …) is accepted as the script's, noted so the
 * spec loader can warn that only lrsweep's own name drives schedulers and
 * reports; a name one edit away from one of lrsweep's (of four letters or
 * more) is refused as a typo; any other [a-z_][a-z0-9_]* name is the
 * script's.  Built-in-engine sweeps have nothing to pass one to and refuse
 * them all.
 *
 * A user parameter's type comes from what is written: true/false → bool,
 * integers (or int_uniform, int_log_uniform) → int, any other numbers (or
 * uniform, log_uniform) → float, anything else (or a quoted value) →
 * string; a list of values of mixed kinds takes the widest.  Its entry in
 * the arena is a lrs_param_info_t with id LRS_P_USER and, once the tree is
 * read, its slot (the name's index among the space's sorted names) in
 * `offset`.
 */
#ifndef LRS_SPACE_USER_H
#define LRS_SPACE_USER_H

#include "common/params.h"
#include "common/space.h"
#include "common/yaml_doc.h"

typedef struct lrs_space_users {
    int allowed;                              /* in: a sweep with command: */
    const lrs_ynode_t *declared;              /* in: the `user:` list, or NULL */
    int n;                                    /* out: the space's user names, sorted */
    const char *names[LRS_MAX_USER_PARAMS];
    const char *alias, *alias_of;             /* out: the first undeclared alias and its lrsweep name */
    int alias_line;
} lrs_space_users_t;

/* Checks the `user:` list (a list of distinct valid names), adding errors to c. */
void lrs_space_users_check_declared(lrs_yctx_t *c, const lrs_space_users_t *u);

/* Whether name is in the `user:` list. */
int lrs_space_user_declared(const lrs_space_users_t *u, const char *name);

/* The entry of the user parameter written as key: val under parent (the
 * message path), allocated in c->arena; NULL with an error added when the
 * name is refused (built-in engine, invalid name, typo, branches). */
const lrs_param_info_t *lrs_space_user_param(lrs_yctx_t *c, lrs_space_users_t *u,
                                             const lrs_ynode_t *key, const lrs_ynode_t *val,
                                             const char *parent);

/* Collects the distinct user names of the tree at root, sorted, into u and
 * gives every user entry its slot; more than LRS_MAX_USER_PARAMS is an
 * error at search (the `search:` node). */
void lrs_space_user_slots(lrs_yctx_t *c, const lrs_ynode_t *search, const lrs_space_block_t *root,
                          lrs_space_users_t *u);

/* Gives cfg the space's user names (slots), when it has any: a space
 * without user parameters leaves cfg as lrs_trial_cfg_init made it. */
void lrs_space_users_attach(const lrs_space_users_t *u, lrs_trial_cfg_t *cfg);

/* lrsweep's parameter name one edit (insert, delete, replace, swap) away
 * from name, of four letters or more and not name itself; NULL if none. */
const char *lrs_user_typo_of(const char *name);

/* lrsweep's parameter that a well-known alias (learning_rate → lr) stands
 * for, or NULL. */
const char *lrs_user_alias_of(const char *name);

#endif
