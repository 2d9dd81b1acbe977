#!/usr/bin/env bash
# bench_data.sh — a data set of real size: 400,000 rows × 50 features and a
# target (163 MB as float64), a CSV written here.
#
# usage: bash tests/bench/bench_data.sh /path/to/lrsweep [ROUNDS]
#   Build lrsweep for speed first (no sanitizers).  ROUNDS (default 5) is
#   the number of paired rounds in (a) and (b).
#
# (a) CSV read: `lrsweep validate` (read, parse, check against the spec, one
#     process start) against pandas.read_csv on the same file (the call
#     alone, in a running interpreter: its import is left out), paired and
#     interleaved, the order alternating between rounds; the median of each
#     and the median of the per-round ratios lrsweep / pandas are printed.
# (b) start of a sweep: `lrsweep run` with one local worker from its start
#     to the first trial recorded as complete in the database (polled every
#     20 ms), against `lrsweep train --spec` of that trial on the same file
#     (read it, train, print); paired and interleaved, ratio run / train.
# (c) memory: a 2-worker `lrsweep run`, the proportional set size (PSS,
#     /proc/PID/smaps_rollup: shared pages split among their sharers) of the
#     coordinator and its workers summed every 50 ms; the peak over the
#     sweep, against the data set's float64 size.
. "$(dirname "$0")/../integration/lib.sh"
ROUNDS=${2:-5}
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1
cd "$TMP" || exit 1

"$PY" - <<'PY'
import numpy as np
rng = np.random.default_rng(7)
rows, feats = 400_000, 50
X = rng.normal(size=(rows, feats))
w = rng.normal(size=feats)
y = X @ w + rng.normal(scale=0.1, size=rows)
with open("big.csv", "w") as f:
    f.write(",".join("f%d" % k for k in range(feats)) + ",y\n")
    np.savetxt(f, np.column_stack([X, y]), fmt="%.6f", delimiter=",")
PY
cat >big.yaml <<'YAML'
name: big
seed: 3
trials: 2
data: {path: big.csv, target: y}
model: {type: linear}
train: {folds: 2}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-2]}
  epochs: 1
YAML
csv_mb=$(du -m big.csv | cut -f1)
values_mb=$("$PY" -c 'print(round(400000 * 51 * 8 / 1e6, 1))')
echo "data set: big.csv, $csv_mb MB of text; $values_mb MB as float64"
"$LRSWEEP" validate big.yaml || exit 1

now() { date +%s.%N; }

# (a) CSV read, paired and interleaved.
cat >pandas_read.py <<'PY'
import sys, time
import pandas as pd
t = time.perf_counter()
pd.read_csv(sys.argv[1])
print(time.perf_counter() - t)
PY
: >a.txt
for r in $(seq 1 "$ROUNDS"); do
    for who in $( [ $((r % 2)) -eq 1 ] && echo "lrs pandas" || echo "pandas lrs"); do
        if [ "$who" = lrs ]; then
            t0=$(now); "$LRSWEEP" validate big.yaml >/dev/null || exit 1; t1=$(now)
            lrs=$(echo "$t1 - $t0" | bc)
        else
            pd=$("$PY" pandas_read.py big.csv)
        fi
    done
    echo "$lrs $pd" >>a.txt
done

# (b) run to the first completed trial, against train --spec.
first_trial() {
    rm -f run.db run.db-wal run.db-shm
    local t0 t1 pid
    t0=$(now)
    "$LRSWEEP" run big.yaml --db run.db --workers 1 --quiet >/dev/null 2>run.err &
    pid=$!
    until [ -f run.db ] && [ "$(sqlite3 -cmd ".timeout 3000" run.db \
        "SELECT COUNT(*) FROM trials WHERE status = 'complete'" 2>/dev/null)" -ge 1 ] 2>/dev/null; do
        sleep 0.02
    done
    t1=$(now)
    wait "$pid"
    echo "$t1 - $t0" | bc
}
: >b.txt
for r in $(seq 1 "$ROUNDS"); do
    if [ $((r % 2)) -eq 1 ]; then
        run=$(first_trial)
        t0=$(now); "$LRSWEEP" train --spec big.yaml --trial 0 >/dev/null 2>&1; t1=$(now)
    else
        t0=$(now); "$LRSWEEP" train --spec big.yaml --trial 0 >/dev/null 2>&1; t1=$(now)
        run=$(first_trial)
    fi
    echo "$run $(echo "$t1 - $t0" | bc)" >>b.txt
done

# (c) PSS of coordinator + 2 workers, summed over the process tree.
rm -f mem.db*
"$LRSWEEP" run big.yaml --db mem.db --workers 2 --quiet >/dev/null 2>mem.err &
coord=$!
peak=0
while kill -0 "$coord" 2>/dev/null; do
    total=0
    for p in $coord $(pgrep -P "$coord"); do
        kb=$(awk '/^Pss:/ {print $2}' "/proc/$p/smaps_rollup" 2>/dev/null)
        total=$((total + ${kb:-0}))
    done
    [ "$total" -gt "$peak" ] && peak=$total
    sleep 0.05
done
wait "$coord"

"$PY" - a.txt b.txt "$peak" "$values_mb" "$ROUNDS" <<'PY'
import statistics as st, sys
a = [tuple(map(float, l.split())) for l in open(sys.argv[1])]
b = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
peak_mb = int(sys.argv[3]) * 1024 / 1e6
values = float(sys.argv[4])
print("(a) CSV read, %s paired rounds: lrsweep validate %.2f s, pandas.read_csv %.2f s (medians); "
      "ratio lrsweep/pandas %.2f (median of rounds; goal <= 1)"
      % (sys.argv[5], st.median(x for x, _ in a), st.median(y for _, y in a),
         st.median(x / y for x, y in a)))
print("(b) run to first complete trial %.2f s, train --spec %.2f s (medians); ratio %.2f "
      "(median of rounds; goal <= 1.3)"
      % (st.median(x for x, _ in b), st.median(y for _, y in b), st.median(x / y for x, y in b)))
print("(c) peak PSS, coordinator + 2 workers: %.0f MB = %.2f x the %.0f MB of float64 values "
      "(goal <= 2.5)" % (peak_mb, peak_mb / values, values))
PY
