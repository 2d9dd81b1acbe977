#!/usr/bin/env bash
# test_spec_cli.sh — `lrsweep validate` and `lrsweep sample` as a user runs
# them: the ok line, every error listed with file:line:column and exit 2,
# JSON Lines that parse, windows (--start I -n K) equal to the same lines of
# a longer run, the grid stopping at its end, and the shipped examples.
#
# usage: bash test_spec_cli.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

cat >"$TMP/example.yaml" <<'YAML'
name: wine-lr                 # sweep name, unique in a database
seed: 7
trials: 500                   # ignored by grid (the grid's size is the count)
sampler: random               # random | grid | sobol
objective: {metric: val_loss, goal: minimize}   # or accuracy / maximize
data: {path: wine.csv, target: [quality], task: regression}
model: {type: mlp, hidden: [32], activation: relu}
train: {folds: 5, shuffle: true, standardize: true}
search:
  lr: {log_uniform: [1.0e-5, 1.0]}
  epochs: 60
  batch_size: {values: [16, 32, 64]}
  optimizer:
    sgd: {momentum: {uniform: [0.0, 0.99]}, nesterov: {values: [false, true]}}
    adam: {beta2: {values: [0.99, 0.999]}}
  scheduler:
    constant: {}
    step: {step_size: {int_uniform: [5, 30]}, gamma: {uniform: [0.05, 0.9]}}
    exponential: {gamma: {uniform: [0.85, 0.999]}}
    cosine: {T_max: 60, eta_min: {log_uniform: [1.0e-7, 1.0e-3]}}
    onecycle: {max_lr: {log_uniform: [1.0e-3, 1.0]}, pct_start: {uniform: [0.1, 0.5]}}
YAML
printf 'alcohol,quality\n13.2,5\n' >"$TMP/tiny.csv"
{ echo alcohol,quality; for i in 1 2 3 4 5 6 7 8 9 10; do echo "1$i.2,$((i % 4 + 4))"; done; } >"$TMP/wine.csv"

# validate: the ok line for a good spec (data path relative to the spec).
check
(cd / && "$LRSWEEP" validate "$TMP/example.yaml" >"$TMP/out" 2>"$TMP/err")
rc=$?
want="ok: 500 trials, 13 parameters
data: 10 rows, 1 feature, target quality (regression), 160 bytes as float64"
if [ $rc -ne 0 ] || [ "$(cat "$TMP/out")" != "$want" ] || [ -s "$TMP/err" ]; then
    fail "validate example.yaml: rc $rc, out '$(cat "$TMP/out")', err '$(cat "$TMP/err")'"
fi

# validate: every error, sorted, with file:line:column; exit 2, nothing on stdout.
cat >"$TMP/bad.yaml" <<'YAML'
name: bad
trials: 10
data: {path: missing.csv, target: [y]}
search:
  lr: {log_uniform: [0, 1]}
  optimizer: {sgd: {}, adamm: {}}
  scheduler:
    exponential: {gamma: 0.9, step_size: 4}
    multistep: {gamma: 0.5}
YAML
check
run validate "$TMP/bad.yaml"
expected="$TMP/bad.yaml:3:14: data.path: data file 'missing.csv' does not exist
$TMP/bad.yaml:5:22: search.lr.log_uniform: low must be > 0 on a log scale, got 0
$TMP/bad.yaml:6:24: search.optimizer: unknown optimizer 'adamm': expected one of sgd, adam, adamw, rmsprop, adagrad
$TMP/bad.yaml:8:31: search.scheduler.exponential.step_size: step_size does not belong to scheduler exponential (it applies to step)
$TMP/bad.yaml:9:5: search.scheduler.multistep: scheduler multistep requires milestones (add it to this branch)"
got=$(sed 's/ (looked for [^)]*)//' "$TMP/err")
if [ $rc -ne 2 ] || [ -s "$TMP/out" ] || [ "$got" != "$expected" ]; then
    fail "validate bad.yaml: rc $rc; stderr:
$(cat "$TMP/err")
--- wanted:
$expected"
fi

# run and train --spec list a bad spec's errors exactly as validate does, and
# run creates no database for it.
cp "$TMP/err" "$TMP/validate.err"
for cmd in "run $TMP/bad.yaml --db $TMP/bad.db" "train --spec $TMP/bad.yaml"; do
    check
    # shellcheck disable=SC2086
    run $cmd
    if [ $rc -ne 2 ] || ! cmp -s "$TMP/err" "$TMP/validate.err" || [ -e "$TMP/bad.db" ]; then
        fail "lrsweep $cmd: rc $rc, stderr differs from validate's: $(cat "$TMP/err")"
    fi
done

# Sizes are bounded with an error at their place: trials, hidden widths, and
# (with the data in hand) the model's parameter count; the data is checked too.
sed -e 's/^trials: 500 .*/trials: 1000000000/' -e 's/hidden: \[32\]/hidden: [1000000]/' \
    "$TMP/example.yaml" >"$TMP/huge.yaml"
check
run validate "$TMP/huge.yaml"
if [ $rc -ne 2 ] || ! grep -q "huge.yaml:3:.*trials" "$TMP/err" || ! grep -q "huge.yaml:7:.*model.hidden" "$TMP/err"; then
    fail "validate huge.yaml: rc $rc, stderr '$(cat "$TMP/err")'"
fi
sed -e 's/hidden: \[32\]/hidden: [60000, 60000]/' "$TMP/example.yaml" >"$TMP/wide.yaml"
check
run validate "$TMP/wide.yaml"
if [ $rc -ne 2 ] || ! grep -q "wine.csv: the model has .* parameters" "$TMP/err"; then
    fail "validate wide.yaml: rc $rc, stderr '$(cat "$TMP/err")'"
fi
sed -e 's/path: wine.csv/path: tiny.csv/' "$TMP/example.yaml" >"$TMP/tiny.yaml"
check
run validate "$TMP/tiny.yaml"
if [ $rc -ne 2 ] || ! grep -q "tiny.csv: folds: 5 folds need at least 5 rows; the data set has 1" "$TMP/err"; then
    fail "validate tiny.yaml: rc $rc, stderr '$(cat "$TMP/err")'"
fi

# Usage errors and missing files exit 2 with a message.
for args in "validate" "validate $TMP/nope.yaml" "sample" "sample $TMP/example.yaml -n" \
            "sample $TMP/example.yaml -n -3" "sample $TMP/example.yaml --frobnicate" "sample $TMP/bad.yaml"; do
    check
    # shellcheck disable=SC2086
    run $args
    if [ $rc -ne 2 ] || [ ! -s "$TMP/err" ] || [ -s "$TMP/out" ]; then
        fail "lrsweep $args: rc $rc, stderr '$(cat "$TMP/err")'"
    fi
done

for cmd in validate sample; do
    check
    run $cmd --help
    if [ $rc -ne 0 ] || ! grep -q "usage: lrsweep $cmd SPEC" "$TMP/out"; then
        fail "$cmd --help: rc $rc"
    fi
done

# sample: the default count is trials:, every line parses with the documented keys.
check
run sample "$TMP/example.yaml"
cp "$TMP/out" "$TMP/all.jsonl"
if [ $rc -ne 0 ] || [ "$(wc -l <"$TMP/all.jsonl")" -ne 500 ]; then
    fail "sample example.yaml: rc $rc, $(wc -l <"$TMP/all.jsonl") lines"
fi
check
if ! /usr/bin/python3 - "$TMP/all.jsonl" <<'PY'
import json, math, sys
sched_params = {"constant": set(), "step": {"step_size", "gamma"}, "exponential": {"gamma"},
                "cosine": {"T_max", "eta_min"}, "onecycle": {"max_lr", "pct_start"}}
opt_params = {"sgd": {"momentum", "nesterov"}, "adam": {"beta2"}}
for n, line in enumerate(open(sys.argv[1])):
    row = json.loads(line)
    assert list(row) == ["trial", "seed", "params"], row
    assert row["trial"] == n, row
    p = row["params"]
    want = {"lr", "epochs", "batch_size", "optimizer", "scheduler"} | opt_params[p["optimizer"]] \
        | sched_params[p["scheduler"]]
    assert set(p) == want, (n, sorted(p), sorted(want))
    assert 1e-5 <= p["lr"] <= 1.0 and p["epochs"] == 60 and p["batch_size"] in (16, 32, 64)
PY
then
    fail "sample output does not match the spec"
fi

# Any window equals the same lines of the longer run.
for window in "0 1" "0 500" "137 25" "499 1" "250 0"; do
    set -- $window
    check
    run sample "$TMP/example.yaml" --start "$1" -n "$2"
    if [ $rc -ne 0 ] || ! cmp -s "$TMP/out" <(tail -n +$(($1 + 1)) "$TMP/all.jsonl" | head -n "$2"); then
        fail "sample --start $1 -n $2 differs from lines $1..$(($1 + $2 - 1)) of the full run"
    fi
done
# ... also beyond trials: (random sampling is defined for every index).
check
run sample "$TMP/example.yaml" --start 100000 -n 3
a=$(cat "$TMP/out")
run sample "$TMP/example.yaml" --start 100001 -n 1
if [ "$(echo "$a" | sed -n 2p)" != "$(cat "$TMP/out")" ] || [ "$(echo "$a" | wc -l)" -ne 3 ]; then
    fail "trial 100001 differs between windows"
fi

# Same seed, same lines; another seed, other lines.
check
sed 's/^seed: 7/seed: 8/' "$TMP/example.yaml" >"$TMP/seed8.yaml"
run sample "$TMP/seed8.yaml" -n 50
if cmp -s "$TMP/out" <(head -n 50 "$TMP/all.jsonl"); then
    fail "seed 8 gives the same trials as seed 7"
fi

# The grid: its size is the trial count, sampling stops at its end.
cat >"$TMP/grid.yaml" <<'YAML'
name: grid
sampler: grid
model: {type: synthetic}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1], grid: 3}
  optimizer:
    sgd: {momentum: {values: [0.0, 0.9]}}
    adam: {}
YAML
check
run validate "$TMP/grid.yaml"
if [ $rc -ne 0 ] || [ "$(head -1 "$TMP/out")" != "ok: 9 trials, 3 parameters" ]; then
    fail "validate grid.yaml: rc $rc: $(cat "$TMP/out") $(cat "$TMP/err")"
fi
check
run sample "$TMP/grid.yaml" --start 7 -n 100
if [ $rc -ne 0 ] || [ "$(wc -l <"$TMP/out")" -ne 2 ] || \
   ! head -n 1 "$TMP/out" | grep -qF '"params": {"lr": 0.1, "optimizer": "sgd", "momentum": 0.9}'; then
    fail "grid window 7..: rc $rc: $(cat "$TMP/out")"
fi

# Sobol with trials not a power of two: a warning naming the neighbours,
# exit 0; a power of two: none.  One trial, one parameter: singular.
for n in 100 64 1; do
    cat >"$TMP/sob.yaml" <<YAML
name: sob
trials: $n
sampler: sobol
model: {type: synthetic}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1]}
YAML
    check
    run validate "$TMP/sob.yaml"
    case $n in
        100) { [ $rc -eq 0 ] && grep -qF "sob.yaml: warning: sampler sobol with trials: 100, not a power of two" "$TMP/err" &&
               grep -qF "use 64 or 128 trials" "$TMP/err" && [ "$(cat "$TMP/out")" = "ok: 100 trials, 1 parameter" ]; } ||
               fail "validate sobol 100: rc $rc: $(cat "$TMP/out") $(cat "$TMP/err")" ;;
        64) { [ $rc -eq 0 ] && [ ! -s "$TMP/err" ]; } || fail "validate sobol 64 warned: $(cat "$TMP/err")" ;;
        1) [ "$(cat "$TMP/out")" = "ok: 1 trial, 1 parameter" ] || fail "validate, one trial: $(cat "$TMP/out")" ;;
    esac
done
check
sed -i 's/^trials: 1$/trials: 3/' "$TMP/sob.yaml"
run run "$TMP/sob.yaml" --db "$TMP/sob.db" --workers 1 --quiet
{ [ $rc -eq 0 ] && grep -qF "warning: sampler sobol with trials: 3, not a power of two" "$TMP/err"; } ||
    fail "run sobol 3: rc $rc, no warning: $(cat "$TMP/err")"

# seeds: shared gives every trial trial 0's training seed; per_trial (the
# default) one each; anything else is an error at the key.
for mode in shared per_trial bogus; do
    cat >"$TMP/seeds.yaml" <<YAML
name: seeds
trials: 4
seeds: $mode
model: {type: synthetic}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1]}
YAML
    check
    run sample "$TMP/seeds.yaml" -n 4
    distinct=$(grep -o '"seed": [0-9]*' "$TMP/out" | sort -u | wc -l)
    case $mode in
        shared) { [ $rc -eq 0 ] && [ "$(wc -l <"$TMP/out")" -eq 4 ] && [ "$distinct" -eq 1 ]; } ||
                fail "seeds shared: rc $rc, $distinct distinct seeds: $(cat "$TMP/out")" ;;
        per_trial) { [ $rc -eq 0 ] && [ "$distinct" -eq 4 ]; } ||
                fail "seeds per_trial: rc $rc, $distinct distinct seeds: $(cat "$TMP/out")" ;;
        bogus) { [ $rc -eq 2 ] && grep -qF "seeds.yaml:3:8:" "$TMP/err" && grep -qF "per_trial" "$TMP/err"; } ||
                fail "seeds bogus: rc $rc: $(cat "$TMP/err")" ;;
    esac
done

# The shipped examples are valid and sample.
for ex in wine-lr synthetic; do
    check
    run validate "$EXAMPLES/$ex.yaml"
    if [ $rc -ne 0 ] || ! grep -q '^ok: [0-9]* trials, [0-9]* parameters$' "$TMP/out"; then
        fail "examples/$ex.yaml: rc $rc: $(cat "$TMP/out") $(cat "$TMP/err")"
    fi
    check
    run sample "$EXAMPLES/$ex.yaml" -n 20
    if [ $rc -ne 0 ] || [ "$(wc -l <"$TMP/out")" -ne 20 ]; then
        fail "sample examples/$ex.yaml: rc $rc"
    fi
done

# The README's spec is examples/wine-lr.yaml, comments aside: the two cannot
# drift apart.
strip() { sed -e 's/[[:space:]]*#.*$//' -e '/^[[:space:]]*$/d' "$@"; }
awk '/^```yaml$/ { inside = 1; next } inside && /^```$/ { exit } inside' "$EXAMPLES/../README.md" |
    strip >"$TMP/readme.yaml"
strip "$EXAMPLES/wine-lr.yaml" >"$TMP/example.stripped"
grep -q '^name: wine-lr$' "$TMP/readme.yaml" && diff "$TMP/example.stripped" "$TMP/readme.yaml" >"$TMP/diff" ||
    fail "README's spec differs from examples/wine-lr.yaml: $(cat "$TMP/diff")"

# Hostile text is refused before the YAML parser sees it, with exit 2 and
# the place: the fixture on which libfyaml 0.8 loops forever (a directive
# line with invalid UTF-8), each kind of refusal, and text over 1 MiB.
check
timeout 5 "$LRSWEEP" validate "$HERE/../fixtures/hostile/yaml-parser-hang.yaml" >"$TMP/out" 2>"$TMP/err"
rc=$?
if [ $rc -ne 2 ] || ! grep -qF 'yaml-parser-hang.yaml:3:1: YAML directives (%...) are not accepted in a spec' "$TMP/err" || \
   ! grep -qF 'yaml-parser-hang.yaml:3:2: byte 0xC3 is not valid UTF-8' "$TMP/err"; then
    fail "hang fixture: exit $rc (124: timed out), want 2: $(cat "$TMP/err")"
fi
printf 'name: caf\303\ntrials: 10\n' >"$TMP/utf8.yaml"
expect_status validate usage 2 "utf8.yaml:1:10: byte 0xC3 is not valid UTF-8" "$TMP/utf8.yaml"
printf 'name: t\ntrials: 1\024\n' >"$TMP/ctl.yaml"
expect_status validate usage 2 "ctl.yaml:2:10: control character U+0014 is not allowed in a spec" "$TMP/ctl.yaml"
printf '%%YAML 1.1\n---\nname: t\n' >"$TMP/directive.yaml"
expect_status validate usage 2 "directive.yaml:1:1: YAML directives (%...) are not accepted in a spec" \
    "$TMP/directive.yaml"
printf 'name: t\nx: %s\n' "$(printf '[%.0s' $(seq 65))" >"$TMP/deep.yaml"
expect_status validate usage 2 "deep.yaml:2:68: nested deeper than 64 levels" "$TMP/deep.yaml"
"$PY" -c 'import sys; sys.stdout.write("name: t\n" + ("#" * 99 + "\n") * 10486)' >"$TMP/big.yaml"
expect_status validate usage 2 "big.yaml:10487:69: the spec is longer than its limit of 1048576 bytes" \
    "$TMP/big.yaml"
# An em dash and other UTF-8 text are fine.
printf '# a sweep \342\200\224 with UTF-8\nname: na\303\257ve\ntrials: 3\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n' \
    >"$TMP/utf8ok.yaml"
check
run validate "$TMP/utf8ok.yaml"
if [ $rc -ne 0 ] || [ "$(cat "$TMP/out")" != "ok: 3 trials, 0 parameters" ]; then
    fail "UTF-8 spec: rc $rc: $(cat "$TMP/out") $(cat "$TMP/err")"
fi

# Every spec up to the limit is answered quickly: 1 MiB of keys, of a flow
# sequence and of '[' each finish within 2 s (sanitizer builds included).
"$PY" - "$TMP" <<'PY'
import sys
d = sys.argv[1]
def fill(name, head, item, tail):
    out, i = [head], 0
    size = len(head) + len(tail)
    while True:
        s = item(i)
        if size + len(s) > (1 << 20):
            break
        out.append(s)
        size += len(s)
        i += 1
    out.append(tail)
    open(d + "/" + name, "w").write("".join(out))
fill("keys.yaml", "name: t\n", lambda i: "k%d: [%d, %d]\n" % (i, i, i), "")
fill("flow.yaml", "name: t\ntrials: 3\nx: [", lambda i: "%d, " % i, "0]\n")
open(d + "/brackets.yaml", "w").write("[" * (1 << 20))
PY
for f in keys flow brackets; do
    check
    start=$(date +%s%N)
    timeout 10 "$LRSWEEP" validate "$TMP/$f.yaml" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "validate 1 MiB $f.yaml: exit $rc in $ms ms"
    if [ $rc -ne 2 ] || [ $ms -ge 2000 ]; then
        fail "1 MiB $f.yaml: exit $rc in $ms ms, want 2 within 2 s"
    fi
done
check
timeout 10 "$LRSWEEP" validate "$TMP/keys.yaml" >"$TMP/out" 2>"$TMP/err"
if [ "$(wc -l <"$TMP/err")" -gt 102 ] || ! grep -q 'keys.yaml: [0-9]* more errors not shown' "$TMP/err"; then
    fail "1 MiB of unknown keys: $(wc -l <"$TMP/err") lines of errors, want at most 100 and a count"
fi

# A failed write is a runtime failure, not silence.
if [ -w /dev/full ]; then
    check
    "$LRSWEEP" sample "$TMP/example.yaml" -n 100000 >/dev/full 2>"$TMP/err"
    rc=$?
    if [ $rc -ne 1 ]; then
        fail "sample to /dev/full exited $rc, want 1"
    fi
fi

# A log grid on decimal ends is the powers of ten the docs promise (rules
# 1: points from decimal exponents; the old exp/log spacing gave
# 9.999999999999991e-05 for the second).
check
printf 'name: decades\nsampler: grid\nmodel: {type: synthetic}\nsearch:\n  lr: {log_uniform: [1e-5, 1], grid: 6}\n' \
    >"$TMP/decades.yaml"
run sample "$TMP/decades.yaml"
got=$("$PY" -c 'import json, sys
print(" ".join(repr(json.loads(l)["params"]["lr"]) for l in open(sys.argv[1])))' "$TMP/out")
[ $rc -eq 0 ] && [ "$got" = "1e-05 0.0001 0.001 0.01 0.1 1.0" ] ||
    fail "grid: 6 on [1e-5, 1] sampled '$got' (rc $rc), want 1e-05 0.0001 0.001 0.01 0.1 1.0"

# --version names the protocol and the results schema, which must match
# across machines and files.
check
run --version
[ $rc -eq 0 ] || fail "--version exited $rc"
grep -qE '^lrsweep [0-9]+\.[0-9]+\.[0-9]+ \(protocol [0-9]+, results schema [0-9]+\)$' "$TMP/out" ||
    fail "--version printed: $(cat "$TMP/out")"
summary
