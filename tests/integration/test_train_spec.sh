#!/usr/bin/env bash
# test_train_spec.sh — `lrsweep train --spec` on built-in specs: `--trial I`
# runs exactly the trial `lrsweep sample` prints (params and training seed)
# and gives the JSON of a plain `lrsweep train` with those words and --seed;
# PARAM=VALUE words start from the spec's fixed values; an accuracy objective
# scores by accuracy; the synthetic model; conflicting options and bad
# specs exit 2 with a message naming the culprit.
#
# usage: bash test_train_spec.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

# expect_exit CODE PATTERN ARGS... : runs train ARGS, checks the exit status,
# that stderr contains PATTERN (a fixed string) and that stdout is empty.
expect_exit() { expect_status train empty "$@"; }

# same_json A B : the two JSON results are equal apart from "seconds".
same_json() {
    checks=$((checks + 1))
    python3 - "$1" "$2" <<'EOF' || fail "$3"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
a.pop("seconds"); b.pop("seconds")
if a != b:
    print("  first: ", json.dumps(a)[:400]); print("  second:", json.dumps(b)[:400])
    sys.exit(1)
EOF
}

# A small regression problem: y = 2a - b + noise.
python3 - "$TMP/reg.csv" <<'EOF'
import random, sys
random.seed(5)
with open(sys.argv[1], "w") as f:
    f.write("a,b,y\n")
    for _ in range(48):
        a, b = random.uniform(-1, 1), random.uniform(-1, 1)
        f.write("%.6f,%.6f,%.6f\n" % (a, b, 2 * a - b + random.gauss(0, 0.1)))
EOF

cat >"$TMP/reg.yaml" <<'YAML'
name: reg
seed: 11
trials: 20
data: {path: reg.csv, target: y, task: regression}
model: {type: mlp, hidden: [4], activation: tanh}
train: {folds: 3, shuffle: true, standardize: true}
search:
  lr: {log_uniform: [1.0e-3, 0.3]}
  epochs: 8
  batch_size: {values: [8, 16]}
  optimizer:
    sgd: {momentum: {uniform: [0.0, 0.9]}, nesterov: {values: [false, true]}}
    adam: {beta2: 0.99}
  scheduler:
    constant: {}
    step: {step_size: {int_uniform: [2, 4]}, gamma: 0.5}
    multistep: {milestones: {values: [[2, 5], [3, 6]]}}
    cosine: {eta_min: 0.0}
YAML
# The spec's settings as plain train's options; a spec (current rules)
# standardizes its one regression target, plain train only when told.
ENGINE=(--data "$TMP/reg.csv" --target y --task regression --model mlp --hidden 4 --activation tanh
        --folds 3 --standardize-target)

# --help documents --spec and --trial.
checks=$((checks + 1))
"$LRSWEEP" train --help >"$TMP/help" 2>&1 || fail "--help exited non-zero"
for word in "--spec SPEC" "--trial I" "command:" "130"; do
    grep -qF -- "$word" "$TMP/help" || fail "--help does not mention '$word'"
done

# --trial I: the params and seed of `lrsweep sample`, the result of a plain
# `lrsweep train` with those words and --seed.
"$LRSWEEP" sample "$TMP/reg.yaml" -n 6 >"$TMP/sample.jsonl" || fail "sample exited $?"
for i in 0 1 2 3 4 5; do
    checks=$((checks + 1))
    "$LRSWEEP" train --spec "$TMP/reg.yaml" --trial "$i" --json >"$TMP/t$i.json" 2>"$TMP/t$i.err" ||
        { fail "train --spec --trial $i exited $?: $(cat "$TMP/t$i.err")"; continue; }
    # stderr names the trial: the same params and seed as sample's line i.
    sed -n "$((i + 1))p" "$TMP/sample.jsonl" >"$TMP/line$i"
    python3 - "$TMP/line$i" "$TMP/t$i.err" "$TMP/words$i" <<'EOF' || fail "trial $i: stderr does not match sample"
import json, re, sys
row = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
m = re.search(r"trial (\d+), seed (\d+): (\{.*\})", err)
assert m, err
assert int(m.group(1)) == row["trial"] and int(m.group(2)) == row["seed"], (m.groups(), row)
assert json.loads(m.group(3)) == row["params"], (m.group(3), row["params"])
def word(k, v):
    if isinstance(v, bool): return "%s=%s" % (k, "true" if v else "false")
    if isinstance(v, list): return "%s=%s" % (k, ",".join(map(str, v)))
    return "%s=%s" % (k, v if not isinstance(v, float) else repr(v))
with open(sys.argv[3], "w") as f:
    f.write("%d\n" % row["seed"])
    for k, v in row["params"].items():
        f.write(word(k, v) + "\n")
EOF
    mapfile -t words <"$TMP/words$i"
    "$LRSWEEP" train "${ENGINE[@]}" --seed "${words[0]}" --json "${words[@]:1}" >"$TMP/p$i.json" ||
        { fail "plain train for trial $i exited $?"; continue; }
    same_json "$TMP/t$i.json" "$TMP/p$i.json" "trial $i: train --spec --trial differs from train ${words[*]:1}"
done

# The trial's result is a real one (not an empty object that compares equal).
checks=$((checks + 1))
python3 - "$TMP/t0.json" <<'EOF' || fail "trial 0's JSON lacks the result keys"
import json, sys
d = json.load(open(sys.argv[1]))
assert set(d) == {"status", "score", "score_std", "diverged_epoch", "folds", "epochs", "repeats", "seconds"}, d.keys()
assert len(d["folds"]) == 3 and len(d["epochs"]) == 8
assert d["status"] != "complete" or d["score"] > 0
EOF

# --seed overrides the trial's seed.
"$LRSWEEP" train --spec "$TMP/reg.yaml" --trial 0 --seed 1 --json >"$TMP/seed1.json" 2>/dev/null
mapfile -t words <"$TMP/words0"
"$LRSWEEP" train "${ENGINE[@]}" --seed 1 --json "${words[@]:1}" >"$TMP/pseed1.json"
same_json "$TMP/seed1.json" "$TMP/pseed1.json" "--trial 0 --seed 1 differs from train --seed 1"

# PARAM=VALUE: the spec's fixed values (epochs 8; adam's beta2 0.99) with the
# words on top; seed --seed (default 0).
"$LRSWEEP" train --spec "$TMP/reg.yaml" --json optimizer=adam lr=0.05 batch_size=16 \
    >"$TMP/w1.json" 2>"$TMP/w1.err" || fail "train --spec with words exited $?: $(cat "$TMP/w1.err")"
"$LRSWEEP" train "${ENGINE[@]}" --json optimizer=adam lr=0.05 batch_size=16 epochs=8 beta2=0.99 \
    >"$TMP/pw1.json"
same_json "$TMP/w1.json" "$TMP/pw1.json" "words: fixed values + words differ from the explicit words"
checks=$((checks + 1))
grep -qF 'seed 0: {"lr": 0.05, "optimizer": "adam", "beta2": 0.99, "epochs": 8, "batch_size": 16}' "$TMP/w1.err" &&
    grep -qF "note: searched in the spec but not given" "$TMP/w1.err" && grep -qF " scheduler" "$TMP/w1.err" ||
    fail "words: stderr does not show the config and the searched defaults: $(cat "$TMP/w1.err")"
# A word overrides a fixed value; a branch's fixed value comes with its branch.
"$LRSWEEP" train --spec "$TMP/reg.yaml" --seed 4 --json epochs=3 scheduler=step step_size=2 lr=0.1 \
    >"$TMP/w2.json" 2>/dev/null || fail "override exited $?"
"$LRSWEEP" train "${ENGINE[@]}" --seed 4 --json epochs=3 scheduler=step step_size=2 gamma=0.5 lr=0.1 \
    >"$TMP/pw2.json"
same_json "$TMP/w2.json" "$TMP/pw2.json" "words: override of epochs / step's gamma differ"
checks=$((checks + 1))
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert len(d["epochs"]) == 3 and [e["lr"] for e in d["epochs"]] == [0.1, 0.1, 0.05], d["epochs"]' \
    "$TMP/w2.json" || fail "override: epochs=3 and step gamma 0.5 not applied"

# Human output is `lrsweep train`'s.
checks=$((checks + 1))
"$LRSWEEP" train --spec "$TMP/reg.yaml" --trial 2 >"$TMP/human" 2>/dev/null || fail "human output exited $?"
for word in "epoch" "train_loss" "val_loss" "status:" "score:" "fold" "time:"; do
    grep -qF -- "$word" "$TMP/human" || fail "human output lacks '$word'"
done

# Objective accuracy: the score is the mean fold accuracy, as a worker reports it.
small_cls_csv "$TMP/cls.csv"
cat >"$TMP/cls.yaml" <<'YAML'
name: cls
trials: 5
objective: {metric: accuracy}
data: {path: cls.csv, target: label}
model: {type: logistic}
train: {folds: 2}
search:
  lr: 0.5
  epochs: 30
YAML
"$LRSWEEP" train --spec "$TMP/cls.yaml" --json >"$TMP/acc.json" 2>/dev/null || fail "accuracy spec exited $?"
checks=$((checks + 1))
python3 - "$TMP/acc.json" <<'EOF' || fail "accuracy objective: score is not the mean fold accuracy"
import json, sys
d = json.load(open(sys.argv[1]))
acc = [f["accuracy"] for f in d["folds"]]
assert len(acc) == 2 and abs(d["score"] - sum(acc) / 2) < 1e-12, d
EOF
checks=$((checks + 1))
"$LRSWEEP" train --spec "$TMP/cls.yaml" 2>/dev/null | grep -qF "of the final accuracy over 2 folds" ||
    fail "accuracy objective: human output does not name accuracy"

# The synthetic model: the example's trial 3, deterministic, seed-dependent.
checks=$((checks + 1))
"$LRSWEEP" train --spec "$EXAMPLES/synthetic.yaml" --trial 3 >"$TMP/syn.txt" 2>"$TMP/syn.err" ||
    fail "synthetic --trial 3 exited $?: $(cat "$TMP/syn.err")"
grep -qF "status: complete" "$TMP/syn.txt" && grep -q "^score: " "$TMP/syn.txt" ||
    fail "synthetic human output: $(cat "$TMP/syn.txt")"
"$LRSWEEP" train --spec "$EXAMPLES/synthetic.yaml" --trial 3 --json >"$TMP/syn1.json" 2>/dev/null
"$LRSWEEP" train --spec "$EXAMPLES/synthetic.yaml" --trial 3 --json >"$TMP/syn2.json" 2>/dev/null
"$LRSWEEP" train --spec "$EXAMPLES/synthetic.yaml" --trial 3 --seed 9 --json >"$TMP/syn3.json" 2>/dev/null
same_json "$TMP/syn1.json" "$TMP/syn2.json" "synthetic trial 3 is not deterministic"
checks=$((checks + 1))
python3 - "$TMP/syn1.json" "$TMP/syn3.json" "$EXAMPLES/synthetic.yaml" <<'EOF' || fail "synthetic: result keys, epochs or seed"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a["status"] == "complete" and isinstance(a["score"], float), a
assert len(a["epochs"]) == 30 and a["folds"] == []
assert abs(a["epochs"][-1]["val_loss"] - a["score"]) < 1e-12
assert a["score"] != b["score"], "another seed gives the same score"
EOF

# Conflicts and bad input: exit 2, a message naming the culprit, nothing on stdout.
expect_exit 2 "--data does not combine with --spec" --spec "$TMP/reg.yaml" --data "$TMP/reg.csv" --target y
expect_exit 2 "--synthetic does not combine with --spec" --spec "$TMP/reg.yaml" --synthetic 10,2,1
expect_exit 2 "--model does not combine with --spec" --spec "$TMP/reg.yaml" --model linear
expect_exit 2 "--hidden does not combine with --spec" --spec "$TMP/reg.yaml" --hidden 3
expect_exit 2 "--folds does not combine with --spec" --spec "$TMP/reg.yaml" --folds 2
expect_exit 2 "--no-shuffle does not combine with --spec" --spec "$TMP/reg.yaml" --no-shuffle
expect_exit 2 "--init does not combine with --spec" --spec "$TMP/reg.yaml" --init x.json
expect_exit 2 "--no-standardize-target does not combine with --spec" --spec "$TMP/reg.yaml" \
    --no-standardize-target
expect_exit 2 "either --trial I or PARAM=VALUE" --spec "$TMP/reg.yaml" --trial 1 lr=0.1
expect_exit 2 "--trial needs --spec" --synthetic 10,2,1 --trial 1
expect_exit 2 "--trial: expected a trial number" --spec "$TMP/reg.yaml" --trial -1
expect_exit 2 "--trial: expected a trial number" --spec "$TMP/reg.yaml" --trial abc
expect_exit 2 "cannot open spec" --spec "$TMP/none.yaml"
expect_exit 2 "lr=-1" --spec "$TMP/reg.yaml" lr=-1
expect_exit 2 "momentum does not apply to optimizer adam" --spec "$TMP/reg.yaml" optimizer=adam momentum=0.5
expect_exit 2 "unexpected argument 'stray'" --spec "$TMP/reg.yaml" stray
printf 'name: bad\ntrials: 3\nmodel: {type: synthetic}\nsearch:\n  lr: {uniform: [0.5, 0.1]}\n' >"$TMP/bad.yaml"
expect_exit 2 "bad.yaml:5:" --spec "$TMP/bad.yaml" --trial 0
printf 'name: g\nsampler: grid\nmodel: {type: synthetic}\nsearch:\n  lr: {values: [0.1, 0.01]}\n' >"$TMP/grid.yaml"
expect_exit 2 "the grid has 2 trials" --spec "$TMP/grid.yaml" --trial 2
checks=$((checks + 1))
"$LRSWEEP" train --spec "$TMP/grid.yaml" --trial 1 --json 2>"$TMP/err" | grep -qF '"lr":0.01' ||
    fail "grid --trial 1 does not run lr 0.01: $(cat "$TMP/err")"

summary
