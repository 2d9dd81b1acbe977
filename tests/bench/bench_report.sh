#!/usr/bin/env bash
# bench_report.sh — how long `lrsweep report` takes, and how large its page
# is, for a sweep of N trials with E-epoch curves (default 100,000 × 100, the
# scale issue 14 asks for: under 20 MB, under 5 s).  Builds the database with
# tests/integration/make_big_db.sh (about 40 s for the default), then times
# three reports and prints the best and the size.
#   tests/bench/bench_report.sh build/lrsweep [N] [E]
set -euo pipefail
LRSWEEP=$(realpath "${1:?usage: bench_report.sh LRSWEEP [TRIALS] [EPOCHS]}")
N=${2:-100000}
E=${3:-100}
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../integration/make_big_db.sh"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
make_big_db "$LRSWEEP" "$TMP" "$N" "$E"
best=
for _ in 1 2 3; do
    start=$(date +%s.%N)
    "$LRSWEEP" report --db "$TMP/big.db" -o "$TMP/big.html"
    end=$(date +%s.%N)
    t=$(echo "$end - $start" | bc)
    if [ -z "$best" ] || [ "$(echo "$t < $best" | bc)" = 1 ]; then best=$t; fi
done
printf 'report: %d trials x %d epochs: %.2f s (best of 3), %d bytes\n' "$N" "$E" "$best" \
    "$(stat -c %s "$TMP/big.html")"
