/* cli.h — the subcommands of the lrsweep binary.
 *
 * Each command is `int lrs_cmd_NAME(int argc, char **argv)` with argv[0] the
 * command name; it returns the process exit status (err.h: 0, 1, 2, 130) and
 * prints its own --help.  cli/main.c holds the table that dispatches them.
 */
#ifndef LRS_CLI_H
#define LRS_CLI_H

#include <signal.h>
#include <stdatomic.h>

#include "common/err.h"
#include "common/spec.h"

typedef int (*lrs_cmd_fn)(int argc, char **argv);

typedef struct lrs_command {
    const char *name;
    lrs_cmd_fn fn;
    const char *summary;   /* one line for `lrsweep --help` */
} lrs_command_t;

/* One line per command; add yours next to its entry in main.c's table. */
int lrs_cmd_params(int argc, char **argv);
int lrs_cmd_keygen(int argc, char **argv);
int lrs_cmd_validate(int argc, char **argv);
int lrs_cmd_sample(int argc, char **argv);
int lrs_cmd_train(int argc, char **argv);
int lrs_cmd_lrfind(int argc, char **argv);
int lrs_cmd_schedule(int argc, char **argv);
int lrs_cmd_run(int argc, char **argv);
int lrs_cmd_coordinator(int argc, char **argv);
int lrs_cmd_confirm(int argc, char **argv);
int lrs_cmd_worker(int argc, char **argv);
int lrs_cmd_sweeps(int argc, char **argv);
int lrs_cmd_status(int argc, char **argv);
int lrs_cmd_best(int argc, char **argv);
int lrs_cmd_summary(int argc, char **argv);
int lrs_cmd_export(int argc, char **argv);
int lrs_cmd_report(int argc, char **argv);
int lrs_cmd_serve(int argc, char **argv);
int lrs_cmd_stop(int argc, char **argv);

/* The integer value of option name (e.g. "--jobs") of command cmd, in
 * lo..hi: 0 with *out set, or -1 after "lrsweep CMD: NAME: expected an
 * integer in LO..HI, got 'TEXT'" on stderr. */
int lrs_cli_int_option(const char *cmd, const char *name, const char *text, long lo, long hi,
                       int *out);

/* Flushes stdout and reports a failed write (e.g. a full disk or closed
 * pipe) on stderr; returns status unchanged on success, 1 on a failed write. */
int lrs_cli_finish(int status);

/* Prints "lrsweep CMD: MESSAGE" on stderr for a failed command, the message
 * escaped (common/textesc.h): it may quote a spec, a database, a data file
 * or what a coordinator or worker sent. */
void lrs_cli_report(const char *cmd, const lrs_err_t *err);

/* Loads the sweep spec at path for command cmd, the one way every command
 * does: each error in the spec is listed on stderr as file:line:col: …, and
 * an error reading the file as "lrsweep CMD: …".  Returns 0 with *out set,
 * or the exit status (2 bad spec, 1 I/O). */
int lrs_cli_load_spec(const char *cmd, const char *path, lrs_spec_t **out);

/* Counts SIGINT/SIGTERM from now on (up to 2: the first asks for a drain, the
 * second for a stop) and ignores SIGPIPE, so a closed peer or pipe is an
 * error return rather than a death.  Returns the count, for the
 * `interrupts` field of the broker's and the agent's options and the
 * command runner's `cancel` hook.  The one signal handler of lrsweep. */
const atomic_int *lrs_cli_catch_interrupts(void);

/* Counts SIGHUP instead of dying of it (the coordinator reloads its allow
 * list when the count changes).  Returns the count. */
const atomic_int *lrs_cli_catch_hangups(void);

/* `lrsweep stop` asks a coordinator to end its sweep with a signal:
 * SIGUSR1 let running trials finish, SIGUSR2 cancel them.  From now on the
 * value is 0 (no request), LRS_STOP_FINISH or LRS_STOP_CANCEL (the
 * strongest asked for). */
enum { LRS_STOP_FINISH = 1, LRS_STOP_CANCEL = 2 };
#define LRS_STOP_SIGNAL_FINISH SIGUSR1
#define LRS_STOP_SIGNAL_CANCEL SIGUSR2
const atomic_int *lrs_cli_catch_stops(void);

#endif
