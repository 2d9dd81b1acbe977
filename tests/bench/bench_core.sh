#!/usr/bin/env bash
# bench_core.sh — the distributed core against its peers, ratios printed in
# one run.
#
# usage: bash tests/bench/bench_core.sh /path/to/lrsweep [--quick]
#   Build lrsweep for speed first (no sanitizers), e.g.
#     cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel -j
#   --quick uses a 100k-trial database instead of 1M in (a) and 100 workers
#   instead of 500 in (c).
#
# (a) orchestration: no-cost synthetic trials (model type synthetic, one
#     epoch) through `lrsweep run` (coordinator + one local worker per core),
#     every result committed to SQLite before it is acknowledged; against
#     Optuna 3.1's RandomSampler with SQLite storage over the same space and
#     objective (bench_core_optuna.py).  Rates are the coordinator's own
#     (trials recorded / seconds since its loop started).  The cost per trial
#     is measured twice: adding 50k trials to a database holding 10k, and
#     adding 50k to one holding 1M.
# (b) end to end: a 1,000-trial lr × scheduler sweep of an MLP (13→32→3) on
#     the wine data, 5-fold CV, 60 epochs, batch 32: `lrsweep run` wall time
#     against Optuna (SQLite) + PyTorch running the same trials (enqueued from
#     `lrsweep sample`; a subset, per-trial time extrapolated to 1,000).
# (c) many workers: a coordinator with 2 and with 500 connected worker
#     processes on no-cost trials: its peak resident memory and trials/s.
# The shared prelude (tests/integration/lib.sh): LRSWEEP made absolute (we cd
# below), HERE, PY, TMP removed on exit, background PIDS killed, spawn.
. "$(dirname "$0")/../integration/lib.sh"
on_cleanup() { rm -rf /tmp/lrsweep-bench-torch.db; }
QUICK=${2:-}
ROOT=$(cd "$HERE/../.." && pwd)
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
BIG=1000000
MANY=500
if [ "$QUICK" = "--quick" ]; then BIG=100000; MANY=100; fi

orch_spec() {   # orch_spec FILE TRIALS
    cat >"$1" <<EOF
name: orchestration
seed: 1
trials: $2
sampler: random
objective: {metric: val_loss, goal: minimize}
model: {type: synthetic}
search:
  lr: {log_uniform: [1.0e-5, 1.0]}
  epochs: 1
  optimizer:
    sgd:
      momentum: {uniform: [0.0, 0.99]}
    adam:
      beta1: {uniform: [0.8, 0.95]}
  scheduler:
    step: {step_size: 1}
    cosine: {eta_min: 0.0}
EOF
}

# rate_of LOG: the trials/s of the coordinator's last progress line.
rate_of() { grep -o '[0-9.]* trials/s' "$1" | tail -1 | cut -d' ' -f1; }

cd "$TMP" || exit 1
echo "== (a) orchestration: no-cost trials, durable in SQLite"
# median3 A B C
median3() { printf '%s\n' "$@" | sort -g | sed -n 2p; }
# Each cost is the median of three 50k-trial runs: single runs of ~1 s vary
# by ±20 % on a busy 2-core machine.
orch_spec o.yaml 10000
"$LRSWEEP" run o.yaml --db o10k.db >/dev/null 2>o1.log || { echo "run failed"; cat o1.log; exit 1; }
orch_spec o.yaml 60000
r=()
for k in 1 2 3; do
    cp o10k.db "o$k.db"
    "$LRSWEEP" run o.yaml --db "o$k.db" >/dev/null 2>"o2-$k.log" || exit 1
    r+=("$(rate_of "o2-$k.log")")
done
small=$(median3 "${r[@]}")
orch_spec o.yaml "$BIG"
"$LRSWEEP" run o.yaml --db o1.db >/dev/null 2>o3.log || exit 1
fill=$(rate_of o3.log)
r=()
for k in 1 2 3; do
    orch_spec o.yaml $((BIG + 50000 * k))
    "$LRSWEEP" run o.yaml --db o1.db >/dev/null 2>"o4-$k.log" || exit 1
    r+=("$(rate_of "o4-$k.log")")
done
big=$(median3 "${r[@]}")
optuna=$($PY "$HERE/bench_core_optuna.py" orchestration 300 "$TMP/optuna.db")
printf '  lrsweep, 50k trials into a 10k-trial database:  %10.0f trials/s (median of 3)\n' "$small"
printf '  lrsweep, filling the database to %7d trials:  %10.0f trials/s\n' "$BIG" "$fill"
printf '  lrsweep, 50k trials into a %7d-trial database: %9.0f trials/s (median of 3)\n' "$BIG" "$big"
printf '  optuna RandomSampler + SQLite, 300 trials:      %10.1f trials/s\n' "$optuna"
printf '  ratio lrsweep / optuna: %.0fx   (goal >= 300x)\n' "$(echo "$small / $optuna" | bc -l)"
printf '  cost per trial, %d-trial db vs 10k-trial db: %+.1f%%   (goal within 20%%)\n' "$BIG" \
    "$(echo "($small / $big - 1) * 100" | bc -l)"

echo "== (b) end to end: 1,000 trials, lr x scheduler, MLP 13-32-3 on wine, 5-fold CV"
sed "s|WINE|$ROOT/examples/wine.csv|" >e.yaml <<'EOF'
name: bench-e2e
seed: 7
trials: 1000
sampler: random
objective: {metric: val_loss, goal: minimize}
data: {path: WINE, target: [cultivar], task: classification}
model: {type: mlp, hidden: [32], activation: relu}
train: {folds: 5, shuffle: false, standardize: true}
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
  epochs: 60
  batch_size: 32
  optimizer:
    sgd: {momentum: 0.9}
  scheduler:
    constant: {}
    step: {step_size: {int_uniform: [5, 30]}, gamma: {uniform: [0.05, 0.9]}}
    exponential: {gamma: {uniform: [0.85, 0.999]}}
    cosine: {eta_min: {log_uniform: [1.0e-7, 1.0e-3]}}
    onecycle: {pct_start: {uniform: [0.1, 0.5]}}
EOF
t0=$(date +%s.%N)
"$LRSWEEP" run e.yaml --db e.db --quiet >/dev/null 2>e.log || { echo "run failed"; cat e.log; exit 1; }
t1=$(date +%s.%N)
wall=$(echo "$t1 - $t0" | bc -l)
per_trial=$(sqlite3 e.db "SELECT AVG(seconds) FROM trials")
K=20
"$LRSWEEP" sample e.yaml -n $K >e.jsonl
torch=$($PY "$HERE/bench_core_optuna.py" torch e.jsonl "$ROOT/examples/wine.csv" $K)
printf '  lrsweep run (%d local workers): %.2f s for 1,000 trials (%.4f s of training per trial on one core)\n' \
    "$(getconf _NPROCESSORS_ONLN)" "$wall" "$per_trial"
printf '  optuna + pytorch (1 thread): %.3f s per trial over %d of the same trials -> %.0f s for 1,000\n' \
    "$torch" "$K" "$(echo "$torch * 1000" | bc -l)"
printf '  ratio, wall clock of the sweep: %.0fx   (goal >= 50x)\n' "$(echo "$torch * 1000 / $wall" | bc -l)"
printf '  ratio, one core each (per-trial training time): %.0fx\n' "$(echo "$torch / $per_trial" | bc -l)"

echo "== (c) many workers: coordinator memory and throughput"
# many N: a coordinator with N worker processes on 300k no-cost trials.  The
# workers start first (they wait for it), so the rate measures the
# coordinator with N connected workers rather than N process start-ups.
many() {
    local n=$1 ep="ipc://$TMP/m$1.sock"
    orch_spec "m$n.yaml" 300000
    sed -i "s/name: orchestration/name: many-$n/" "m$n.yaml"
    local ws=()
    for _ in $(seq "$n"); do
        "$LRSWEEP" worker --connect "$ep" >/dev/null 2>&1 &
        ws+=("$!")
        PIDS+=("$!")
    done
    sleep 2
    local c
    spawn c /dev/null "m$n.log" coordinator "m$n.yaml" --bind "$ep" --db "m$n.db"
    local peak=0 rss
    while kill -0 "$c" 2>/dev/null; do
        rss=$(awk '/VmRSS/ {print $2}' "/proc/$c/status" 2>/dev/null)
        [ -n "$rss" ] && [ "$rss" -gt "$peak" ] && peak=$rss
        sleep 0.2
    done
    wait "$c"
    for w in "${ws[@]}"; do wait "$w" 2>/dev/null; done
    printf '  %3d workers: coordinator peak RSS %6.1f MiB, %8.0f trials/s\n' "$n" \
        "$(echo "$peak / 1024" | bc -l)" "$(rate_of "m$n.log")"
}
many 2
many "$MANY"
