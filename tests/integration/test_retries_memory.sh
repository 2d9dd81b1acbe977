#!/usr/bin/env bash
# test_retries_memory.sh — `retries: N` runs a command that failed again
# with the same seed (each failed run noted in the trial's log), but not
# one that timed out, diverged or passed its memory limit;
# `memory_limit: SIZE` kills a run whose process group holds more resident
# memory and records why — as a process and through a preload helper;
# validate refuses bad values.
#
# usage: bash test_retries_memory.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

cat >t.py <<'PY'
import json, os, sys, time
p = json.loads(os.environ["LRSWEEP_PARAMS"])
case, trial = p["case"], os.environ["LRSWEEP_TRIAL"]
runs = "runs-%s" % trial
with open(runs, "a") as f:
    f.write("%s\n" % os.environ["LRSWEEP_SEED"])
n = sum(1 for _ in open(runs))
print("epoch=1 val_loss=%d" % (10 + n))   # a report the failed runs make too
if case == "flaky" and n < 3:
    sys.exit(4)
if case == "broken":
    sys.exit(5)
if case == "hang":
    time.sleep(30)
if case == "nan":
    print("val_loss=nan")
    sys.exit(0)
if case == "hog":
    blocks = []
    for _ in range(12):   # 192 MiB in all
        blocks.append(bytearray(16 << 20))   # touched: resident
        time.sleep(0.02)
if case == "small":
    blocks = [bytearray(8 << 20)]
print("epoch=2 val_loss=%d" % n)
PY
spec() {   # name, extra lines
    cat <<YAML
name: $1
sampler: grid
seed: 3
metric: val_loss
timeout: 1
workdir: .
command: $PY t.py
$2
search:
  case: {values: [flaky, broken, hang, nan, hog, small]}
YAML
}
st() {   # db, case → status|error|score|runs
    local t
    t=$(q "$1" "SELECT trial FROM trials WHERE json_extract(params, '$.case') = '$2'")
    echo "$(q "$1" "SELECT status || '|' || COALESCE(error, '') || '|' || COALESCE(score, '') FROM trials WHERE trial = $t")|$(wc -l <"runs-$t")"
}

for mode in process preload; do
    rm -f runs-*
    extra=$'retries: 2\nmemory_limit: 96MiB'
    [ $mode = preload ] && extra+=$'\npreload: [json]'
    spec "$mode" "$extra" >"$mode.yaml"
    check
    "$LRSWEEP" run "$mode.yaml" --db "$mode.db" --workers 2 --quiet >"$mode.out" 2>&1
    [ "$(st "$mode.db" flaky)" = "complete||3.0|3" ] || fail "$mode flaky: $(st "$mode.db" flaky)"
    [ "$(st "$mode.db" broken)" = "failed|exit status 5||3" ] || fail "$mode broken: $(st "$mode.db" broken)"
    [ "$(st "$mode.db" hang)" = "failed|timeout||1" ] || fail "$mode hang: $(st "$mode.db" hang)"
    case $(st "$mode.db" nan) in "diverged|"*"|1") ;; *) fail "$mode nan: $(st "$mode.db" nan)" ;; esac
    case $(st "$mode.db" hog) in "failed|memory limit 96 MiB exceeded (RSS "*" MiB)||1") ;;
        *) fail "$mode hog: $(st "$mode.db" hog)" ;; esac
    [ "$(st "$mode.db" small)" = "complete||1.0|1" ] || fail "$mode small: $(st "$mode.db" small)"
    check
    t=$(q "$mode.db" "SELECT trial FROM trials WHERE json_extract(params, '$.case') = 'flaky'")
    [ "$(sort -u "runs-$t" | wc -l)" = 1 ] || fail "$mode: a retried run got another seed"
    log=$(q "$mode.db" "SELECT log_tail FROM trials WHERE trial = $t")
    for k in 1 2; do
        case $log in *"[lrsweep] run $k of at most 3 failed (exit status 4): running it again with the same seed"*) ;;
            *) fail "$mode: the log lacks failed run $k: $log" ;; esac
    done
    # the curve is the successful run's: its two reports, not the failed runs' first ones
    n=$(q "$mode.db" "SELECT COUNT(*) || ' ' || MIN(val_loss) FROM trial_curves WHERE trial = $t")
    [ "$n" = "2 3.0" ] || fail "$mode: the flaky trial's curve is '$n', want its last run's two points"
done

# Without retries a failed run is final.
rm -f runs-*
spec once '' >once.yaml
check
"$LRSWEEP" run once.yaml --db once.db --workers 2 --quiet >once.out 2>&1
[ "$(st once.db flaky)" = "failed|exit status 4||1" ] || fail "once flaky: $(st once.db flaky)"
[ "$(st once.db hog)" = "complete||1.0|1" ] || fail "without a limit the hog completes: $(st once.db hog)"

expect_invalid() {   # name, line, fragment
    check
    spec "$1" "$2" >"$1.yaml"
    "$LRSWEEP" validate "$1.yaml" >"$1.val" 2>&1
    rc=$?
    [ $rc -eq 2 ] || fail "$1: validate exited $rc"
    grep -qF -- "$3" "$1.val" || { fail "$1: no '$3' in"; cat "$1.val"; }
}
expect_invalid small_limit 'memory_limit: 4096' "memory_limit: 4096 is below 1 MiB"
expect_invalid bad_limit 'memory_limit: lots' "memory_limit: expected a size such as 4GiB or 512M"
expect_invalid many_retries 'retries: 11' "retries"

summary
