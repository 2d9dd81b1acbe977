#!/usr/bin/env bash
# test_demo.sh — examples/demo.sh (what `make demo` runs) shows the best
# configs exactly once: `run` ends with them, the script adds only the
# per-scheduler summary.  A second run resumes and still shows them once.
#
# usage: bash test_demo.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
for round in 1 2; do
    LRSWEEP_DEMO_DB=$TMP/demo.db bash "$ROOT/examples/demo.sh" "$LRSWEEP" >"$TMP/out$round" \
        2>"$TMP/err$round" || fail "demo.sh round $round failed: $(tail -5 "$TMP/err$round")"
    check
    n=$(grep -c "^rank " "$TMP/out$round" || true)
    [ "$n" = 1 ] || fail "round $round: the best table is shown $n times, expected once"
    grep -q "^== by scheduler" "$TMP/out$round" || fail "round $round: no per-scheduler summary"
done
summary
