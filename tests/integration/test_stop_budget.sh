#!/usr/bin/env bash
# test_stop_budget.sh — ending a sweep on purpose, and what status tells:
#   1. budget.trials: a run ends with exactly that many trials, complete by
#      budget (exit 0, workers exit 0); run again it does nothing and says
#      why; a larger budget continues it;
#   2. budget.time with running: cancel: the run ends on time, its running
#      trials cancelled (no lease left), the seconds summed over sessions;
#   3. lrsweep stop on a coordinator with two workers: no new trials, the
#      running ones finish (every lease resolved), coordinator and workers
#      exit 0, status says stopped and lists the workers as left; a later
#      run does not resume it, one with a budget does;
#   4. lrsweep stop --cancel ends a sweep of long trials at once;
#   5. stop of a sweep no coordinator runs marks it stopped; of an unknown
#      sweep exits 2; of a coordinator on another host exits 1;
#   6. status of a coordinator killed with -9 says it is gone and its
#      workers' state unknown;
#   7. a database of a newer results schema is refused by every command
#      with one message naming both schemas and the release that wrote it;
#   8. budget: errors name the line and field.
. "$(dirname "$0")/lib.sh"
cd "$TMP"

ms() { echo $(($(date +%s%N) / 1000000)); }
# spec FILE NAME TRIALS COST_MS [BUDGET-YAML]
spec() {
    {
        echo "name: $2"
        echo "trials: $3"
        [ -n "${5:-}" ] && echo "budget: $5"
        echo "model: {type: synthetic, cost_ms: $4}"
        echo "search:"
        echo "  lr: {log_uniform: [1.0e-4, 1.0e-1]}"
    } >"$1"
}
count() { q "$1" "SELECT COUNT(*) || '/' || COUNT(DISTINCT trial) FROM trials"; }
leases() { q "$1" "SELECT COUNT(*) FROM leases"; }
# until_trials DB N TENTHS: waits until DB holds at least N trials
until_trials() {
    for _ in $(seq "$3"); do
        local n
        n=$(q "$1" "SELECT COUNT(*) FROM trials" 2>/dev/null || echo 0)
        [ "${n:-0}" -ge "$2" ] && return 0
        sleep 0.1
    done
    return 1
}

# --- 1. budget.trials -----------------------------------------------------------
spec b.yaml b 60 10 "{trials: 12}"
check
run run b.yaml --db b.db --workers 2
[ $rc -eq 0 ] || fail "1: run with budget.trials 12 exited $rc: $(tail -3 "$TMP/err")"
check
[ "$(count b.db)" = 12/12 ] || fail "1: $(count b.db) trials recorded, want 12/12"
check
[ "$(q b.db "SELECT ended || '|' || end_reason FROM sweeps")" = "budget|used up its budget of 12 trials" ] ||
    fail "1: sweeps row: $(q b.db "SELECT ended, end_reason FROM sweeps")"
check
grep -q "worker .*: sweep 'b' used up its budget of 12 trials; exiting" "$TMP/err" ||
    fail "1: the workers were not told why the sweep ended: $(cat "$TMP/err")"
check
run run b.yaml --db b.db --workers 2
[ $rc -eq 0 ] && [ "$(count b.db)" = 12/12 ] &&
    grep -q "sweep 'b' used up its budget of 12 trials; to continue it, raise budget.trials" "$TMP/err" ||
    fail "1: the same budget again: rc $rc, $(count b.db), $(cat "$TMP/err")"
spec b.yaml b 60 10 "{trials: 30}"
check
run run b.yaml --db b.db --workers 2
[ $rc -eq 0 ] && [ "$(count b.db)" = 30/30 ] && grep -q "continuing sweep 'b'" "$TMP/err" ||
    fail "1: budget 30 did not continue to 30: rc $rc, $(count b.db)"
echo "1: budget.trials 12 -> $(count b.db | cut -d/ -f1) after raising it to 30"

# --- 2. budget.time, running: cancel ------------------------------------------
spec t.yaml t 1000 200 "{time: 2s, running: cancel}"
check
t0=$(ms)
run run t.yaml --db t.db --workers 2
took=$(($(ms) - t0))
echo "2: budget.time 2s: run took $took ms, $(count t.db) trials"
[ $rc -eq 0 ] || fail "2: rc $rc: $(tail -3 "$TMP/err")"
check
[ $took -ge 2000 ] && [ $took -lt 6000 ] || fail "2: a 2 s budget took $took ms"
check
[ "$(leases t.db)" = 0 ] && grep -q "cancelled [1-9][0-9]* running trial(s)" "$TMP/err" ||
    fail "2: running trials not cancelled: $(leases t.db) leases; $(cat "$TMP/err")"
check
[ "$(q t.db "SELECT ended FROM sweeps")" = budget ] || fail "2: ended $(q t.db "SELECT ended FROM sweeps")"
first=$(q t.db "SELECT elapsed FROM coordinators")
spec t.yaml t 1000 200 "{time: 3s, running: cancel}"
check
t0=$(ms)
run run t.yaml --db t.db --workers 2
took=$(($(ms) - t0))
total=$(q t.db "SELECT elapsed FROM coordinators")
echo "2: raised to 3s: second session $took ms, elapsed $first + ... = $total s"
[ $rc -eq 0 ] && [ $took -ge 500 ] && [ $took -lt 4000 ] || fail "2: second session rc $rc in $took ms"
check
$PY -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(not (2.0 <= a < 3.0 <= b < 4.5))" \
    "$first" "$total" || fail "2: elapsed $first then $total; want 2-3 then 3-4.5 (summed over sessions)"

# --- 3. lrsweep stop: running trials finish ---------------------------------------
spec s.yaml s 400 150
spawn CP c.out c.err coordinator s.yaml --bind "ipc://$TMP/s.sock" --db s.db
spawn W1 w1.out w1.err worker --connect "ipc://$TMP/s.sock" --jobs 2 --name w1
spawn W2 w2.out w2.err worker --connect "ipc://$TMP/s.sock" --jobs 2 --name w2
until_trials s.db 8 100 || fail "3: no trials recorded"
check
run status --db s.db
grep -q "coordinator: running, pid $CP on " "$TMP/out" || fail "3: status does not show the running coordinator: $(cat "$TMP/out")"
check
grep -Eq "^    w1 +[^ ]+ +$W1 +2 +[0-9]+ .* connected$" "$TMP/out" ||
    fail "3: status lacks worker w1 (pid $W1, 2 jobs, connected): $(cat "$TMP/out")"
check
t0=$(ms)
run stop s --db s.db
took=$(($(ms) - t0))
echo "3: stop took $took ms: $(cat "$TMP/out")"
[ $rc -eq 0 ] && grep -q "^sweep 's' was stopped by request (lrsweep stop) with [0-9]* of 400 trials finished$" "$TMP/out" ||
    fail "3: stop rc $rc, out $(cat "$TMP/out"), err $(cat "$TMP/err")"
wait_exit "$CP" 10; crc=$?
wait_exit "$W1" 10; w1rc=$?
wait_exit "$W2" 10; w2rc=$?
check
[ "$crc/$w1rc/$w2rc" = 0/0/0 ] || fail "3: coordinator/workers exited $crc/$w1rc/$w2rc, want 0/0/0: $(tail -2 c.err w1.err w2.err)"
check
n=$(count s.db)
[ "$(leases s.db)" = 0 ] && [ "${n%/*}" = "${n#*/}" ] && [ "${n%/*}" -lt 400 ] ||
    fail "3: after stop: $n trials, $(leases s.db) leases (running trials must finish)"
check
[ "$(q s.db "SELECT ended FROM sweeps")" = stopped ] || fail "3: ended is '$(q s.db "SELECT ended FROM sweeps")'"
check
run status --db s.db
grep -q "sweep s was stopped by request (lrsweep stop) with" "$TMP/out" &&
    grep -q "coordinator: exited with status 0" "$TMP/out" &&
    grep -Eq "^    w2 .* left \(the sweep ended\)$" "$TMP/out" ||
    fail "3: status after stop: $(cat "$TMP/out")"
check
run status --db s.db --json
$PY -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["ended"] == "stopped", d["ended"]
assert d["coordinator"]["state"] == "exited" and d["coordinator"]["exit_status"] == 0, d["coordinator"]
w = {x["name"]: x for x in d["workers"]}
assert set(w) == {"w1", "w2"}, w
assert all(x["state"] == "left" and x["jobs"] == 2 for x in w.values()), w
assert sum(x["trials_done"] for x in w.values()) == int(sys.argv[2]), (w, sys.argv[2])
' "$TMP/out" "${n%/*}" || fail "3: status --json after stop: $(cat "$TMP/out")"
check
run run s.yaml --db s.db --workers 1
[ $rc -eq 0 ] && [ "$(count s.db)" = "$n" ] && grep -q "to continue it, run it with a larger budget" "$TMP/err" ||
    fail "3: a run of the stopped sweep: rc $rc, $(count s.db) (was $n): $(cat "$TMP/err")"
spec s.yaml s 400 150 "{trials: $((${n%/*} + 6))}"
check
run run s.yaml --db s.db --workers 1
[ $rc -eq 0 ] && [ "$(count s.db)" = "$((${n%/*} + 6))/$((${n%/*} + 6))" ] ||
    fail "3: a budget did not continue the stopped sweep: rc $rc, $(count s.db)"

# --- 4. stop --cancel --------------------------------------------------------
spec c.yaml c 50 4000
spawn CP c.out c.err coordinator c.yaml --bind "ipc://$TMP/c.sock" --db c.db
spawn W1 w1.out w1.err worker --connect "ipc://$TMP/c.sock" --jobs 2 --name w1
for _ in $(seq 100); do [ "$(leases c.db 2>/dev/null || echo 0)" -ge 2 ] && break; sleep 0.1; done
check
t0=$(ms)
run stop c --db c.db --cancel
took=$(($(ms) - t0))
wait_exit "$CP" 10; crc=$?
wait_exit "$W1" 10; w1rc=$?
echo "4: stop --cancel of 4 s trials took $took ms"
[ $rc -eq 0 ] && [ $took -lt 2500 ] && [ "$crc/$w1rc" = 0/0 ] ||
    fail "4: stop --cancel rc $rc in $took ms, coordinator $crc, worker $w1rc: $(cat "$TMP/err")"
check
[ "$(count c.db)" = 0/0 ] && [ "$(leases c.db)" = 0 ] && grep -q "cancelled [2-9] running trial(s)" c.err ||
    fail "4: after --cancel: $(count c.db) trials, $(leases c.db) leases: $(cat c.err)"

# --- 5. stop without a coordinator; unknown sweep; another host ---------------------
spec n.yaml n 20 5 "{trials: 5}"
run run n.yaml --db n.db --workers 1
spec n.yaml n 20 5
check
run stop n --db n.db
[ $rc -eq 0 ] && grep -qF "sweep 'n' already ended: it used up its budget of 5 trials" "$TMP/out" ||
    fail "5: stop of an ended sweep: rc $rc, $(cat "$TMP/out" "$TMP/err")"
spec m.yaml m 200 100
spawn CP c.out c.err coordinator m.yaml --bind "ipc://$TMP/m.sock" --db m.db
for _ in $(seq 50); do grep -q "sweep 'm'" c.err 2>/dev/null && break; sleep 0.1; done
kill -9 "$CP"; wait "$CP" 2>/dev/null
check
run status --db m.db
grep -q "coordinator: gone: pid $CP on .* recorded no exit" "$TMP/out" ||
    fail "6: status of a killed coordinator: $(cat "$TMP/out")"
check
run stop m --db m.db
[ $rc -eq 0 ] && grep -q "sweep 'm' is not running; marked stopped" "$TMP/out" &&
    [ "$(q m.db "SELECT ended FROM sweeps")" = stopped ] ||
    fail "5: stop with no coordinator: rc $rc, $(cat "$TMP/out" "$TMP/err")"
check
run run m.yaml --db m.db --workers 1
[ $rc -eq 0 ] && [ "$(count m.db)" = 0/0 ] || fail "5: a sweep marked stopped ran: rc $rc, $(count m.db)"
expect_status stop empty 2 "no sweep named 'nope'" nope --db m.db
expect_status stop usage 2 "which sweep?" --db m.db
spec h.yaml h 200 100
spawn CP c.out c.err coordinator h.yaml --bind "ipc://$TMP/h.sock" --db h.db
spawn W1 w1.out w1.err worker --connect "ipc://$TMP/h.sock" --name hw
until_trials h.db 2 100
sqlite3 -cmd ".timeout 5000" h.db "UPDATE coordinators SET host = 'far-away'"
expect_status stop empty 1 "run by a coordinator on host 'far-away'" h --db h.db
check
run status --db h.db
grep -q "coordinator: running, pid $CP on far-away" "$TMP/out" || fail "5: status: $(cat "$TMP/out")"

# --- 6. a coordinator killed with -9: status says so ---------------------------------
sqlite3 -cmd ".timeout 5000" h.db "UPDATE coordinators SET host = '$(hostname)'"
kill -9 "$CP"; wait "$CP" 2>/dev/null
check
run status --db h.db --json
$PY -c '
import json, sys
d = json.loads(open(sys.argv[1]).readline())
assert d["coordinator"]["state"] == "gone", d["coordinator"]
assert d["ended"] is None
assert [w["state"] for w in d["workers"]] == ["unknown"], d["workers"]
' "$TMP/out" || fail "6: status --json after kill -9: $(cat "$TMP/out")"
kill "$W1" 2>/dev/null

# --- 7. a newer results schema ---------------------------------------------
cp b.db newer.db
sqlite3 newer.db "PRAGMA user_version = 99; UPDATE meta SET value = '9.9.9' WHERE key = 'written_by'"
schema=$("$LRSWEEP" --version | sed 's/.*results schema \([0-9]*\)).*/\1/')
want="results schema version mismatch: the file has schema 99 (written by lrsweep 9.9.9), this lrsweep"
for cmd in status sweeps best summary; do
    expect_status "$cmd" empty 2 "$want" --db newer.db
done
expect_status export empty 2 "$want" --db newer.db --format csv
expect_status stop empty 2 "$want" b --db newer.db
expect_status run empty 2 "$want" b.yaml --db newer.db --workers 1
check
grep -qF "reads schema $schema and older" "$TMP/err" || fail "7: message does not name schema $schema: $(cat "$TMP/err")"
check
[ "$(q newer.db "PRAGMA user_version")" = 99 ] || fail "7: the refused file was changed"

# --- 8. budget: errors --------------------------------------------------------------
spec bad.yaml bad 10 1 "{trials: 0, time: 5 parsecs, running: later}"
expect_status validate any 2 "bad.yaml:3:18: budget.trials: 0 is out of range" bad.yaml
check
grep -qF "bad.yaml:3:27: budget.time: expected a duration" "$TMP/err" &&
    grep -qF "bad.yaml:3:47: budget.running: expected one of finish, cancel, got 'later'" "$TMP/err" ||
    fail "8: errors: $(cat "$TMP/err")"
spec bad.yaml bad 10 1 "{running: cancel}"
expect_status validate any 2 "budget: give trials, time or both" bad.yaml

summary
