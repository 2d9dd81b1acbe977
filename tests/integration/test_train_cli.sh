#!/usr/bin/env bash
# test_train_cli.sh — `lrsweep train` as a user runs it: --help, the keys and
# types of --json output (regression, classification, no validation,
# divergence), the human tables, determinism per seed, and exit status 2 with
# a message naming the culprit for every kind of bad input.
#
# usage: bash test_train_cli.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

# expect_exit CODE PATTERN ARGS... : runs train ARGS, checks the exit status and
# that stderr contains PATTERN (a fixed string).
expect_exit() { expect_status train any "$@"; }

# check_json FILE PYTHON-ASSERTIONS : runs the assertions with `d` = the object.
check_json() { json_assert "$1" "$2" "JSON check failed for $1: $2"; }

small_cls_csv "$TMP/cls.csv"

# --help documents every option and its default.
checks=$((checks + 1))
"$LRSWEEP" train --help >"$TMP/help" 2>&1 || fail "--help exited non-zero"
for word in --data --target --synthetic --task --model --hidden --activation --folds --holdout \
    --no-shuffle --seed --init --no-standardize --json "default 5" "lrsweep params"; do
    grep -qF -- "$word" "$TMP/help" || fail "--help does not mention '$word'"
done

# Regression on the synthetic problem: every key, per fold and per epoch.
"$LRSWEEP" train --synthetic 60,4,2 --folds 3 --json lr=0.05 epochs=12 >"$TMP/reg.json" ||
    fail "synthetic regression exited $?"
check_json "$TMP/reg.json" '
assert set(d) == {"status", "score", "score_std", "diverged_epoch", "folds", "epochs", "repeats", "seconds"}, d.keys()
assert d["status"] == "complete" and d["diverged_epoch"] is None
assert isinstance(d["score"], float) and d["score"] > 0 and d["score_std"] >= 0
assert [f["fold"] for f in d["folds"]] == [0, 1, 2]
for f in d["folds"]:
    assert set(f) == {"fold", "repeat", "train_loss", "val_loss"}, f
assert [e["epoch"] for e in d["epochs"]] == list(range(1, 13))
for e in d["epochs"]:
    assert set(e) == {"epoch", "repeat", "lr", "train_loss", "val_loss"}, e
    assert e["lr"] == 0.05 and e["val_loss"] > 0
assert abs(d["score"] - sum(f["val_loss"] for f in d["folds"]) / 3) < 1e-12 * d["score"]
assert d["epochs"][-1]["train_loss"] < d["epochs"][0]["train_loss"]
assert d["seconds"] >= 0
'

# The same seed gives the same trial; another seed another one.
"$LRSWEEP" train --synthetic 60,4,2 --folds 3 --json lr=0.05 epochs=12 >"$TMP/reg2.json"
"$LRSWEEP" train --synthetic 60,4,2 --folds 3 --seed 1 --json lr=0.05 epochs=12 >"$TMP/reg3.json"
checks=$((checks + 1))
python3 - "$TMP/reg.json" "$TMP/reg2.json" "$TMP/reg3.json" <<'EOF' || fail "seed determinism"
import json, sys
a, b, c = (json.load(open(p)) for p in sys.argv[1:])
for x in (a, b, c):
    del x["seconds"]
assert a == b, "same seed, different results"
assert a != c, "different seeds, same results"
EOF

# The hidden --repeat (benchmarks) reruns the same trial: same result.
"$LRSWEEP" train --synthetic 60,4,2 --folds 3 --json --repeat 3 lr=0.05 epochs=12 >"$TMP/rep.json"
checks=$((checks + 1))
python3 - "$TMP/reg.json" "$TMP/rep.json" <<'EOF' || fail "--repeat changes the result"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
del a["seconds"], b["seconds"]
assert a == b
EOF

# Classification from CSV (string labels): accuracy per fold; logistic by default.
"$LRSWEEP" train --data "$TMP/cls.csv" --target label --folds 2 --json lr=0.5 epochs=30 \
    >"$TMP/cls.json" || fail "classification exited $?"
check_json "$TMP/cls.json" '
assert d["status"] == "complete"
for f in d["folds"]:
    assert set(f) == {"fold", "repeat", "train_loss", "val_loss", "accuracy"}, f
    assert 0.0 <= f["accuracy"] <= 1.0
assert sum(f["accuracy"] for f in d["folds"]) / 2 >= 0.8, d["folds"]
'

# Mini-batch MLP with a holdout split.
"$LRSWEEP" train --synthetic 80,3,1 --hidden 8,4 --activation tanh --folds 1 --holdout 0.25 \
    --json optimizer=adam lr=0.01 batch_size=16 epochs=5 >"$TMP/mlp.json" || fail "mlp exited $?"
check_json "$TMP/mlp.json" 'assert len(d["folds"]) == 1 and len(d["epochs"]) == 5 and d["score"] > 0'

# --folds 0: no validation, so val_loss and the score are null.
"$LRSWEEP" train --synthetic 50,3,1 --folds 0 --json epochs=4 >"$TMP/nofold.json" ||
    fail "--folds 0 exited $?"
check_json "$TMP/nofold.json" '
assert d["score"] is None and d["score_std"] is None
assert len(d["folds"]) == 1 and d["folds"][0]["val_loss"] is None
assert all(e["val_loss"] is None and e["train_loss"] > 0 for e in d["epochs"])
'

# A huge LR diverges: a result (exit 0), not an error.
"$LRSWEEP" train --synthetic 50,3,1 --json lr=10000 epochs=50 >"$TMP/div.json" ||
    fail "diverged trial exited $?"
check_json "$TMP/div.json" '
assert d["status"] == "diverged" and d["score"] is None
assert isinstance(d["diverged_epoch"], int) and 1 <= d["diverged_epoch"] < 50
assert len(d["epochs"]) == d["diverged_epoch"]
'

# Human output: an epoch table, the status, the score and the fold table.
checks=$((checks + 1))
"$LRSWEEP" train --synthetic 40,2,1 --folds 2 scheduler=step step_size=2 epochs=3 >"$TMP/human" ||
    fail "human output exited $?"
for word in "epoch" "train_loss" "val_loss" "status: complete" "score:" "fold"; do
    grep -qF -- "$word" "$TMP/human" || fail "human output lacks '$word'"
done
[ "$(grep -cE '^ +[0-9]+ +[0-9.e-]+ +[0-9.e+-]+ +[0-9.e+-]+$' "$TMP/human")" -ge 3 ] ||
    fail "human output lacks the 3 epoch rows: $(cat "$TMP/human")"

# Bad input: exit 2 and a message that names the culprit.
printf 'a,b,y\n1,2,3\n4,oops,6\n' >"$TMP/bad.csv"
printf '{"layers":[{"weight":[[1,2,3]],"bias":[0]}]}\n' >"$TMP/init.json"
expect_exit 2 "'--bogus'" --synthetic 10,2,1 --bogus
expect_exit 2 "unknown option '-x'" --synthetic 10,2,1 -xh
expect_exit 2 "'--json=yes'" --synthetic 10,2,1 --json=yes
expect_exit 2 "exactly one of --data" epochs=3
expect_exit 2 "exactly one of --data" --synthetic 10,2,1 --data "$TMP/cls.csv" --target label
expect_exit 2 "--data needs --target" --data "$TMP/cls.csv"
expect_exit 2 "no_such.csv" --data "$TMP/no_such.csv" --target y
expect_exit 2 "nope" --data "$TMP/cls.csv" --target nope
expect_exit 2 "bad.csv:3:" --data "$TMP/bad.csv" --target y
expect_exit 2 "--synthetic" --synthetic 10,x,1
expect_exit 2 "--folds" --synthetic 10,2,1 --folds -1
expect_exit 2 "--holdout" --synthetic 10,2,1 --holdout 1.5
expect_exit 2 "--holdout applies only" --synthetic 10,2,1 --folds 3 --holdout 0.2
expect_exit 2 "--model" --synthetic 10,2,1 --model resnet
expect_exit 2 "--model logistic" --synthetic 10,2,1 --model logistic
expect_exit 2 "model linear is for regression" --data "$TMP/cls.csv" --target label --model linear
expect_exit 2 "--hidden" --synthetic 10,2,1 --hidden 8,,4
expect_exit 2 "--activation" --synthetic 10,2,1 --model mlp --activation gelu
expect_exit 2 "--seed" --synthetic 10,2,1 --seed -3
expect_exit 2 "needs a value" --synthetic 10,2,1 --folds
expect_exit 2 "lr" --synthetic 10,2,1 lr=abc
expect_exit 2 "frobnicate" --synthetic 10,2,1 frobnicate=1
expect_exit 2 "unexpected argument 'stray'" --synthetic 10,2,1 stray
expect_exit 2 "init.json" --synthetic 10,2,1 --init "$TMP/init.json"
expect_exit 2 "folds" --synthetic 4,2,1 --folds 5

summary
