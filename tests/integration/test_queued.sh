#!/usr/bin/env bash
# test_queued.sh — running vs queued: a worker that runs 1 trial at a time
# but has asked for more holds leases it has not started.  The progress line
# and `status` (text and --json) show them as queued, not running.
#
# usage: bash test_queued.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# 14 trials of 500 ms on one local worker (1 job, which prefetches): the
# progress log line at 5 s falls mid-sweep
synthetic_spec q.yaml q 4 14 500 10 1.0 'constant: {}'
spawn pid run.out run.err run q.yaml --db q.db --workers 1
seen_status=0
for _ in $(seq 1 80); do
    sleep 0.1
    "$LRSWEEP" status q --db q.db --json >st.json 2>/dev/null || continue
    if python3 -c 'import json,sys; d=json.load(open("st.json")); sys.exit(0 if d["running"] == 1 and d["queued"] >= 1 else 1)'; then
        seen_status=1
        "$LRSWEEP" status q --db q.db >st.txt 2>&1
        break
    fi
done
check
[ "$seen_status" = 1 ] || fail "status --json never showed 1 running and a queued trial: $(cat st.json)"
check
grep -qE "  running 1  queued [1-9][0-9]*  pending " st.txt || fail "status text: $(cat st.txt)"
wait "$pid"
wrc=$?
check
[ "$wrc" -eq 0 ] || fail "the sweep failed: $(tail -3 run.err)"
mid=$(grep ' done  running ' run.err | grep -v '^.*: 0/14 ' | grep -v ' 14/14 ' | head -1)
check
case $mid in
*" running 1  queued "[1-9]*) ;;
*) fail "no mid-sweep progress line with 1 running and some queued: $(grep ' done ' run.err)" ;;
esac
last=$(grep ' done  running ' run.err | tail -1)
check
case $last in *"14/14 done  running 0  queued 0 "*) ;; *) fail "last line: $last" ;; esac
summary
