#!/usr/bin/env bash
# test_lifecycle.sh — the worker lifecycle contract (docs/deploy.md):
#   1. --idle-timeout: a worker that hears from no coordinator exits 3, on time;
#   2. a coordinator stopped with SIGTERM does not end its workers: they wait,
#      and carry on when it is started again;
#   3. a worker is pinned to the sweep it joined: a coordinator of another
#      sweep on the same address gets nothing from it, and it keeps waiting;
#   4. only a complete sweep ends workers (exit 0), and a worker that joins a
#      sweep that is already complete (--linger) exits 0 too;
#   5. --heartbeat-ms / --liveness reach workers; log lines off a terminal
#      start with an ISO 8601 UTC time; --log-format json is JSON Lines.
. "$(dirname "$0")/lib.sh"
cd "$TMP"

# wait_exit PID SECONDS : waits for PID to end; its status in $st (124: still running).
wait_exit() {
    local pid=$1 deadline=$((SECONDS + $2))
    while kill -0 "$pid" 2>/dev/null && [ $SECONDS -lt $deadline ]; do sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then st=124; return; fi
    wait "$pid"
    st=$?
}
# wait_for FILE PATTERN SECONDS : until FILE holds PATTERN (fixed string).
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.1
    done
}
recorded() { sqlite3 "$1" "SELECT COUNT(*) || '/' || COUNT(DISTINCT trial) FROM trials"; }

# --- 1. idle timeout --------------------------------------------------------
check
ms() { echo $(($(date +%s%N) / 1000000)); }
start=$(ms)
"$LRSWEEP" worker --connect "ipc://$TMP/nobody.sock" --idle-timeout 1.5 --name lonely \
    >idle.out 2>idle.err
st=$?
took=$(($(ms) - start))
[ "$st" -eq 3 ] || fail "1: idle worker exited $st, want 3: $(cat idle.err)"
[ "$took" -ge 1400 ] && [ "$took" -lt 6000 ] || fail "1: idle timeout of 1.5 s took $took ms"
grep -q -- '--idle-timeout' idle.err || fail "1: the worker does not say why it exits: $(cat idle.err)"
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z worker lonely: ' idle.err ||
    fail "1: log lines off a terminal lack the ISO 8601 time and role: $(cat idle.err)"
check
"$LRSWEEP" worker --connect "ipc://$TMP/nobody.sock" --idle-timeout 0.5 --name j \
    --log-format json >/dev/null 2>json.err
$PY - json.err <<'PYEOF' || fail "5: --log-format json is not JSON Lines with time, role, name, msg"
import json, re, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines
for l in lines:
    d = json.loads(l)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", d["time"]), d
    assert d["role"] == "worker" and d["name"] == "j" and d["msg"], d
PYEOF
expect_status worker usage 2 "--idle-timeout: expected seconds" --connect ipc:///x --idle-timeout soon

# --- 2 and 3. graceful stop, restart, pinning ---------------------------------
synthetic_spec a.yaml sweep-a 11 40 40 4 1.0 'step: {step_size: 2}'
synthetic_spec b.yaml sweep-b 12 10 5 2 1.0 'step: {step_size: 2}'
EP="ipc://$TMP/c.sock"
spawn c1 c1.out c1.err coordinator a.yaml --bind "$EP" --db a.db --heartbeat-ms 200 --liveness 4
spawn w1 w1.out w1.err worker --connect "$EP" --jobs 2 --name pinned
check
wait_for w1.err "joined sweep 'sweep-a'" 10 || fail "2: the worker did not join: $(cat w1.err)"
sleep 0.5
kill -TERM "$c1"
wait_exit "$c1" 40
[ "$st" -eq 130 ] || fail "2: coordinator stopped by SIGTERM exited $st, want 130"
done_a=$(sqlite3 a.db "SELECT COUNT(*) FROM trials")
check
[ "$done_a" -lt 40 ] || fail "2: the sweep finished before the stop ($done_a); the test proves nothing"
wait_for w1.err "the coordinator stops" 5 || fail "2: the worker was not told the coordinator stops"
sleep 0.5
kill -0 "$w1" 2>/dev/null || fail "2: a coordinator stop ended the worker: $(cat w1.err)"

# sweep B on the same address: the pinned worker takes none of its trials
spawn c2 c2.out c2.err coordinator b.yaml --bind "$EP" --db b.db --heartbeat-ms 200
check
wait_for w1.err "pinned to" 15 || fail "3: the pinned worker did not refuse sweep-b: $(cat w1.err)"
sleep 1
[ "$(sqlite3 b.db 'SELECT COUNT(*) FROM trials')" = 0 ] || fail "3: the pinned worker ran sweep-b trials"
kill -0 "$w1" 2>/dev/null || fail "3: the pinned worker exited instead of waiting"
kill -INT "$c2"
wait_exit "$c2" 20

# sweep A again: the worker rejoins, the sweep completes, the worker exits 0
spawn c3 c3.out c3.err coordinator a.yaml --bind "$EP" --db a.db --heartbeat-ms 200 --linger 30
check
wait_for c3.err "sweep complete; telling workers" 90 || fail "2: the restarted sweep did not complete: $(tail -5 c3.err)"
wait_exit "$w1" 30
[ "$st" -eq 0 ] || fail "4: the worker exited $st at the end of its sweep, want 0: $(tail -3 w1.err)"
check
[ "$(recorded a.db)" = "40/40" ] || fail "2: sweep-a recorded $(recorded a.db), want 40/40 (none lost, none twice)"
grep -q "rejoined sweep 'sweep-a'\|joined sweep 'sweep-a'" w1.err || fail "2: no rejoin line"

# --- 4. a worker that joins a complete sweep exits 0 ------------------------
check
"$LRSWEEP" worker --connect "$EP" --idle-timeout 20 --name late >late.out 2>late.err
st=$?
[ "$st" -eq 0 ] || fail "4: a worker joining a complete sweep exited $st, want 0: $(cat late.err)"
grep -q "is complete" late.err || fail "4: the late worker does not say the sweep is complete"
kill -TERM "$c3"
wait_exit "$c3" 10
check
[ "$st" -eq 0 ] || fail "4: a lingering coordinator of a complete sweep exited $st on SIGTERM, want 0"

# --- 5. the welcome carries the heartbeat and liveness ----------------------
# with --heartbeat-ms 200 --liveness 4 a worker that loses its coordinator
# says so after about 0.8 s (timers add up to one check interval), well
# before the default 3 s
synthetic_spec h.yaml sweep-h 13 200 200 4 1.0 'step: {step_size: 2}'
EP2="ipc://$TMP/h.sock"
spawn c4 c4.out c4.err coordinator h.yaml --bind "$EP2" --db h.db --heartbeat-ms 200 --liveness 4
spawn w4 w4.out w4.err worker --connect "$EP2" --name beat
check
wait_for w4.err "joined sweep" 10 || fail "5: no join"
sleep 0.3
kill -STOP "$c4"
t0=$(ms)
wait_for w4.err "no word from" 6 || fail "5: the worker did not notice the silent coordinator"
noticed=$(($(ms) - t0))
[ "$noticed" -lt 2500 ] || fail "5: the worker took $noticed ms to notice (liveness 0.8 s)"
kill -CONT "$c4"
kill -9 "$c4" "$w4" 2>/dev/null

summary
