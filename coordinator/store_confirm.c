/* store_confirm.c — schema 007's reads of store.h for confirmation runs:
 * which search trials are the best, the ones `confirm:` re-runs. */
#include "coordinator/store.h"

#include <sqlite3.h>

#include "common/spec_confirm.h"

int lrs_store_top_search(lrs_store_t *s, int64_t sweep_id, int maximize, int k, uint64_t *out,
                         int *n, lrs_err_t *err)
{
    sqlite3 *db = lrs_store_db(s);
    sqlite3_stmt *st = NULL;
    int step;
    *n = 0;
    if (sqlite3_prepare_v2(db,
                           "SELECT trial FROM trials WHERE sweep_id = ?1 AND status = 'complete'"
                           " AND trial < ?4 ORDER BY CASE WHEN ?2 THEN -score ELSE score END,"
                           " trial LIMIT ?3",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_int(st, 2, maximize);
    sqlite3_bind_int(st, 3, k);
    sqlite3_bind_int64(st, 4, (int64_t)LRS_CONFIRM_BASE);
    while ((step = sqlite3_step(st)) == SQLITE_ROW && *n < k)
        out[(*n)++] = (uint64_t)sqlite3_column_int64(st, 0);
    if (step != SQLITE_DONE && step != SQLITE_ROW)
        goto fail;
    sqlite3_finalize(st);
    return 0;
fail:
    lrs_err_set(err, LRS_EXIT_RUNTIME, "reading the best trials to confirm: %s",
                sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return -1;
}
