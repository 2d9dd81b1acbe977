#!/bin/bash
# test_lrfind.sh — `lrsweep lrfind` on examples/wine-lr.yaml: exit codes, the
# curve as CSV and JSON, a suggestion inside [start, end], the snippet, and
# clear errors for bad options (exit 2).
. "$(dirname "$0")/lib.sh"
SPEC=$(cd "$(dirname "$0")/../../examples" && pwd)/wine-lr.yaml
cd "$TMP" || exit 1

check
run lrfind "$SPEC" --iters 60 --out curve.csv --snippet
[ $rc -eq 0 ] || fail "lrfind exited $rc: $(cat "$TMP/err")"
[ "$(head -1 curve.csv)" = "step,lr,loss,smoothed" ] || fail "curve.csv header: $(head -1 curve.csv)"
n=$(($(wc -l <curve.csv) - 1))
[ "$n" -ge 2 ] && [ "$n" -le 60 ] || fail "curve.csv has $n steps, want 2..60"
grep -q '^search: {lr: {log_uniform: \[' "$TMP/out" || fail "no snippet: $(cat "$TMP/out")"

check
run lrfind "$SPEC" --iters 60 --start 1e-5 --end 1 --json --out curve.json --format json optimizer=adam
[ $rc -eq 0 ] || fail "lrfind --json exited $rc: $(cat "$TMP/err")"
$PY - "$TMP/out" curve.json <<'PYEOF' || fail "JSON output out of shape: $(cat "$TMP/out")"
import json, sys
r = json.load(open(sys.argv[1]))
c = json.load(open(sys.argv[2]))
assert r["steps"] == len(c) >= 2, (r["steps"], len(c))
for k in ("steep", "min_tenth", "lr_min"):
    assert 1e-5 / 10 <= r[k] <= 1, (k, r[k])
assert 1e-5 <= r["steep"] <= 1 and 1e-5 <= r["lr_min"] <= 1
assert all(set(p) == {"step", "lr", "loss", "smoothed"} for p in c)
assert all(a["lr"] < b["lr"] for a, b in zip(c, c[1:]))
PYEOF

expect_status lrfind usage 2 "0 < start < end" "$SPEC" --start 1 --end 0.1
expect_status lrfind usage 2 "--iters" "$SPEC" --iters 1
expect_status lrfind usage 2 "--iters" "$SPEC" --iters 2.0
expect_status lrfind usage 2 "--seed" "$SPEC" --seed 1e3
expect_status lrfind usage 2 "--seed" "$SPEC" --seed -1
expect_status lrfind usage 2 "--beta" "$SPEC" --beta 1
expect_status lrfind usage 2 "--diverge" "$SPEC" --diverge 0.5
expect_status lrfind usage 2 "--format" "$SPEC" --format xml
expect_status lrfind usage 2 "expected a number" "$SPEC" --start abc
expect_status lrfind usage 2 "usage: lrsweep lrfind" --iters 10
expect_status lrfind usage 2 "nosuchparam" "$SPEC" nosuchparam=1
expect_status lrfind usage 2 "missing.yaml" missing.yaml

check
run lrfind --help
[ $rc -eq 0 ] && grep -qF -- "--diverge F" "$TMP/out" || fail "lrfind --help: $rc"
summary
