/* spec_exec.h — the settings of an exec spec: the user's own command.
 *
 * A spec with `command:` runs the user's training command instead of the
 * built-in engine.  Its settings sit at the top level of the spec, next to
 * name, trials and search: command (a template, common/command.h), shell,
 * timeout, folds, workdir and env.  This reads them into the
 * lrs_exec_spec_t that worker/exec runs; the metric and its goal, which
 * every spec has, are the spec loader's (common/spec.c), as is telling an
 * exec spec from a built-in one.
 */
#ifndef LRS_SPEC_EXEC_H
#define LRS_SPEC_EXEC_H

#include "common/command.h"
#include "common/yaml_doc.h"

/* Reads command, shell, timeout, folds, workdir and env from the spec's
 * top-level mapping root (which has `command:`) into *ex, adding each error
 * to c->d at its line:column; strings are allocated in c->arena.  The
 * command must be one string (its placeholders are checked once the
 * search space is known, by lrs_spec_exec_check_command).  env becomes
 * "NAME=value" entries sorted by name, LRSWEEP_* names refused.  A
 * relative workdir is resolved against base_dir ("." becomes base_dir
 * itself); with base_dir NULL or "" it is kept as written.
 * *workdir_as_written gets workdir as written (for the space hash), and is
 * left alone when there is no workdir.  Fields not given keep their value
 * in *ex.  Out of memory sets c->arena->failed. */
void lrs_spec_exec_read(lrs_yctx_t *c, const lrs_ynode_t *root, const char *base_dir,
                        lrs_exec_spec_t *ex, const char **workdir_as_written);

/* Checks the command read into ex against the space's user parameter names
 * (lrs_exec_check_template_users), adding the error at `command:` (its
 * message names the template's own column). */
void lrs_spec_exec_check_command(lrs_yctx_t *c, const lrs_ynode_t *root, const lrs_exec_spec_t *ex,
                                 const char *const *user_names, int n_user);

#endif
