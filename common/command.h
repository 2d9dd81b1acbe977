/* command.h — the user's own training command as a sweep spec states it:
 * its settings, its template language, and the program it runs.
 *
 * Both sides need it: the spec loader and `lrsweep validate` check a
 * template (and look its program up on this machine) before anything runs;
 * the worker's runner (worker/exec.h) expands it for every trial.
 *
 * Template rules (lrs_exec_check_template, lrs_exec_expand):
 *   {name}   a parameter of common/params.h.  If it applies to the trial's
 *            optimizer / scheduler (lrs_param_active) it becomes its value as
 *            lrs_trial_cfg_format writes it (the finalized default when the
 *            trial did not set it); otherwise it becomes empty, and a word
 *            that was only that placeholder disappears.
 *   {args}   `--name value` for every parameter the trial sets (bit in
 *            cfg->set_mask) that is active and not named elsewhere in the
 *            template, in parameter-table order, then the trial's user
 *            parameters (by name; bools as true/false).  Without shell it
 *            must be a word of its own.  With LRS_EXEC_DASHES the flag's
 *            name has '-' for every '_' (--hidden-size, --weight-decay).
 *   {{ }}    a literal brace.  A '{' that does not start {identifier} (for
 *            example `${HOME}` or awk's `{print $1}`) is literal text too.
 * Without `shell`, the template is split into words as a POSIX shell would
 * split it (blanks separate words; '...' and "..." group, backslash escapes)
 * but nothing else is interpreted: no variables, globs or pipes, and a value
 * always stays inside its word, whatever characters it holds.  With `shell`,
 * the template is run by `/bin/sh -c`, each value inserted single-quoted.
 */
#ifndef LRS_COMMAND_H
#define LRS_COMMAND_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "common/metrics.h"
#include "common/params.h"
#include "common/prune.h"

#define LRS_EXEC_MAX_FOLDS 1000
#define LRS_EXEC_MAX_PRELOAD 64
#define LRS_EXEC_MAX_RETRIES 10
#define LRS_EXEC_MIN_MEMORY (1u << 20)
#define LRS_EXEC_DEFAULT_LOG_TAIL (64 * 1024)
#define LRS_EXEC_DEFAULT_KILL_GRACE 5.0

/* How lrs_exec_expand expands a template (lrs_exec_flags of a spec). */
#define LRS_EXEC_SHELL 1u    /* run via /bin/sh -c, values single-quoted */
#define LRS_EXEC_DASHES 2u   /* {args} writes --hidden-size for hidden_size (args: {dashes: true}) */

/* What the sweep spec says about the command: plain data, borrowed. */
typedef struct lrs_exec_spec {
    const char *command;              /* the template */
    int shell;                        /* 1: run via /bin/sh -c, values single-quoted */
    int args_dashes;                  /* args: {dashes: true}: {args} names with '-' for '_' */
    int preload_set;                  /* preload: given (even empty): runs go through a helper */
    const char *const *preload;       /* n_preload module names the helper imports */
    int n_preload;
    const char *metric;               /* objective name, e.g. "val_loss" */
    int maximize;                     /* 1: larger is better (only recorded) */
    double timeout_s;                 /* per run (per fold); 0: none */
    uint64_t memory_limit;            /* bytes of RSS a run's process group may hold; 0: none */
    int retries;                      /* a run that failed (not timeout, memory, diverged) re-runs */
    int folds;                        /* 0: run once; k >= 1: once per fold */
    const char *workdir;              /* NULL: the worker's current directory */
    const char *const *env;           /* n_env "NAME=value" entries */
    int n_env;
    size_t log_tail_bytes;            /* 0: LRS_EXEC_DEFAULT_LOG_TAIL */
    double kill_grace_s;              /* TERM → KILL delay; 0: LRS_EXEC_DEFAULT_KILL_GRACE */
    /* The sweep's pruning rule (a sweep's worker sets it; NULL or rule none:
     * no pruning).  Its rungs are asked through the hooks' rung_post. */
    const lrs_prune_spec_t *pruning;
    int rung_limit;                   /* with pruning: the trial's lrs_spec_rung_limit */
} lrs_exec_spec_t;

/* Checks a template: every {name} must be a parameter or `args` ({args} at
 * most once and, without shell, a word of its own), quotes must be closed.
 * Errors (usage) name the placeholder and its 1-based column. */
int lrs_exec_check_template(const char *command, int shell, lrs_err_t *err);

/* As lrs_exec_check_template, with the n_user names of a command sweep's
 * user parameters (common/space_user.h) as parameters too: {dropout} then
 * becomes the trial's value (nothing when the trial has none), and wins
 * over lrsweep's parameter of the same name (declared with `user:`). */
int lrs_exec_check_template_users(const char *command, int shell, const char *const *user_names,
                                  int n_user, lrs_err_t *err);

/* The LRS_EXEC_* flags ex's template expands with. */
unsigned lrs_exec_flags(const lrs_exec_spec_t *ex);

/* Expands command for cfg into a NULL-terminated argv (*argv_out, *argc_out);
 * with LRS_EXEC_SHELL in flags, argv is {"/bin/sh", "-c", script}; with
 * LRS_EXEC_DASHES, {args} writes each name with '-' for '_'.  Free with
 * lrs_exec_argv_free.  Fails (usage) on what lrs_exec_check_template
 * refuses, or when no word is left to run. */
int lrs_exec_expand(const char *command, unsigned flags, const lrs_trial_cfg_t *cfg, char ***argv_out,
                    int *argc_out, lrs_err_t *err);

void lrs_exec_argv_free(char ***argv);

/* Writes the JSON object LRSWEEP_PARAMS holds for cfg into a new string
 * (free() it); NULL on allocation failure. */
char *lrs_exec_params_json(const lrs_trial_cfg_t *cfg);

/* A valid UTF-8 copy of len raw bytes (free() it): valid sequences are kept,
 * every other byte (and NUL) becomes the four characters \xNN.  NULL on OOM.
 * This is the stored form: control characters stay, as data; whatever prints
 * it for a human escapes them (lrs_text_escape, common/textesc.h, which
 * shares this function's UTF-8 rule, lrs_utf8_seq). */
char *lrs_exec_escape_text(const char *data, size_t len);

/* The program a template runs — its first word, expanded with default
 * parameters and no value for the n_user user parameters user_names — for
 * `lrsweep validate` to look up in PATH.  A new string, or NULL with shell
 * (the shell decides) or when the template is invalid. */
char *lrs_exec_template_program(const char *command, int shell, const char *const *user_names,
                                int n_user);

/* The words a template runs with default parameters (as for
 * lrs_exec_template_program): 0 with *argv (free with lrs_exec_argv_free),
 * -1 with shell or an invalid template. */
int lrs_exec_template_argv(const char *command, int shell, const char *const *user_names, int n_user,
                           char ***argv, int *argc);

/* Full path of the program a run would execute: prog itself when it holds a
 * '/', else the first executable PATH entry (path_env: a PATH value, NULL:
 * the process's).  Returns a new string, or NULL when not found. */
char *lrs_exec_find_program(const char *prog, const char *path_env);

/* As lrs_exec_find_program, with a relative prog checked against base (the
 * run's workdir; NULL: the current directory).  Relative results stay
 * relative: the child has already changed into base. */
char *lrs_exec_find_program_in(const char *prog, const char *path_env, const char *base);

#endif
