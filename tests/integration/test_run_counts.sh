#!/usr/bin/env bash
# test_run_counts.sh — the progress line counts what the database holds: a
# resume, and an extension to a larger `trials:`, show every diverged and
# failed trial already stored (not only those this coordinator recorded).
#
# usage: bash test_run_counts.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
DB=$TMP/c.db
sed 's/^trials: 500$/trials: 200/' "$ROOT/examples/wine-lr.yaml" >"$TMP/small.yaml"
grep -q '^trials: 200$' "$TMP/small.yaml" || fail "examples/wine-lr.yaml has no 'trials: 500' line"
# the same sweep: its data beside the spec (a relative path)
cp "$ROOT/examples/wine.csv" "$TMP/"
for spec in "$TMP/small.yaml" "$TMP/small.yaml" "$ROOT/examples/wine-lr.yaml"; do
    run run "$spec" --db "$DB" --workers 2
    check
    [ "$rc" -eq 0 ] || { fail "run $spec exited $rc: $(tail -3 "$TMP/err")"; continue; }
    last=$(grep ' done  running ' "$TMP/err" | tail -1)
    stored_div=$(sqlite3 "$DB" "SELECT count(*) FROM trials WHERE status = 'diverged'")
    stored_fail=$(sqlite3 "$DB" "SELECT count(*) FROM trials WHERE status = 'failed'")
    check
    case $last in
    *" failed $stored_fail  diverged $stored_div "*) ;;
    *) fail "$spec: progress '$last', database: failed $stored_fail diverged $stored_div" ;;
    esac
done
check
[ "$(sqlite3 "$DB" "SELECT count(*) FROM trials WHERE status = 'diverged'")" -gt 0 ] \
    || fail "no diverged trial stored: the check above proves nothing"
summary
