/* cmd_train_exec.h — one trial of a command spec for `lrsweep train --spec`.
 */
#ifndef LRS_CMD_TRAIN_EXEC_H
#define LRS_CMD_TRAIN_EXEC_H

#include <stdint.h>

#include "common/command.h"
#include "common/err.h"
#include "common/params.h"
#include "worker/exec.h"

/* Runs the user's command for trial (config cfg, training seed seed),
 * streaming its output (to stderr when json, so stdout stays the result),
 * Ctrl-C cancelling it, then prints the outcome (a table, or one JSON
 * object when json).  Returns the exit status (0, or 130 when cancelled),
 * or -1 with err when the command could not be attempted or the output not
 * written. */
int lrs_train_exec_trial(const lrs_exec_spec_t *ex, const lrs_trial_cfg_t *cfg, uint64_t trial,
                         uint64_t seed, int json, lrs_err_t *err);

#endif
