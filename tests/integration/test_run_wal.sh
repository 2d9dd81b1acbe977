#!/usr/bin/env bash
# test_run_wal.sh — a clean exit of `run` leaves no -wal / -shm beside the
# database (the writer closes last and checkpoints), `status` reads it while
# the sweep runs, and a resume that finds nothing to do leaves none either.
#
# usage: bash test_run_wal.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
DB=$TMP/w.db
"$LRSWEEP" run "$ROOT/examples/wine-lr.yaml" --db "$DB" --workers 2 >"$TMP/run.out" 2>"$TMP/run.err" &
pid=$!
read_ok=0
for _ in $(seq 1 200); do
    if [ -e "$DB-wal" ] && "$LRSWEEP" status --db "$DB" >"$TMP/status" 2>/dev/null; then
        read_ok=1
        break
    fi
    sleep 0.05
done
wait "$pid"
rc=$?
check
[ "$rc" -eq 0 ] || fail "run exited $rc: $(tail -3 "$TMP/run.err")"
check
[ "$read_ok" = 1 ] || fail "status could not read the database while the sweep ran"
for round in 1 2; do
    check
    [ ! -e "$DB-wal" ] && [ ! -e "$DB-shm" ] || fail "round $round: left $(ls "$DB"-* | tr '\n' ' ')"
    check
    [ "$(sqlite3 "$DB" "SELECT count(*) FROM trials WHERE status IS NOT NULL")" -gt 0 ] \
        || fail "round $round: no trials stored"
    [ "$round" = 1 ] && "$LRSWEEP" run "$ROOT/examples/wine-lr.yaml" --db "$DB" --workers 2 \
        >/dev/null 2>&1
done
summary
