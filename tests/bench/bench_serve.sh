#!/usr/bin/env bash
# bench_serve.sh — does a browser on `lrsweep serve` slow a running sweep?
# R pairs (default 5) of the same synthetic sweep (N trials, default
# 131072, no simulated cost, 2 local workers: the coordinator's own
# throughput), each pair run once alone and once served with a poller that
# does what the live page (report/live.js) does: /status every PERIOD
# seconds (default 2, live.js's) and the whole page whenever the status
# changed, then waits at least thirty times as long as the page took.  A
# poller process runs in both halves (idle when alone), so only the
# serving differs; the order within a pair alternates.  Prints each run's
# trials per second, the requests made, and the median of the pairs'
# ratios (served / alone).  PERIOD=0.2 is a browser ten times as eager.
#   [PERIOD=S] tests/bench/bench_serve.sh build/lrsweep [N] [R]
set -euo pipefail
LRSWEEP=$(realpath "${1:?usage: bench_serve.sh LRSWEEP [TRIALS] [PAIRS]}")
N=${2:-131072}
R=${3:-5}
PERIOD=${PERIOD:-2}
HERE=$(cd "$(dirname "$0")" && pwd)
TMP=$(mktemp -d)
SRV=
trap '[ -n "$SRV" ] && kill "$SRV" 2>/dev/null; rm -rf "$TMP"' EXIT
sed -e "s/^trials: 256 .*/trials: $N/" -e 's/cost_ms: 5}/cost_ms: 0}/' \
    "$HERE/../../examples/synthetic.yaml" >"$TMP/s.yaml"

# one_run served|alone: prints trials per second (and the poller's requests)
one_run() {
    rm -f "$TMP"/s.db*
    local start end
    start=$(date +%s.%N)
    "$LRSWEEP" run "$TMP/s.yaml" --db "$TMP/s.db" --workers 2 --quiet >"$TMP/run.out" 2>&1 &
    local run=$!
    local url=none
    if [ "$1" = served ]; then
        until sqlite3 -cmd ".timeout 3000" "$TMP/s.db" "SELECT name FROM sweeps" 2>/dev/null | grep -q .; do
            sleep 0.01
        done
        "$LRSWEEP" serve --db "$TMP/s.db" --bind 127.0.0.1:0 >"$TMP/srv.out" 2>&1 &
        SRV=$!
        until grep -qoE 'http://[^ ]+/' "$TMP/srv.out" 2>/dev/null; do sleep 0.01; done
        url=$(grep -oE 'http://[^ ]+/' "$TMP/srv.out")
    fi
    /usr/bin/python3 - "$url" "$run" "$PERIOD" >"$TMP/poll.out" <<'PY' &
import os, sys, time, urllib.request
base, run, period = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
last, n, page_s = None, 0, 0.0
while True:
    try:
        os.kill(run, 0)
    except OSError:
        break
    if base != "none":
        try:
            s = urllib.request.urlopen(base + "api/sweeps/synthetic-lr/status").read()
            n += 1
            if s != last:
                t = time.time()
                urllib.request.urlopen(base + "sweeps/synthetic-lr").read()
                page_s = time.time() - t
                n += 1
                last = s
        except Exception:   # a refused or cut request: counted as none
            pass
    time.sleep(max(period, 30 * page_s))
print(n)
PY
    local poller=$!
    wait "$run"
    end=$(date +%s.%N)
    wait "$poller" || true
    local polls
    polls=$(cat "$TMP/poll.out")
    if [ "$1" = served ]; then
        kill "$SRV"
        wait "$SRV" || true
        SRV=
    fi
    [ "$(sqlite3 -cmd ".timeout 3000" "$TMP/s.db" "SELECT COUNT(*) FROM trials")" = "$N" ] ||
        { echo "bench_serve: the sweep did not run: $(cat "$TMP/run.out")" >&2; exit 1; }
    printf '%.1f %s\n' "$(echo "$N / ($end - $start)" | bc -l)" "$polls"
}

ratios=()
for i in $(seq "$R"); do
    if [ $((i % 2)) = 1 ]; then
        read -r alone _ < <(one_run alone)
        read -r served polls < <(one_run served)
    else
        read -r served polls < <(one_run served)
        read -r alone _ < <(one_run alone)
    fi
    ratio=$(echo "$served / $alone" | bc -l)
    ratios+=("$ratio")
    printf 'pair %d: alone %s trials/s, served %s trials/s (%s requests), ratio %.3f\n' \
        "$i" "$alone" "$served" "$polls" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
printf 'serve: %d trials, %d pairs, polling every %s s: median throughput ratio served/alone %.3f\n' \
    "$N" "$R" "$PERIOD" "$median"
