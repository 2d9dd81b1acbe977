#!/usr/bin/env bash
# test_run_quiet.sh — `run` prints the best trials exactly once; `run --quiet`
# prints one line on stdout (sweep NAME: DONE/TOTAL trials, best METRIC SCORE
# (lr X, SCHEDULER)) and nothing on stderr: its local workers are quiet too.
#
# usage: bash test_run_quiet.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
sed 's/^trials: 500$/trials: 64/' "$ROOT/examples/wine-lr.yaml" >"$TMP/q.yaml"
cp "$ROOT/examples/wine.csv" "$TMP/"
run run "$TMP/q.yaml" --db "$TMP/a.db" --workers 2
check
[ "$rc" -eq 0 ] || fail "run exited $rc: $(tail -3 "$TMP/err")"
check
[ "$(grep -c '^rank ' "$TMP/out")" = 1 ] || fail "run: the best table is not shown once: $(cat "$TMP/out")"

run run "$TMP/q.yaml" --db "$TMP/b.db" --workers 2 --quiet
check
[ "$rc" -eq 0 ] || fail "run --quiet exited $rc: $(tail -3 "$TMP/err")"
check
[ ! -s "$TMP/err" ] || fail "run --quiet wrote on stderr: $(cat "$TMP/err")"
best=$(sqlite3 "$TMP/b.db" "SELECT printf('%.4f', min(score)) FROM trials WHERE status = 'complete'")
n=$(sqlite3 "$TMP/b.db" "SELECT count(*) FROM trials")
check
[ "$(wc -l <"$TMP/out")" = 1 ] || fail "run --quiet: not one line: $(cat "$TMP/out")"
line=$(cat "$TMP/out")
check
case $line in
"sweep wine-lr: $n/64 trials, best val_loss "*" (lr "*) ;;
*) fail "run --quiet: '$line' (database: $n trials)" ;;
esac
shown=$(printf '%s\n' "$line" | sed 's/.*best val_loss \([0-9.e+-]*\) .*/\1/')
check
[ "$(printf '%.4f' "$shown")" = "$best" ] || fail "run --quiet shows best $shown, database $best"
summary
