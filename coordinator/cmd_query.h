/* cmd_query.h — the best-trials table of the read commands, for `run`'s
 * closing report (coordinator/cmd_run.c), so both print it one way.  The
 * commands themselves (`sweeps`, `status`, `best`, `summary`, `export`) are
 * declared with the others in common/cli.h. */
#ifndef LRS_CMD_QUERY_H
#define LRS_CMD_QUERY_H

#include <stdio.h>

#include "common/err.h"

/* Prints the top complete trials of sweep (NULL: the most recent sweep) in
 * the database db_path to out as `lrsweep best` does: an aligned table,
 * "(no complete trial yet)" when there is none.  Returns 0, or -1 with err
 * (the database cannot be read, or has no such sweep). */
int lrs_best_print(const char *db_path, const char *sweep, int top, FILE *out, lrs_err_t *err);

#endif
