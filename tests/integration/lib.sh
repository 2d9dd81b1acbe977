# lib.sh — the prelude every integration script shares; sourced, never run
# (CMake registers only test_*.sh).  A script starts with
#     . "$(dirname "$0")/lib.sh"
# which reads the lrsweep binary from the script's first argument (made
# absolute, since scripts cd), makes a temporary folder $TMP removed on exit,
# kills -9 every pid the script put in PIDS (a function `on_cleanup`, when
# the script defines one, runs before $TMP is removed), and zeroes the
# counters `checks` and `failures`.  The script ends with `summary`, which
# prints "NAME: N checks, N failures" and returns 0 only without failures.
set -u
TEST_NAME=$(basename "$0" .sh)
LRSWEEP=${1:?usage: $TEST_NAME.sh /path/to/lrsweep}
case $LRSWEEP in /*) ;; *) LRSWEEP=$PWD/$LRSWEEP ;; esac
PY=/usr/bin/python3
HERE=$(cd "$(dirname "$0")" && pwd)
EXAMPLES=$(cd "$HERE/../../examples" && pwd)
TMP=$(mktemp -d)
PIDS=()
lib_cleanup() {
    for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
    if declare -F on_cleanup >/dev/null; then on_cleanup; fi
    rm -rf "$TMP"
}
trap lib_cleanup EXIT
failures=0
checks=0

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
check() { checks=$((checks + 1)); }

# summary: the final line; the status is the script's verdict.
summary() {
    echo "$TEST_NAME: $checks checks, $failures failures"
    [ "$failures" -eq 0 ]
}

# run ARGS... : runs lrsweep, stdout/stderr in $TMP/out and $TMP/err, status in $rc.
run() {
    "$LRSWEEP" "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
}

# expect_status SUBCOMMAND STDOUT WANT PATTERN ARGS... : one check; runs
# `lrsweep SUBCOMMAND ARGS`, wants exit status WANT and PATTERN (a fixed
# string) in stderr.  STDOUT says when stdout must be empty: any (never),
# usage (when WANT is 2) or empty (always).
expect_status() {
    local sub=$1 rule=$2 want=$3 pattern=$4
    shift 4
    checks=$((checks + 1))
    "$LRSWEEP" "$sub" "$@" >"$TMP/out" 2>"$TMP/err"
    local got=$?
    if [ "$got" -ne "$want" ]; then
        fail "$sub $* exited $got, want $want; stderr: $(cat "$TMP/err")"
    elif ! grep -qF -- "$pattern" "$TMP/err"; then
        fail "$sub $*: stderr lacks '$pattern': $(cat "$TMP/err")"
    elif [ "$rule" = usage ] && [ "$want" -eq 2 ] && [ -s "$TMP/out" ]; then
        fail "$sub $*: printed output despite a usage error"
    elif [ "$rule" = empty ] && [ -s "$TMP/out" ]; then
        fail "$sub $*: printed on stdout: $(cat "$TMP/out")"
    fi
}

# json_assert FILE PYTHON-ASSERTIONS MESSAGE : one check; FILE must hold
# exactly one line of JSON, `d` is its object; MESSAGE is the failure.
json_assert() {
    checks=$((checks + 1))
    python3 - "$1" "$2" <<'EOF' || fail "$3"
import json, math, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, "expected exactly one line of JSON, got %d" % len(lines)
d = json.loads(lines[0])
exec(sys.argv[2])
EOF
}

# spawn VAR OUT ERR ARGS... : starts `lrsweep ARGS` in the background (stdout
# to OUT, stderr to ERR), adds it to PIDS and puts its pid in the variable VAR.
spawn() {
    local out=$2 err=$3
    "$LRSWEEP" "${@:4}" >"$out" 2>"$err" &
    PIDS+=("$!")
    printf -v "$1" %s "$!"
}

# synthetic_spec FILE NAME SEED TRIALS COST_MS EPOCHS LR_HIGH SCHEDULER: a
# random sweep of the synthetic model: lr log-uniform in [1e-4, LR_HIGH],
# sgd (momentum) or adam (beta1), cosine or the scheduler given as one YAML
# line (e.g. 'step: {step_size: 2}').
synthetic_spec() {
    cat >"$1" <<EOF
name: $2
seed: $3
trials: $4
sampler: random
objective: {metric: val_loss, goal: minimize}
model: {type: synthetic, cost_ms: $5}
search:
  lr: {log_uniform: [1.0e-4, $7]}
  epochs: $6
  optimizer:
    sgd:
      momentum: {uniform: [0.5, 0.99]}
    adam:
      beta1: {uniform: [0.8, 0.95]}
  scheduler:
    cosine: {eta_min: 0.0}
    $8
EOF
}

# small_cls_csv FILE: a two-class CSV (features a, b; target label), 10 rows.
small_cls_csv() {
    cat >"$1" <<'EOF'
a,b,label
0.1,1.0,cat
0.3,0.8,dog
0.2,1.1,cat
0.9,0.1,dog
0.15,0.95,cat
0.8,0.3,dog
0.05,1.2,cat
0.7,0.2,dog
0.25,1.05,cat
0.85,0.15,dog
EOF
}

# wait_exit PID SECONDS: waits for a background process; 124 on timeout.
wait_exit() {
    local pid=$1 limit=$(($2 * 10))
    for _ in $(seq "$limit"); do
        kill -0 "$pid" 2>/dev/null || { wait "$pid"; return $?; }
        sleep 0.1
    done
    return 124
}

# alive PID: the process exists and is not a zombie
alive() {
    local st
    st=$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null) || return 1
    [ -n "$st" ] && [ "$st" != Z ]
}

# all_gone TENTHS PID... : 0 once none of the PIDs is alive, polled every
# 0.1 s up to TENTHS times; 1 if one still is.
all_gone() {
    local tenths=$1 p
    shift
    for _ in $(seq "$tenths"); do
        local any=0
        for p in "$@"; do alive "$p" && any=1; done
        [ $any = 0 ] && return 0
        sleep 0.1
    done
    return 1
}

# wait_file FILE TENTHS: polls every 0.1 s, up to TENTHS times, until FILE is
# not empty; 1 if it never is.
wait_file() {
    for _ in $(seq "$2"); do [ -s "$1" ] && return 0; sleep 0.1; done
    [ -s "$1" ]
}

# q DB SQL: the rows of a query, columns joined by '|', NULL as empty.
q() { $PY -c 'import sqlite3, sys
con = sqlite3.connect(sys.argv[1])
for row in con.execute(sys.argv[2]):
    print("|".join("" if v is None else str(v) for v in row))' "$@"; }

# canon DB [SWEEP]: sorted "trial params score status" lines of the export.
canon() {
    "$LRSWEEP" export ${2:+"$2"} --db "$1" --format jsonl | $PY -c '
import sys, json
rows = [json.loads(l) for l in sys.stdin]
for r in sorted(rows, key=lambda r: r["trial"]):
    print(r["trial"], json.dumps(r["params"], sort_keys=True), repr(r["score"]), r["status"])'
}
