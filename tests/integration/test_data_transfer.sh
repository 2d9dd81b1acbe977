#!/usr/bin/env bash
# test_data_transfer.sh — the data set travels as its binary form, in
# chunks, and trains on the same bits as the file.
#
# - Sweeps of the wine example (classification) and the diabetes data
#   (regression) store, for every trial, exactly the score `lrsweep train
#   --spec SPEC --trial I` computes from the CSV itself.
# - A data set of about 200 MB as float64 (500,000 rows × 50 columns,
#   written here) sweeps with 250 ms heartbeats (a peer silent for 1 s is
#   gone: liveness 4, so a sanitizer build on a loaded CI machine has
#   room) and two local workers: both
#   fetch it in 1 MiB chunks while heartbeats flow, so the log has no
#   "stopped heartbeating", no "no word from" and no reconnect, and the
#   scores are again `train --spec`'s.  The time from the start to the last
#   worker joining is printed.
#
# usage: bash test_data_transfer.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
cp "$EXAMPLES/wine.csv" "$EXAMPLES/diabetes.csv" .

# spec NAME DATA TARGET MODEL TRIALS EPOCHS : a small built-in sweep.
spec() {
    cat >"$1.yaml" <<YAML
name: $1
seed: 11
trials: $5
data: {path: $2, target: $3}
model: $4
train: {folds: 2}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1]}
  epochs: $6
  optimizer:
    sgd: {momentum: {uniform: [0.0, 0.9]}}
    adam: {}
YAML
}

# same_as_train SPEC DB TRIALS : every stored score is train --spec's, exactly.
same_as_train() {
    local t got want
    for t in $(seq 0 $(($3 - 1))); do
        check
        got=$("$PY" -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT score FROM trials WHERE trial = ?", (int(sys.argv[2]),)).fetchone()
print(repr(r[0]) if r else "none")' "$2" "$t")
        want=$("$LRSWEEP" train --spec "$1" --trial "$t" --json 2>/dev/null |
            "$PY" -c 'import json, sys; print(repr(json.load(sys.stdin)["score"]))')
        [ -n "$want" ] && [ "$got" = "$want" ] || fail "$1 trial $t: stored $got, train --spec $want"
    done
}

spec wine wine.csv cultivar "{type: mlp, hidden: [8]}" 4 20
spec diabetes diabetes.csv progression "{type: linear}" 4 20
for s in wine diabetes; do
    check
    "$LRSWEEP" run "$s.yaml" --db "$s.db" --workers 2 --quiet >"$s.out" 2>"$s.err" ||
        fail "run $s exited $?: $(tail -3 "$s.err")"
    same_as_train "$s.yaml" "$s.db" 4
done

# About 200 MB as float64: 500,000 rows of 49 features and a target, a
# block of 1,000 distinct rows written 500 times.
"$PY" - <<'PY'
import random
random.seed(5)
rows = []
for i in range(1000):
    x = [random.gauss(0, 1) for _ in range(49)]
    y = sum(v * (k % 7 - 3) for k, v in enumerate(x)) / 10 + random.gauss(0, 0.1)
    rows.append(",".join("%.4f" % v for v in x) + ",%.4f\n" % y)
block = "".join(rows)
with open("big.csv", "w") as f:
    f.write(",".join("f%d" % k for k in range(49)) + ",y\n")
    for _ in range(500):
        f.write(block)
PY
spec big big.csv y "{type: linear}" 2 1
check
"$LRSWEEP" validate big.yaml >big.val 2>&1 || fail "validate big.yaml: $(cat big.val)"
grep -q "^data: 500000 rows, 49 features, target y (regression), 190.7 MiB as float64$" big.val ||
    fail "validate big.yaml describes $(cat big.val)"
start=$(date +%s.%N)
check
"$LRSWEEP" run big.yaml --db big.db --workers 2 --heartbeat-ms 250 --liveness 4 \
    >big.out 2>big.err
rc=$?
end=$(date +%s.%N)
[ $rc -eq 0 ] || fail "run big.yaml exited $rc: $(tail -5 big.err)"
check
if grep -E "stopped heartbeating|no word from|reconnect|say HELLO first|dropped" big.err; then
    fail "a false death or a reconnect while 190 MiB travelled (above)"
fi
check
[ "$(grep -c "joined sweep 'big'" big.err)" -eq 2 ] ||
    fail "want both workers to join: $(grep -c "joined sweep" big.err) did; $(tail -5 big.err)"
check
[ "$(sqlite3 -cmd ".timeout 3000" big.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'")" = 2 ] ||
    fail "big: not every trial complete: $(sqlite3 big.db "SELECT trial, status, error FROM trials")"
same_as_train big.yaml big.db 2
echo "200 MB sweep (parse, 2 transfers, 2 trials) took $(echo "$end - $start" | bc) s"

summary
