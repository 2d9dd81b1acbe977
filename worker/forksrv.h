/* forksrv.h — preloading Python helpers: `preload: [torch, numpy]`.
 *
 * A command sweep's trials mostly pay for `import torch`.  With preload:,
 * a run whose command line a helper can reproduce (common/pycmd.h) goes
 * through a long-lived helper interpreter — the command's own python with
 * the command's interpreter options, started with the run's environment
 * (without the per-trial LRSWEEP_* names), that imported the listed modules
 * once — which forks a fresh child per run.  The child takes the run's
 * descriptors 0-2, process group, working directory, environment and
 * sys.argv, sets sys.path[0] to the script's folder and runs the script
 * with runpy as `__main__` (or the module with -m); an exception prints its
 * traceback from the script's frame on and exits 1, SystemExit exits as it
 * says, and the interpreter then ends as after a script (atexit, non-daemon
 * threads, flushed streams).  random is reseeded in each child (forked
 * children would otherwise share its state).
 *
 * Fork after import is safe only while the helper runs one thread: the
 * helper reports how many it runs after its imports, and the runner falls
 * back to processes when a module started threads (lrs_forksrv_threads).
 *
 * Helpers are kept idle between runs in one list for the whole process,
 * keyed by interpreter, options, preload list and environment; a run takes
 * one (or starts one) and gives it back.  Thread-safe.
 */
#ifndef LRS_FORKSRV_H
#define LRS_FORKSRV_H

#include <sys/types.h>

#include "common/err.h"
#include "common/pycmd.h"

typedef struct lrs_forksrv lrs_forksrv_t;

/* An idle helper for the program at path (argv as expanded, cmd its
 * pycmd reading), preload (n names) and the run's environment envp (NULL
 * terminated), or a new one, started and preloaded.  NULL with err (runtime)
 * when it could not start, or (usage) when a module failed to import (the
 * message holds the traceback's last line). */
lrs_forksrv_t *lrs_forksrv_take(const char *path, char *const argv[], const lrs_pycmd_t *cmd,
                                const char *const *preload, int n_preload, char *const envp[],
                                lrs_err_t *err);

/* Back to the idle list; a helper that is gone or was left mid-run is ended. */
void lrs_forksrv_give(lrs_forksrv_t *fs);

/* Ends every idle helper (at the end of a worker or a `train`). */
void lrs_forksrv_close_all(void);

/* Threads the helper ran after preloading (1: safe to fork). */
int lrs_forksrv_threads(const lrs_forksrv_t *fs);

/* The helper's pid (tests kill it). */
pid_t lrs_forksrv_pid(const lrs_forksrv_t *fs);

/* Starts one run: the script (or module) of argv with its arguments, in
 * workdir (NULL: the worker's), environment envp, descriptors in_fd,
 * out_fd, err_fd as its 0, 1, 2.  Returns the run's pid (also its process
 * group); -2 when the helper is gone before the run started (take another
 * and retry: nothing ran); -1 with err otherwise. */
pid_t lrs_forksrv_spawn(lrs_forksrv_t *fs, char *const argv[], int argc, const lrs_pycmd_t *cmd,
                        char *const envp[], const char *workdir, int in_fd, int out_fd, int err_fd,
                        lrs_err_t *err);

/* The descriptor to poll for the run's end. */
int lrs_forksrv_fd(const lrs_forksrv_t *fs);

/* Without blocking: 1 when the run has exited (still unreaped), 0 not yet,
 * -1 the helper is gone. */
int lrs_forksrv_exited(lrs_forksrv_t *fs);

/* After the run's group is killed: has the helper reap the run, *status its
 * wait status.  0, or -1 when the helper is gone. */
int lrs_forksrv_reap(lrs_forksrv_t *fs, int *status);

#endif
