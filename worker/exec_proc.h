/* exec_proc.h — one run of a user's command as a process.
 *
 * The command is forked into a new process group (its leader is the
 * command; stdin is /dev/null, stdout and stderr are pipes read as they
 * come) with a watchdog that kills the group should the worker die.  On
 * timeout or cancel the group gets SIGTERM, then SIGKILL after the kill
 * grace; when the leader ends, whatever it left in its group is killed.
 * With a preload helper the helper forks the run instead (its pid is still
 * the group's and stays unreaped until the end), and everything else is the
 * same.  With a memory limit the group's resident memory (the sum of its
 * processes' RSS, read from /proc every MEMORY_CHECK_MS) is watched and the
 * group killed (SIGKILL) once it passes the limit.  Everything read goes to
 * the caller's sink; what the process did comes
 * back as an outcome.  What the output means is not this file's business
 * (exec_output.c), nor is what the outcome means for the trial (exec.c).
 */
#ifndef LRS_EXEC_PROC_H
#define LRS_EXEC_PROC_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "common/command.h"
#include "common/pycmd.h"
#include "common/err.h"

/* How one run ended. */
typedef struct lrs_exec_outcome {
    int exec_stage;          /* 0 ran; 1 chdir failed; 2 execve failed */
    int exec_errno;
    int timed_out, cancelled;
    int stopped;             /* killed because *stop was set (pruned) */
    int exit_status;         /* -1 when not exited */
    int term_signal;
    int helper_gone;         /* the preload helper was gone before the run started: nothing ran */
    int helper_lost;         /* it died while the run ran: how the run ended is unknown */
    int memory_exceeded;     /* killed: its group's RSS passed spec->memory_limit */
    uint64_t memory_peak;    /* the largest group RSS seen (bytes; with a memory limit) */
} lrs_exec_outcome_t;

/* What a run needs from its caller. */
typedef struct lrs_exec_runner {
    const lrs_exec_spec_t *spec;   /* workdir, timeout_s, kill_grace_s */
    const atomic_int *cancel;      /* NULL, or polled at least every 50 ms: non-zero kills */
    const atomic_int *stop;        /* the same, for a trial pruned at a rung (o->stopped) */
    /* every chunk read, on the caller's thread; stream 1 stdout, 2 stderr */
    void (*sink)(void *ctx, int stream, const char *data, size_t len);
    void *ctx;
    /* NULL, or the preload helper (worker/forksrv.h) that forks the run:
     * argv (argc words) then reads as py says. */
    struct lrs_forksrv *fs;
    const lrs_pycmd_t *py;
    int argc;
} lrs_exec_runner_t;

/* Runs the program at path (argv, envp as for execve) once, in a->spec's
 * workdir, until it has exited and its pipes are closed or given up on;
 * fills *o (a failed chdir or exec is an outcome, not an error).  -1 with
 * err (runtime) only when the process could not be started or watched. */
int lrs_exec_run_once(const lrs_exec_runner_t *a, const char *path, char *const argv[],
                      char *const envp[], lrs_exec_outcome_t *o, lrs_err_t *err);

#endif
