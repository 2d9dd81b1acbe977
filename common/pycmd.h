/* pycmd.h — which command lines a preloading Python helper can run as the
 * command line itself would (`preload:`, worker/forksrv.h).
 *
 * The rule: the first word is a Python interpreter (its file name is
 * python, python3, python3.11, …), followed by interpreter options that
 * only set up the interpreter — flags of -bBdEIOqsSuv, grouped or not, and
 * -W ARG / -X ARG (or -WARG, -XARG) — then either a script and its
 * arguments (`--` may stand before the script) or `-m MODULE` (two words)
 * and its arguments.  Anything else (-c, -i, a script on stdin, --long options, no
 * script) is refused with the reason, and the trial runs as a process.
 * `validate` states the same answer the worker acts on.
 */
#ifndef LRS_PYCMD_H
#define LRS_PYCMD_H

#include <stddef.h>

typedef struct lrs_pycmd {
    int n_opts;    /* argv[1 .. 1+n_opts): the interpreter's options, without `--` */
    int target;    /* argv[target]: the script, or the module with -m */
    int module;    /* 1: -m MODULE */
} lrs_pycmd_t;

/* 1 when argv (argc words, argv[0] the program as written) can run
 * through a helper, filling *cmd; else 0 with the reason in why. */
int lrs_pycmd_parse(char *const argv[], int argc, lrs_pycmd_t *cmd, char *why, size_t size);

/* preload:'s decision for a run: 1 when argv runs through a helper; else 0
 * with why ("preload: shell: true runs the command with /bin/sh", or
 * "preload: " and lrs_pycmd_parse's reason).  The worker acts on it,
 * `validate` warns with it.  argv is not read with shell. */
int lrs_pycmd_plan(int shell, char *const argv[], int argc, lrs_pycmd_t *cmd, char *why, size_t size);

#endif
