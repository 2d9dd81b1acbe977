#!/usr/bin/env bash
# bench_ab.sh — two lrsweep builds on the same work, paired and interleaved.
#
# usage: bash tests/bench/bench_ab.sh OLD_LRSWEEP NEW_LRSWEEP [ROUNDS]
#   Both binaries built for speed (Release, no sanitizers).  Each round runs
#   A then B (the order alternates every round) on:
#   (train) one 5-fold MLP trial on the wine data (13→32→3, adam + cosine,
#           60 epochs, batch 32), repeated 100 times in one process: training
#           speed;
#   (sweep) `lrsweep run` of 20,000 no-cost synthetic trials with 2 local
#           workers into a fresh database: dispatch + durable-commit
#           throughput, as the coordinator reports it (trials/s).
#   Printed: every round's NEW/OLD ratio of time (train) and of throughput
#   (sweep), then the median ratio of each over ROUNDS (default 10).
set -u
OLD=${1:?usage: bench_ab.sh OLD_LRSWEEP NEW_LRSWEEP [ROUNDS]}
NEW=${2:?usage: bench_ab.sh OLD_LRSWEEP NEW_LRSWEEP [ROUNDS]}
ROUNDS=${3:-10}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/sweep.yaml" <<'YAML'
name: bench
seed: 3
trials: 20000
model: {type: synthetic}
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
  optimizer: {sgd: {}, adam: {}}
  scheduler: {constant: {}, cosine: {T_max: 1}}
  epochs: 1
YAML

now() { date +%s.%N; }
# train_s BIN : seconds of the repeated trial.
train_s() {
    local t0 t1
    t0=$(now)
    "$1" train --data "$ROOT/examples/wine.csv" --target cultivar --model mlp --hidden 32 \
        lr=0.003 optimizer=adam scheduler=cosine T_max=60 epochs=60 batch_size=32 \
        --repeat 100 --json >/dev/null || { echo "train failed: $1" >&2; exit 1; }
    t1=$(now)
    awk "BEGIN { print $t1 - $t0 }"
}
# sweep_rate BIN : trials per second of a fresh 20k-trial sweep.
sweep_rate() {
    rm -f "$TMP/b.db" "$TMP/b.db-wal" "$TMP/b.db-shm" "$TMP/b.db.lock"
    local t0 t1
    t0=$(now)
    "$1" run "$TMP/sweep.yaml" --db "$TMP/b.db" --workers 2 --quiet >/dev/null 2>&1 ||
        { echo "run failed: $1" >&2; exit 1; }
    t1=$(now)
    awk "BEGIN { print 20000 / ($t1 - $t0) }"
}

: >"$TMP/ratios"
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        to=$(train_s "$OLD"); tn=$(train_s "$NEW"); so=$(sweep_rate "$OLD"); sn=$(sweep_rate "$NEW")
    else
        tn=$(train_s "$NEW"); to=$(train_s "$OLD"); sn=$(sweep_rate "$NEW"); so=$(sweep_rate "$OLD")
    fi
    rt=$(awk "BEGIN { print $tn / $to }"); rs=$(awk "BEGIN { print $sn / $so }")
    printf 'round %2d  train %.3fs / %.3fs = %.3f   sweep %.0f / %.0f trials/s = %.3f\n' \
        "$r" "$tn" "$to" "$rt" "$sn" "$so" "$rs"
    echo "$rt $rs" >>"$TMP/ratios"
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf 'median NEW/OLD: train time %.3f (below 1: faster), sweep throughput %.3f (above 1: faster)\n' \
    "$(cut -d' ' -f1 "$TMP/ratios" | median)" "$(cut -d' ' -f2 "$TMP/ratios" | median)"
