#!/usr/bin/env bash
# test_core_kill.sh — failures with real processes on this machine:
#  1. kill -9 of a worker mid-trial: its trials are re-run by another worker
#     (attempt 2), the sweep completes, every trial is recorded once;
#  2. kill -9 of the coordinator at several points, restarted each time with
#     the same workers: the final (trial, params, score) set is identical to
#     an uninterrupted run with the same seed;
#  3. results finished while the coordinator is down are delivered after it
#     restarts (faster than re-running them could be), and workers started
#     before the coordinator connect once it is up;
#  4. a worker frozen (SIGSTOP) past its lease comes back (SIGCONT), says HELLO
#     again and delivers its results; every trial is still recorded once.
#
# usage: bash test_core_kill.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# spec FILE NAME TRIALS COST_MS
spec() { synthetic_spec "$1" "$2" 5 "$3" "$4" 6 1.0 'exponential: {gamma: {uniform: [0.8, 0.99]}}'; }

# --- 1. a worker dies mid-trial ---------------------------------------------
check
spec k1.yaml kill-worker 30 300
EP="ipc://$TMP/k1.sock"
spawn cpid c1.out c1.err coordinator k1.yaml --bind "$EP" --db k1.db
spawn apid wa.out wa.err worker --connect "$EP" --jobs 2 --name victim
spawn bpid wb.out wb.err worker --connect "$EP" --jobs 2 --name survivor
sleep 1.5
kill -9 "$apid"
wait_exit "$cpid" 60
rc=$?
[ "$rc" -eq 0 ] || fail "coordinator exited $rc after a worker died: $(tail -3 c1.err)"
grep -q "worker victim stopped heartbeating" c1.err || fail "no expiry logged: $(cat c1.err)"
r=$(sqlite3 k1.db "SELECT COUNT(*), COUNT(DISTINCT trial) FROM trials")
[ "$r" = "30|30" ] || fail "trials after a worker died: $r, want 30|30"
r=$(sqlite3 k1.db "SELECT COUNT(*) FROM trials WHERE attempts = 2 AND worker = 'survivor'")
[ "$r" -ge 1 ] || fail "no trial was re-run (attempt 2) by the surviving worker"
r=$(sqlite3 k1.db "SELECT COUNT(*) FROM trials WHERE status = 'failed'")
[ "$r" = "0" ] || fail "$r trials failed"
wait_exit "$bpid" 20 || fail "surviving worker did not exit 0 after the sweep"

# --- 2. the coordinator dies at several points -------------------------------
check
spec k2.yaml kill-coord 300 20
"$LRSWEEP" run k2.yaml --db ref.db --workers 2 --quiet >/dev/null 2>ref.err || fail "reference run failed: $(cat ref.err)"
EP="ipc://$TMP/k2.sock"
for w in 1 2; do
    spawn "wpid$w" "w$w.out" "w$w.err" worker --connect "$EP" --jobs 2
done
prev=0
for delay in 0.05 0.6 0.8 0.7; do
    "$LRSWEEP" coordinator k2.yaml --bind "$EP" --db k2.db --quiet >/dev/null 2>>c2.err &
    cpid=$!
    PIDS+=("$cpid")
    sleep "$delay"
    kill -9 "$cpid"
    wait "$cpid" 2>/dev/null
    now=$(sqlite3 k2.db "SELECT COUNT(*) FROM trials" 2>/dev/null || echo 0)
    echo "after a kill -9 at ${delay}s: $now trials recorded"
    [ "${now:-0}" -ge "$prev" ] || fail "recorded trials went down from $prev to $now"
    prev=${now:-0}
done
[ "$prev" -gt 0 ] && [ "$prev" -lt 300 ] || fail "kills did not land mid-sweep ($prev of 300 recorded)"
timeout 120 "$LRSWEEP" coordinator k2.yaml --bind "$EP" --db k2.db --quiet >/dev/null 2>>c2.err
rc=$?
[ "$rc" -eq 0 ] || fail "final coordinator exited $rc: $(tail -3 c2.err)"
canon ref.db kill-coord >ref.txt
canon k2.db kill-coord >k2.txt
[ "$(wc -l <k2.txt)" -eq 300 ] || fail "interrupted sweep has $(wc -l <k2.txt) trials"
cmp -s ref.txt k2.txt || fail "interrupted sweep differs from the uninterrupted one: $(diff ref.txt k2.txt | head -5)"
r=$(sqlite3 k2.db "SELECT COUNT(*), COUNT(DISTINCT trial) FROM trials")
[ "$r" = "300|300" ] || fail "duplicates after restarts: $r"
wait_exit "$wpid1" 20 || fail "worker 1 did not exit 0 at the end"
wait_exit "$wpid2" 20 || fail "worker 2 did not exit 0 at the end"

# --- 3. results survive a coordinator outage; workers may start first ----------
check
spec k3.yaml outage 2 3000
EP="ipc://$TMP/k3.sock"
spawn w3 w3.out w3.err worker --connect "$EP" --jobs 2 --name early
sleep 1.5   # the worker waits for a coordinator that is not there yet
spawn cpid /dev/null c3.err coordinator k3.yaml --bind "$EP" --db k3.db --quiet
for _ in $(seq 60); do
    r=$(sqlite3 k3.db "SELECT COUNT(*) FROM leases" 2>/dev/null || echo 0)
    [ "${r:-0}" -ge 2 ] && break
    sleep 0.1
done
[ "${r:-0}" -ge 2 ] || fail "the early worker never got its trials"
kill -9 "$cpid"
wait "$cpid" 2>/dev/null
sleep 3.5   # both trials finish while nobody listens
start=$(date +%s.%N)
timeout 60 "$LRSWEEP" coordinator k3.yaml --bind "$EP" --db k3.db --quiet >/dev/null 2>>c3.err
rc=$?
took=$($PY -c "import sys; print(round($(date +%s.%N) - $start, 2))")
[ "$rc" -eq 0 ] || fail "restarted coordinator exited $rc: $(cat c3.err)"
echo "restarted coordinator finished in ${took}s (re-running would take >= 3 s)"
$PY -c "import sys; sys.exit(0 if $took < 2.8 else 1)" || fail "results were not re-sent: the restart took ${took}s"
r=$(sqlite3 k3.db "SELECT COUNT(*), SUM(attempts), MIN(worker) FROM trials")
[ "$r" = "2|2|early" ] || fail "outage trials: $r, want 2|2|early"
wait_exit "$w3" 20 || fail "the early worker did not exit 0"

# --- 4. a worker cut off for a while comes back cleanly ------------------------
check
spec k4.yaml partition 80 150
EP="ipc://$TMP/k4.sock"
spawn cpid c4.out c4.err coordinator k4.yaml --bind "$EP" --db k4.db
spawn fpid wf.out wf.err worker --connect "$EP" --jobs 2 --name frozen
spawn spid ws.out ws.err worker --connect "$EP" --jobs 1 --name steady
sleep 1
kill -STOP "$fpid"   # as good as a network partition: silent, but alive
sleep 4
kill -CONT "$fpid"
wait_exit "$cpid" 60
rc=$?
[ "$rc" -eq 0 ] || fail "coordinator exited $rc around a partition: $(tail -3 c4.err)"
grep -q "worker frozen stopped heartbeating" c4.err || fail "the frozen worker was not expired: $(cat c4.err)"
[ "$(grep -c 'worker frozen joined' c4.err)" -ge 2 ] || fail "the frozen worker did not rejoin: $(cat c4.err wf.err)"
r=$(sqlite3 k4.db "SELECT COUNT(*), COUNT(DISTINCT trial) FROM trials")
[ "$r" = "80|80" ] || fail "trials around a partition: $r"
r=$(sqlite3 k4.db "SELECT COUNT(*) FROM trials WHERE worker = 'frozen'")
[ "$r" -ge 1 ] || fail "the frozen worker recorded nothing"
wait_exit "$fpid" 20 || fail "the frozen worker did not exit 0: $(cat wf.err)"
wait_exit "$spid" 20 || fail "the steady worker did not exit 0"

summary
