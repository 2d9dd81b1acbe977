#!/usr/bin/env bash
# bench_curve.sh — what CURVE costs: the same sweep over loopback TCP in
# plain text and with keys, paired and interleaved.
#
# usage: bash tests/bench/bench_curve.sh LRSWEEP [ROUNDS] [WORKERS]
#   One coordinator (`lrsweep coordinator --bind tcp://127.0.0.1:PORT`) and
#   WORKERS (default 4) single-job workers run 50,000 no-cost synthetic
#   trials of one epoch into a fresh database: dispatch, results and durable
#   commits are all there is, so the wire's cost is as visible as it gets.
#   Each round runs plain then keyed (the order alternates every round).
#   Printed: each round's trials/s both ways and the ratio CURVE/plain, then
#   the median ratio over ROUNDS (default 10).
set -u
BIN=${1:?usage: bench_curve.sh LRSWEEP [ROUNDS] [WORKERS]}
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
ROUNDS=${2:-10}
WORKERS=${3:-4}
TMP=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null; rm -rf "$TMP"' EXIT
cd "$TMP" || exit 1
cat >sweep.yaml <<'YAML'
name: bench-curve
seed: 3
trials: 50000
model: {type: synthetic}
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
  optimizer: {sgd: {}, adam: {}}
  scheduler: {constant: {}, cosine: {T_max: 1}}
  epochs: 1
YAML
"$BIN" keygen coord >/dev/null && mkdir workers
for i in $(seq "$WORKERS"); do "$BIN" keygen "w$i" >/dev/null && cp "w$i.pub" workers/; done

now() { date +%s.%N; }
port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# rate MODE : trials per second of one sweep, MODE plain or curve.
rate() {
    rm -f b.db b.db-wal b.db-shm b.db.lock
    local p ckeys=() t0 t1
    p=$(port)
    [ "$1" = curve ] && ckeys=(--key coord.key --allow workers/)
    t0=$(now)
    "$BIN" coordinator sweep.yaml --bind "tcp://127.0.0.1:$p" --db b.db --quiet "${ckeys[@]}" \
        >/dev/null 2>coord.err &
    local cpid=$!
    for i in $(seq "$WORKERS"); do
        local wkeys=()
        [ "$1" = curve ] && wkeys=(--key "w$i.key" --server-key coord.pub)
        "$BIN" worker --connect "tcp://127.0.0.1:$p" --name "w$i" "${wkeys[@]}" >/dev/null 2>&1 &
    done
    wait "$cpid" || { echo "coordinator failed ($1): $(cat coord.err)" >&2; exit 1; }
    t1=$(now)
    wait
    awk "BEGIN { print 50000 / ($t1 - $t0) }"
}

: >ratios
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        plain=$(rate plain); curve=$(rate curve)
    else
        curve=$(rate curve); plain=$(rate plain)
    fi
    ratio=$(awk "BEGIN { print $curve / $plain }")
    printf 'round %2d  plain %.0f trials/s  curve %.0f trials/s  curve/plain %.3f\n' \
        "$r" "$plain" "$curve" "$ratio"
    echo "$ratio" >>ratios
done
median() { sort -g | awk '{v[NR] = $1} END {print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
printf 'median CURVE/plain throughput over %d rounds, %d workers: %.3f\n' "$ROUNDS" "$WORKERS" \
    "$(median <ratios)"
