/* store_prune.c — schema 006 reads of store.h: the pruning decisions a
 * sweep recorded, read back on resume so that a restarted coordinator
 * answers every rung as before. */
#include "coordinator/store.h"

#include <sqlite3.h>

int lrs_store_each_rung(lrs_store_t *s, int64_t sweep_id,
                        void (*fn)(void *ctx, const lrs_store_rung_t *row), void *ctx,
                        lrs_err_t *err)
{
    sqlite3 *db = lrs_store_db(s);
    sqlite3_stmt *st = NULL;
    int rc = -1, step;
    if (sqlite3_prepare_v2(db,
                           "SELECT trial, rung, epoch, value, best, decision, threshold, rule"
                           " FROM trial_rungs WHERE sweep_id = ?1 ORDER BY trial, rung",
                           -1, &st, NULL) != SQLITE_OK)
        goto fail;
    sqlite3_bind_int64(st, 1, sweep_id);
    while ((step = sqlite3_step(st)) == SQLITE_ROW) {
        const unsigned char *decision = sqlite3_column_text(st, 5);
        lrs_store_rung_t row = {
            .sweep_id = sweep_id,
            .trial = sqlite3_column_int64(st, 0),
            .rung = sqlite3_column_int(st, 1),
            .epoch = sqlite3_column_int(st, 2),
            .value = lrs_store_column_real(st, 3),
            .best = lrs_store_column_real(st, 4),
            .prune = decision && decision[0] == 'p',
            .threshold = lrs_store_column_real(st, 6),
            .rule = (const char *)sqlite3_column_text(st, 7),
        };
        fn(ctx, &row);
    }
    if (step != SQLITE_DONE)
        goto fail;
    rc = 0;
    goto done;
fail:
    lrs_err_set(err, LRS_EXIT_RUNTIME, "reading pruning decisions: %s", sqlite3_errmsg(db));
done:
    sqlite3_finalize(st);
    return rc;
}
