#!/usr/bin/env bash
# bench_sample.sh — sampling throughput: configs per second of
# `lrsweep sample` writing JSON Lines to /dev/null, for the complete example
# of docs/spec.md (conditional optimizer and scheduler branches, log and
# linear ranges),
# against Optuna's RandomSampler asking the same define-by-run space with
# /usr/bin/python3.  Goal: lrsweep ≥ 1,000,000 configs/s.
#
# usage: bash tests/bench/bench_sample.sh [/path/to/lrsweep] [N]
#   N: trials for lrsweep (default 2,000,000); Optuna asks N/500 (min 1000).
set -eu
LRSWEEP=${1:-build/lrsweep}
N=${2:-2000000}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

cat >"$TMP/spec.yaml" <<'YAML'
name: wine-lr
seed: 7
trials: 500
sampler: random
objective: {metric: val_loss, goal: minimize}
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
printf 'x,quality\n1,2\n' >"$TMP/wine.csv"

now() { date +%s.%N; }
best=0
for run in 1 2 3; do
    t0=$(now)
    "$LRSWEEP" sample "$TMP/spec.yaml" -n "$N" >/dev/null
    t1=$(now)
    rate=$(awk -v n="$N" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
    echo "lrsweep sample: $N configs in $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }') s = $rate configs/s (run $run)"
    [ "$rate" -gt "$best" ] && best=$rate
done
bytes=$("$LRSWEEP" sample "$TMP/spec.yaml" -n 100000 | wc -c)
echo "output: $((bytes / 100000)) bytes per line"

M=$((N / 500))
[ "$M" -lt 1000 ] && M=1000
optuna_rate=$(/usr/bin/python3 - "$M" <<'PY' 2>/dev/null || echo 0
import sys, time
import optuna
optuna.logging.set_verbosity(optuna.logging.WARNING)
m = int(sys.argv[1])
study = optuna.create_study(sampler=optuna.samplers.RandomSampler(seed=7))
t0 = time.perf_counter()
for _ in range(m):
    t = study.ask()
    t.suggest_float("lr", 1e-5, 1.0, log=True)
    t.suggest_categorical("batch_size", [16, 32, 64])
    opt = t.suggest_categorical("optimizer", ["sgd", "adam"])
    if opt == "sgd":
        t.suggest_float("momentum", 0.0, 0.99)
        t.suggest_categorical("nesterov", [False, True])
    else:
        t.suggest_categorical("beta2", [0.99, 0.999])
    s = t.suggest_categorical("scheduler", ["constant", "step", "exponential", "cosine", "onecycle"])
    if s == "step":
        t.suggest_int("step_size", 5, 30)
        t.suggest_float("step_gamma", 0.05, 0.9)
    elif s == "exponential":
        t.suggest_float("exp_gamma", 0.85, 0.999)
    elif s == "cosine":
        t.suggest_float("eta_min", 1e-7, 1e-3, log=True)
    elif s == "onecycle":
        t.suggest_float("max_lr", 1e-3, 1.0, log=True)
        t.suggest_float("pct_start", 0.1, 0.5)
    study.tell(t, 0.0)
print("%.0f" % (m / (time.perf_counter() - t0)))
PY
)
echo "optuna RandomSampler ask+tell (in-memory, $M trials): $optuna_rate configs/s"
if [ "$optuna_rate" -gt 0 ]; then
    echo "ratio lrsweep / optuna: $(awk -v a="$best" -v b="$optuna_rate" 'BEGIN { printf "%.0f", a / b }')x"
fi
echo "best lrsweep rate: $best configs/s (goal >= 1000000: $([ "$best" -ge 1000000 ] && echo met || echo NOT met))"
