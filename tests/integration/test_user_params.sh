#!/usr/bin/env bash
# test_user_params.sh — a command sweep's own parameters end to end: a real
# script reads dropout, width and act through {name}, {args} and
# LRSWEEP_PARAMS and prints a metric that depends on all three routes; the
# stored params and best carry them; `sample` agrees with the database;
# a resumed sweep (more trials) keeps its first trials; validate's errors
# and the alias warning.
#
# usage: bash test_user_params.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

cat >t.py <<'PY'
import json, os, sys
argv = sys.argv[1:]
drop = float(argv[argv.index("--drop") + 1])              # {dropout}
width = int(argv[argv.index("--width") + 1])              # {args}
p = json.loads(os.environ["LRSWEEP_PARAMS"])               # LRSWEEP_PARAMS, typed
assert isinstance(p["width"], int) and isinstance(p["dropout"], float), p
assert isinstance(p["bn"], bool) and isinstance(p["act"], str), p
assert argv[argv.index("--bn") + 1] == ("true" if p["bn"] else "false")
print("val_loss=%.17g" % (drop + width / 1000.0 + (p["act"] == "tanh") + abs(p["lr"] - 0.01)))
PY
cat >s.yaml <<YAML
name: user-params
trials: 5
seed: 11
metric: val_loss
command: $PY t.py --drop {dropout} {args}
search:
  lr: {log_uniform: [0.001, 0.1]}
  dropout: {uniform: [0.0, 0.5]}
  width: {values: [32, 64]}
  act: {values: [relu, tanh]}
  bn: {values: [true, false]}
YAML

check
out=$("$LRSWEEP" validate s.yaml 2>&1 | head -1)
[ "$out" = "ok: 5 trials, 5 parameters" ] || fail "validate: $out"

check
"$LRSWEEP" run s.yaml --db r.db --workers 2 --quiet >run.out 2>run.err || { fail "run exited $?"; cat run.err; }
n=$(q r.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'")
[ "$n" = 5 ] || { fail "$n of 5 trials complete"; q r.db "SELECT trial, status, error, stderr_tail FROM trials"; }

# Each score recomputed from the stored params: the three routes carried the same values.
check
bad=$(q r.db "SELECT trial, score, params FROM trials" | $PY -c '
import json, sys
for line in sys.stdin:
    t, score, params = line.rstrip("\n").split("|", 2)
    p = json.loads(params)
    want = p["dropout"] + p["width"] / 1000.0 + (p["act"] == "tanh") + abs(p["lr"] - 0.01)
    if abs(float(score) - want) > 1e-12 or set(p) != {"lr", "dropout", "width", "act", "bn"}:
        print(t, score, want, params)')
[ -z "$bad" ] || fail "scores do not follow the stored user parameters: $bad"

# sample prints what the sweep stored, trial by trial.
check
"$LRSWEEP" sample s.yaml | $PY -c '
import json, sys
for line in sys.stdin:
    r = json.loads(line)
    print(r["trial"], json.dumps(r["params"], sort_keys=True))' >sample.txt
q r.db "SELECT trial, params FROM trials ORDER BY trial" | $PY -c '
import json, sys
for line in sys.stdin:
    t, params = line.rstrip("\n").split("|", 1)
    print(t, json.dumps(json.loads(params), sort_keys=True))' >db.txt
cmp -s sample.txt db.txt || { fail "sample differs from the stored params"; diff sample.txt db.txt; }

check
best=$("$LRSWEEP" best --db r.db 2>&1 | sed -n 2p)
case $best in *dropout=*width=*) ;; *) fail "best lacks the user parameters: $best" ;; esac

# summary groups by a user parameter: a float in bins over its declared range, a string by value.
check
"$LRSWEEP" summary --db r.db --by dropout --bins 2 >sum.out 2>&1 || fail "summary --by dropout exited $?"
grep -q '^\[0, 0.25) ' sum.out && grep -q '^\[0.25, 0.5\] ' sum.out || { fail "summary bins"; cat sum.out; }
n=$("$LRSWEEP" summary --db r.db --by act | awk 'NR > 1 { s += $2 } END { print s }')
[ "$n" = 5 ] || fail "summary --by act counts $n trials, not 5"

# Resume with more trials: the first five keep their params, three more run.
check
sed -i 's/^trials: 5/trials: 8/' s.yaml
"$LRSWEEP" run s.yaml --db r.db --workers 1 --quiet >run2.out 2>run2.err || { fail "resume exited $?"; cat run2.err; }
n=$(q r.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'")
[ "$n" = 8 ] || fail "after resume $n of 8 trials complete"
q r.db "SELECT trial, params FROM trials WHERE trial < 5 ORDER BY trial" | $PY -c '
import json, sys
for line in sys.stdin:
    t, params = line.rstrip("\n").split("|", 1)
    print(t, json.dumps(json.loads(params), sort_keys=True))' >db2.txt
cmp -s db.txt db2.txt || fail "resume changed the first trials' params"

# validate: errors name the file, line and field; aliases warn.
expect_invalid() {   # name, spec body, fragment
    check
    printf 'name: e\ntrials: 2\nmetric: val_loss\n%s' "$2" >"$1.yaml"
    "$LRSWEEP" validate "$1.yaml" >"$1.out" 2>&1
    rc=$?
    [ $rc -eq 2 ] || fail "$1: validate exited $rc"
    grep -qF -- "$3" "$1.out" || { fail "$1: no '$3' in"; cat "$1.out"; }
}
expect_invalid typo $'command: prog {args}\nsearch:\n  momentun: 0.9\n' \
    "typo.yaml:6:3: search: unknown parameter 'momentun': did you mean 'momentum'?"
expect_invalid name $'command: prog {args}\nsearch:\n  hidden-size: 3\n' \
    "name.yaml:6:3: search: 'hidden-size' is not a parameter name"
expect_invalid placeholder $'command: prog {widht} {args}\nsearch:\n  width: 3\n' \
    "placeholder.yaml:4:10: command: {widht} at column 6 is not a parameter"
expect_invalid engine $'data: {synthetic: {rows: 20, features: 2}}\nsearch:\n  dropout: 0.1\n' \
    "a script's own parameters need command:"
check
printf 'name: w\ntrials: 2\nmetric: val_loss\ncommand: true {args}\nsearch:\n  learning_rate: 0.1\n' >alias.yaml
"$LRSWEEP" validate alias.yaml >alias.out 2>&1 || fail "alias: validate exited $?"
grep -qF "write --learning_rate {lr} in command:" alias.out || { fail "alias: no warning"; cat alias.out; }
check
printf 'user: [learning_rate]\n' >>alias.yaml
"$LRSWEEP" validate alias.yaml >alias2.out 2>&1 || fail "alias declared: validate exited $?"
! grep -q warning alias2.out || fail "a declared name still warns: $(cat alias2.out)"

# args: {dashes: true} — an argparse script with dashed flags gets --hidden-size
# and --step-size; a declared user gamma searched under cosine only is left out
# of a step trial (not StepLR's gamma 0.1).
cat >d.py <<'PY'
import argparse
ap = argparse.ArgumentParser()
ap.add_argument("--lr", type=float, required=True)
ap.add_argument("--hidden-size", type=int, required=True)
ap.add_argument("--scheduler", required=True)
ap.add_argument("--step-size", type=int)
ap.add_argument("--gamma", type=float)
a = ap.parse_args()
assert (a.gamma is None) == (a.scheduler == "step"), a
print("val_loss=%.17g" % (a.hidden_size + (a.step_size or 0) / 10.0 + (a.gamma or 0) / 100.0))
PY
cat >dash.yaml <<YAML
name: dashes
trials: 6
seed: 2
metric: val_loss
user: [gamma]
args: {dashes: true}
command: $PY d.py {args}
search:
  lr: {log_uniform: [0.001, 0.1]}
  hidden_size: {values: [16, 32]}
  scheduler:
    step: {step_size: {values: [2, 3]}}
    cosine: {gamma: {values: [0.5, 2.0]}}
YAML
check
"$LRSWEEP" run dash.yaml --db d.db --workers 1 --quiet >dash.out 2>&1 || { fail "dashes run exited $?"; cat dash.out; }
bad=$(q d.db "SELECT trial, status, score, params, error FROM trials" | $PY -c '
import json, sys
for line in sys.stdin:
    t, status, score, params, error = line.rstrip("\n").split("|", 4)
    p = json.loads(params)
    want = p["hidden_size"] + p.get("step_size", 0) / 10.0 + p.get("gamma", 0) / 100.0
    if status != "complete" or abs(float(score) - want) > 1e-12:
        print(t, status, score, want, error)')
[ -z "$bad" ] || fail "dashed flags did not reach the script: $bad"
n=$(q d.db "SELECT COUNT(DISTINCT json_extract(params, '$.scheduler')) FROM trials")
[ "$n" = 2 ] || fail "the dashes sweep drew $n schedulers, not both"

# validate looks the program up even when the template names user parameters.
check
printf 'name: p\ntrials: 2\nmetric: val_loss\ncommand: lrsweep-no-such-trainer --d {dropout} {args}\nsearch:\n  dropout: 0.1\n' >prog.yaml
"$LRSWEEP" validate prog.yaml >prog.out 2>&1 || fail "prog: validate exited $?"
grep -qF "program 'lrsweep-no-such-trainer' is not found in PATH" prog.out || { fail "prog: no warning"; cat prog.out; }

summary
