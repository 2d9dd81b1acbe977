#!/usr/bin/env bash
# bench_engine.sh — the built-in engine against PyTorch on the same work, in
# one run: per-trial seconds of each and the ratio torch / lrsweep.
#
# usage: bash tests/bench/bench_engine.sh /path/to/lrsweep [SCALE]
#   Build lrsweep for speed first (no sanitizers), e.g.
#     cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release && cmake --build build-rel -j
#   SCALE (default 1) multiplies every repetition count.
#
# Both sides run on one thread (torch.set_num_threads(1), OPENBLAS_NUM_THREADS=1)
# in float64.  lrsweep reruns each trial N times in one process (the hidden
# `train --repeat N`); "in-process" is the mean trial time it measures
# (trial setup included: splits, standardization, allocation, init), and
# "with start" divides the whole process's wall time, start-up and data
# generation included, by N.  The ratio uses the in-process time.
#
# The cases (bench_torch.py has the PyTorch side):
#   a  linear 5→3, MSE, SGD lr 0.01, StepLR(10, 0.1), 100 epochs of 100 rows.
#      PyTorch draws 100 fresh samples per epoch; lrsweep trains on the
#      synthetic problem's 100 rows with --folds 0 (no validation), full
#      batch: the same arithmetic per epoch (one 100×5 forward, backward and
#      SGD step, one scheduler step), minus PyTorch's sampling.
#   b  5-fold CV, linear 5→3, 500 rows, 100 full-batch SGD epochs, validation
#      loss after every epoch, standardization fitted per training fold.
#   c  MLP 20→64→64→1 (ReLU), SGD, 10,000 rows, shuffled batches of 64,
#      5 epochs, no validation (--folds 0).
set -eu
LRSWEEP=${1:?usage: bench_engine.sh /path/to/lrsweep [SCALE]}
SCALE=${2:-1}
HERE=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1

now() { date +%s.%N; }

# lrsweep_time N ARGS... : prints "in-process with-start" seconds per trial.
lrsweep_time() {
    local n=$1
    shift
    local t0 t1 json
    t0=$(now)
    json=$("$LRSWEEP" train --json --repeat "$n" "$@")
    t1=$(now)
    local per_trial
    per_trial=$(printf '%s' "$json" | $PY -c 'import json,sys; print(json.load(sys.stdin)["seconds"])')
    echo "$per_trial $(awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN { printf "%.9g", (b - a) / n }')"
}

row() {   # row CASE TORCH LRS_IN LRS_START
    printf '%-4s %14.6f %16.6f %16.6f %10.1fx\n' "$1" "$2" "$3" "$4" "$(awk -v t="$2" -v l="$3" 'BEGIN { printf "%.9g", t / l }')"
}

printf '%-4s %14s %16s %16s %11s\n' case "torch s/trial" "lrsweep s/trial" "(with start)" "ratio"

t=$($PY "$HERE/bench_torch.py" a $((20 * SCALE)))
read -r l ls < <(lrsweep_time $((2000 * SCALE)) --synthetic 100,5,3 --folds 0 \
    optimizer=sgd lr=0.01 scheduler=step step_size=10 gamma=0.1 epochs=100)
row a "$t" "$l" "$ls"

t=$($PY "$HERE/bench_torch.py" b $((5 * SCALE)))
read -r l ls < <(lrsweep_time $((500 * SCALE)) --synthetic 500,5,3 --folds 5 --no-shuffle \
    optimizer=sgd lr=0.01 epochs=100)
row b "$t" "$l" "$ls"

t=$($PY "$HERE/bench_torch.py" c $((2 * SCALE)))
read -r l ls < <(lrsweep_time $((10 * SCALE)) --synthetic 10000,20,1 --hidden 64,64 --folds 0 \
    optimizer=sgd lr=0.01 batch_size=64 epochs=5)
row c "$t" "$l" "$ls"
echo "goal: a and b ≥ 50x, c ≥ 2x"
