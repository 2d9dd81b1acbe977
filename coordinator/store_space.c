/* store_space.c — schema 009's write of store.h: a sweep's search space as
 * JSON (sweeps.space), the one writer of the column.  Written once: a row
 * that has it keeps it, as the space of a sweep never changes (a resume
 * with another space is refused before this). */
#include "coordinator/store.h"

int lrs_store_sweep_set_space(lrs_store_t *s, int64_t sweep_id, const char *space_json,
                              lrs_err_t *err)
{
    static const char what[] = "recording the sweep's search space";
    sqlite3_stmt *st = lrs_store_one_off(
        s, "UPDATE sweeps SET space = ?2 WHERE id = ?1 AND space IS NULL", what, err);
    if (!st)
        return -1;
    sqlite3_bind_int64(st, 1, sweep_id);
    sqlite3_bind_text(st, 2, space_json, -1, SQLITE_STATIC);
    return lrs_store_one_off_run(s, st, what, err);
}
