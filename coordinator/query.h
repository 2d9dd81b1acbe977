/* query.h — the read side of the results database, shared by the read
 * commands (coordinator/cmd_query.c) and by `run`'s closing report. */
#ifndef LRS_QUERY_H
#define LRS_QUERY_H

#include <stdio.h>

#include "common/err.h"

/* Prints the top trials of sweep (NULL: the most recent sweep) in db_path as
 * an aligned table, or as JSON Lines when json.  Returns 0 or -1 with err. */
int lrs_query_best(const char *db_path, const char *sweep, int top, int json, FILE *out,
                   lrs_err_t *err);

#endif
