#!/usr/bin/env bash
# test_trial_paths.sh — one trial path: a config scores the same bits however
# it is run.
#
# For every cell of model (linear, logistic, mlp) × label kind (numeric
# class labels 0/1/2 as the data gives them and with `task: classification`,
# string labels, a real-valued target) × objective
# (val_loss, accuracy) × validation (holdout, 3-fold), a small sweep runs with
# `lrsweep run`; then `lrsweep train --spec S --trial I --json` runs each of
# its trials again.  Where the sweep ran, every trial's status and score
# equal the stored ones exactly (compared as doubles).  Where it refused,
# `run` exits 2 and leaves no database, and `train --spec` and `validate`
# refuse with the same message.  The cell counts are checked too, so the
# matrix cannot pass by refusing everything.  VERBOSE=1 lists each refusal.
. "$(dirname "$0")/lib.sh"

"$PY" - "$TMP" <<'PY'
import random, sys
rng = random.Random(5)
rows = []
for i in range(45):
    x = [rng.gauss(0, 1) for _ in range(3)]
    k = i % 3
    x[0] += 1.5 * k
    rows.append((x, k, 0.7 * x[0] - 0.3 * x[1] + 0.1 * rng.gauss(0, 1)))
def write(name, label):
    with open("%s/%s.csv" % (sys.argv[1], name), "w") as f:
        f.write("f1,f2,f3,y\n")
        for x, k, r in rows:
            f.write("%.6f,%.6f,%.6f,%s\n" % (x[0], x[1], x[2], label(k, r)))
write("num", lambda k, r: str(k))
write("str", lambda k, r: "abc"[k])
write("reg", lambda k, r: "%.6f" % r)
PY

# spec MODEL LABEL METRIC FOLDS : writes $TMP/spec.yaml for one cell.
spec() {
    local model=$1 label=$2 metric=$3 folds=$4 goal=minimize
    [ "$metric" = accuracy ] && goal=maximize
    case $model in
        mlp) model="{type: mlp, hidden: [4]}" ;;
        *) model="{type: $model}" ;;
    esac
    local train="{folds: 3}"
    [ "$folds" = 1 ] && train="{folds: 1, holdout: 0.3}"
    local data="{path: $label.csv, target: y}"
    [ "$label" = numc ] && data="{path: num.csv, target: y, task: classification}"
    cat >"$TMP/spec.yaml" <<YAML
name: cell
seed: 11
trials: 3
objective: {metric: $metric, goal: $goal}
data: $data
model: $model
train: $train
search:
  lr: {log_uniform: [0.01, 0.5]}
  optimizer: {sgd: {momentum: {uniform: [0.0, 0.9]}}, adam: {}}
  epochs: 4
  batch_size: {values: [0, 8]}
YAML
}

# message FILE PREFIX : the last line of FILE without "lrsweep CMD: ".
message() { tail -n 1 "$1" | sed "s/^lrsweep $2: //"; }

# run_cell NAME : runs $TMP/spec.yaml both ways and compares (see above).
run_cell() {
    local cell=$1
    rm -f "$TMP/cell.db"
    check
    "$LRSWEEP" run "$TMP/spec.yaml" --db "$TMP/cell.db" --workers 1 --quiet \
        >"$TMP/run.out" 2>"$TMP/run.err"
    run_rc=$?
    if [ $run_rc -eq 0 ]; then
        ran=$((ran + 1))
        "$LRSWEEP" export --db "$TMP/cell.db" --format jsonl >"$TMP/stored.jsonl" ||
            fail "$cell: export failed"
        : >"$TMP/again.jsonl"
        for i in 0 1 2; do
            if ! "$LRSWEEP" train --spec "$TMP/spec.yaml" --trial $i --json \
                    >>"$TMP/again.jsonl" 2>"$TMP/train.err"; then
                fail "$cell: train --spec --trial $i failed: $(cat "$TMP/train.err")"
            fi
        done
        "$PY" - "$TMP/stored.jsonl" "$TMP/again.jsonl" >"$TMP/cmp" 2>&1 <<'PY' ||
import json, math, sys
stored = sorted((json.loads(l) for l in open(sys.argv[1])), key=lambda r: r["trial"])
again = [json.loads(l) for l in open(sys.argv[2])]
assert len(stored) == 3 and len(again) == 3, (len(stored), len(again))
for s, t in zip(stored, again):
    assert s["status"] == t["status"], (s["trial"], s["status"], t["status"])
    a, b = s["score"], t["score"]
    same = (a is None and b is None) or (a is not None and b is not None and float(a) == float(b))
    assert same, "trial %d: stored %r, train --spec %r" % (s["trial"], a, b)
    assert s["status"] != "complete" or a is not None, s
PY
            fail "$cell: scores differ: $(cat "$TMP/cmp")"
    else
        refused=$((refused + 1))
        [ -n "${VERBOSE:-}" ] && echo "refused $cell: $(message "$TMP/run.err" run)"
        [ $run_rc -eq 2 ] || fail "$cell: run exited $run_rc, want 0 or 2: $(cat "$TMP/run.err")"
        [ ! -e "$TMP/cell.db" ] || fail "$cell: a refused run left a database behind"
        want=$(message "$TMP/run.err" run)
        "$LRSWEEP" train --spec "$TMP/spec.yaml" --trial 0 --json >/dev/null 2>"$TMP/train.err"
        train_rc=$?
        got=$(message "$TMP/train.err" train)
        [ $train_rc -eq 2 ] && [ "$got" = "$want" ] ||
            fail "$cell: run refused with '$want', train --spec exited $train_rc with '$got'"
        "$LRSWEEP" validate "$TMP/spec.yaml" >/dev/null 2>"$TMP/validate.err"
        val_rc=$?
        got=$(message "$TMP/validate.err" validate)
        [ $val_rc -eq 2 ] && [ "$got" = "$want" ] ||
            fail "$cell: run refused with '$want', validate exited $val_rc with '$got'"
    fi
}

ran=0 refused=0
for model in linear logistic mlp; do
  for label in num numc str reg; do
    for metric in val_loss accuracy; do
      for folds in 1 3; do
        spec "$model" "$label" "$metric" "$folds"
        run_cell "$model/$label/$metric/folds=$folds"
      done
    done
  done
done

# Model type synthetic needs no data: a spec that names some anyway runs
# (workers are sent none) and scores the same on both paths.
spec linear num val_loss 3
sed -i 's/^model: .*/model: {type: synthetic}/' "$TMP/spec.yaml"
run_cell "synthetic with a data file"
[ $ran -eq 31 ] || fail "synthetic with a data file: the sweep did not run"

# A user's command: the worker and `train --spec` turn the runner's record
# into the trial's outcome by one mapping (lrs_exec_outcome), so status and
# score agree there too — complete trials score their reported value, the
# ones whose command exits 3 after reporting one are failed with none.
cat >"$TMP/spec.yaml" <<'YAML'
name: cmdcell
seed: 11
trials: 3
command: "echo epoch=1 val_loss={lr}; awk 'BEGIN { exit ({lr} > 0.07) ? 3 : 0 }'"
shell: true
metric: {name: val_loss, goal: minimize}
search:
  lr: {log_uniform: [0.01, 0.5]}
YAML
run_cell "a user's command"
check
[ $ran -eq 32 ] || fail "a user's command: the sweep did not run"
r=$(grep -c '"status":"failed"' "$TMP/stored.jsonl")
[ "$r" -ge 1 ] && [ "$r" -le 2 ] || fail "a user's command: want complete and failed trials, got $(cat "$TMP/stored.jsonl")"

# Both kinds of cell occur: linear on string labels and accuracy on a
# regression target are refused, the rest of the matrix trains.
check
if [ $ran -lt 20 ] || [ $refused -lt 12 ]; then
    fail "matrix: $ran cells ran and $refused were refused; want at least 20 and 12"
fi
echo "$TEST_NAME: $ran cells ran, $refused refused"
summary
