#!/usr/bin/env bash
# test_netns.sh — one sweep across four hosts on a real network: Linux network
# namespaces, one for the coordinator and one for each of three workers, each
# worker's veth plugged into a bridge in the coordinator's namespace, TCP on
# 10.77.0.0/24, every connection CURVE (keygen, --key/--allow, --server-key).
# Three interruptions, each on a fresh database and each followed by the sweep
# completing:
#   1. the coordinator stopped with SIGTERM mid-sweep, then started again on
#      the same database: the workers wait (they must not exit) and rejoin;
#   2. the coordinator killed with -9 mid-sweep, then started again;
#   3. a link cut: nftables drops two workers' traffic to and from the
#      coordinator's port on their veths for five times the liveness window
#      (--heartbeat-ms x --liveness), so the coordinator gives their trials to
#      the third, then lets it through again.
# After each: every trial id once, finished (complete or diverged), no lease
# left; the per-trial config, status and score columns (and the per-fold and
# per-epoch rows) equal, bit for bit, those of an uninterrupted `lrsweep run`
# of the same spec; every worker process exits 0 (told the sweep is
# complete), and so does the coordinator.
#
# Needs root (network namespaces), iproute2 and nftables; skips (77) only
# where a network namespace cannot be created.
#
# usage: bash test_netns.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
trap 'exit 130' INT TERM HUP   # so that the EXIT trap (lib.sh, on_cleanup) runs

TRIALS=60        # trials of the sweep
COST_MS=100      # each one sleeps that long on its worker
HB_MS=200        # coordinator --heartbeat-ms
LIVENESS=3       # coordinator --liveness: a silent peer is gone after 0.6 s
CUT_S=3          # scenario 3: how long the link is cut (5x the liveness window)
PORT=5555
NET=10.77.0
SWEEP=netns

skip() { echo "$TEST_NAME: SKIP: $*"; exit 77; }
now_ms() { local t=${EPOCHREALTIME/./}; echo $((t / 1000)); }
secs() { awk -v ms="$1" 'BEGIN { printf "%.1f", ms / 1000 }'; }

# --- the hosts -----------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || skip "network namespaces need root (run as root, as CI does)"
for tool in ip nft sqlite3; do
    command -v "$tool" >/dev/null ||
        { echo "FAIL: $tool is not installed (deploy/install-deps.sh --with-engines installs iproute2 and nftables)"; exit 1; }
done

NS=lrsnet$$
HOST_C=$NS-c
HOSTS_W=("$NS-w1" "$NS-w2" "$NS-w3")
on_cleanup() {
    local ns p
    for ns in "${HOSTS_W[@]}" "$HOST_C"; do
        for p in $(ip netns pids "$ns" 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
        ip netns del "$ns" 2>/dev/null
    done
}
ip netns add "$HOST_C" 2>ns.err || skip "cannot create a network namespace: $(cat ns.err)"

t_start=$(now_ms)
check
setup_net() {
    ip -n "$HOST_C" link set lo up &&
    ip -n "$HOST_C" link add br0 type bridge &&
    ip -n "$HOST_C" addr add "$NET.1/24" dev br0 &&
    ip -n "$HOST_C" link set br0 up || return 1
    local i ns
    for i in 1 2 3; do
        ns=${HOSTS_W[i - 1]}
        ip netns add "$ns" &&
        ip -n "$ns" link set lo up &&
        ip -n "$ns" link add eth0 type veth peer name "w$i" netns "$HOST_C" &&
        ip -n "$HOST_C" link set "w$i" master br0 &&
        ip -n "$HOST_C" link set "w$i" up &&
        ip -n "$ns" addr add "$NET.1$i/24" dev eth0 &&
        ip -n "$ns" link set eth0 up || return 1
    done
}
setup_net 2>net.err || { fail "cannot set up the hosts' network: $(cat net.err)"; summary; exit 1; }
echo "hosts: coordinator $HOST_C at $NET.1, workers ${HOSTS_W[*]} at $NET.11-13, one bridge"

# the keys: each host its own pair, only public keys copied
mkdir allow
for k in coordinator w1 w2 w3; do
    "$LRSWEEP" keygen "$k" >/dev/null 2>keygen.err || fail "keygen $k: $(cat keygen.err)"
done
cp w1.pub w2.pub w3.pub allow/

synthetic_spec spec.yaml "$SWEEP" 41 "$TRIALS" "$COST_MS" 5 1.0 'step: {step_size: 2}'

# --- the reference: an uninterrupted local run -----------------------------------
t0=$(now_ms)
"$LRSWEEP" run spec.yaml --db ref.db --workers 2 --quiet >ref.out 2>ref.err ||
    fail "the reference run failed: $(tail -3 ref.err)"
echo "reference: lrsweep run --workers 2, $TRIALS trials in $(secs $(($(now_ms) - t0))) s"

# dump DB: the sweep's per-trial config, status and score columns, exact
# (quote() prints a REAL that reads back to the same bits), then its folds and
# epochs.  Attempts, worker and timings may differ between runs; nothing else.
dump() {
    sqlite3 "$1" "
        SELECT 'trial', t.trial, t.status, t.params, quote(t.lr), quote(t.optimizer),
               quote(t.scheduler), quote(t.score), quote(t.score_std), quote(t.diverged_epoch),
               quote(t.error)
        FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE s.name = '$SWEEP' ORDER BY t.trial;
        SELECT 'fold', f.trial, f.fold, quote(f.train_loss), quote(f.val_loss), quote(f.accuracy)
        FROM trial_folds f JOIN sweeps s ON s.id = f.sweep_id WHERE s.name = '$SWEEP'
        ORDER BY f.trial, f.fold;
        SELECT 'epoch', e.trial, e.epoch, quote(e.lr), quote(e.train_loss), quote(e.val_loss)
        FROM trial_epochs e JOIN sweeps s ON s.id = e.sweep_id WHERE s.name = '$SWEEP'
        ORDER BY e.trial, e.epoch;"
}
dump ref.db >ref.txt
check
n=$(grep -c '^trial|' ref.txt)
[ "$n" -eq "$TRIALS" ] || fail "the reference recorded $n trials, want $TRIALS"
grep -q '^epoch|' ref.txt || fail "the reference recorded no per-epoch rows: nothing to compare"

# --- processes on the hosts --------------------------------------------------------
COORD_ARGS=(spec.yaml --bind "tcp://0.0.0.0:$PORT" --key coordinator.key --allow allow/
            --heartbeat-ms "$HB_MS" --liveness "$LIVENESS" --linger 60)

# start_coord DB LOG : the coordinator on its host, pid in $cpid.
start_coord() {
    ip netns exec "$HOST_C" "$LRSWEEP" coordinator "${COORD_ARGS[@]}" --db "$1" >"$2" 2>&1 &
    cpid=$!
    PIDS+=("$cpid")
}
# start_workers PREFIX : one worker (1 job) on each worker host, pids in wpid[1..3],
# logs PREFIX-wI.log.
declare -a wpid
start_workers() {
    local i
    for i in 1 2 3; do
        ip netns exec "${HOSTS_W[i - 1]}" "$LRSWEEP" worker --connect "tcp://$NET.1:$PORT" \
            --key "w$i.key" --server-key coordinator.pub --name "w$i" --jobs 1 \
            >"$1-w$i.log" 2>&1 &
        wpid[i]=$!
        PIDS+=("$!")
    done
}
recorded() { sqlite3 "$1" "SELECT COUNT(*) FROM trials" 2>/dev/null || echo 0; }
# wait_recorded DB N SECONDS : until DB holds at least N finished trials.
wait_recorded() {
    local deadline=$((SECONDS + $3)) r
    while :; do
        r=$(recorded "$1")
        [ "${r:-0}" -ge "$2" ] && return 0
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.05
    done
}
# wait_for FILE PATTERN SECONDS : until FILE holds PATTERN (fixed string).
wait_for() {
    local deadline=$((SECONDS + $3))
    until grep -qF -- "$2" "$1" 2>/dev/null; do
        [ $SECONDS -ge $deadline ] && return 1
        sleep 0.05
    done
}
# exit_status PID SECONDS : the status of PID once it ends in $st, 124 if it
# is still running after SECONDS.
exit_status() {
    local deadline=$((SECONDS + $2))
    while alive "$1" && [ $SECONDS -lt $deadline ]; do sleep 0.05; done
    if alive "$1"; then st=124; return; fi
    wait "$1"
    st=$?
}
# interrupt_point NAME DB : one check that the interruption landed mid-sweep;
# the trials recorded by then in $at.
interrupt_point() {
    at=$(recorded "$2")
    check
    [ "$at" -gt 0 ] && [ "$at" -lt "$TRIALS" ] ||
        fail "$1: the interruption did not land mid-sweep ($at of $TRIALS recorded): the scenario proves nothing"
}

# finish NAME DB LOG : the sweep completes; every worker exits 0, then the
# lingering coordinator (SIGTERM: 0); the database is checked against the
# reference.  Prints the scenario's numbers.
finish() {
    local name=$1 db=$2 log=$3 i
    check
    wait_for "$log" "sweep complete; telling workers" 60 ||
        fail "$name: the sweep did not complete: $(tail -5 "$log")"
    t_done=$(now_ms)
    for i in 1 2 3; do
        check
        exit_status "${wpid[i]}" 30
        [ "$st" -eq 0 ] || fail "$name: worker w$i exited $st at the end of the sweep, want 0 (124: still running): $(tail -4 "$name-w$i.log")"
    done
    t_workers=$(now_ms)
    kill -TERM "$cpid" 2>/dev/null
    check
    exit_status "$cpid" 15
    [ "$st" -eq 0 ] || fail "$name: the lingering coordinator exited $st on SIGTERM, want 0: $(tail -3 "$log")"
    verify "$name" "$db"
}

# verify NAME DB : none lost, none twice, all finished, the same results.
verify() {
    local name=$1 db=$2 r
    check
    r=$(sqlite3 "$db" "SELECT COUNT(*), COUNT(DISTINCT t.trial), MIN(t.trial), MAX(t.trial)
                       FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE s.name = '$SWEEP'")
    [ "$r" = "$TRIALS|$TRIALS|0|$((TRIALS - 1))" ] ||
        fail "$name: trials (rows, distinct ids, min, max) = $r, want $TRIALS|$TRIALS|0|$((TRIALS - 1))"
    check
    r=$(sqlite3 "$db" "SELECT COUNT(*) FROM trials WHERE status NOT IN ('complete', 'diverged')")
    [ "$r" = 0 ] || fail "$name: $r trials did not finish (failed): $(sqlite3 "$db" "SELECT trial, error FROM trials WHERE status = 'failed' LIMIT 3")"
    r=$(sqlite3 "$db" "SELECT COUNT(*) FROM leases")
    [ "$r" = 0 ] || fail "$name: $r leases left after the sweep completed"
    check
    dump "$db" >"$name.txt"
    cmp -s ref.txt "$name.txt" ||
        fail "$name: results differ from the uninterrupted run: $(diff ref.txt "$name.txt" | head -6)"
    stats=$(sqlite3 "$db" "SELECT SUM(status = 'complete') || ' complete, ' || SUM(status = 'diverged') ||
                           ' diverged, ' || SUM(attempts > 1) || ' re-run, by worker: ' ||
                           (SELECT group_concat(w || '=' || n, ' ') FROM
                              (SELECT worker AS w, COUNT(*) AS n FROM trials GROUP BY worker ORDER BY worker))
                           FROM trials")
}

# --- 1. SIGTERM, restart --------------------------------------------------------------
s=s1
t0=$(now_ms)
start_workers $s
start_coord $s.db $s-c1.log
check
wait_recorded $s.db 12 30 || fail "$s: the sweep did not start: $(tail -5 $s-c1.log)"
kill -TERM "$cpid"
t_stop=$(now_ms)
check
exit_status "$cpid" 40
[ "$st" -eq 130 ] || fail "$s: the coordinator stopped by SIGTERM exited $st, want 130"
interrupt_point $s $s.db
for i in 1 2 3; do
    check
    wait_for $s-w$i.log "the coordinator stops" 5 || fail "$s: worker w$i was not told the coordinator stops: $(tail -3 $s-w$i.log)"
done
sleep 0.5   # the workers wait for it to return
for i in 1 2 3; do
    check
    alive "${wpid[i]}" || fail "$s: worker w$i exited when the coordinator stopped: $(tail -3 $s-w$i.log)"
done
down=$(($(now_ms) - t_stop))
start_coord $s.db $s-c2.log
t_restart=$(now_ms)
finish $s $s.db $s-c2.log
for i in 1 2 3; do
    check
    grep -q "worker w$i joined" $s-c2.log || fail "$s: worker w$i did not rejoin the restarted coordinator: $(tail -4 $s-w$i.log)"
done
echo "1 (SIGTERM): stopped at $at/$TRIALS trials, $(secs $down) s down; complete $(secs $((t_done - t_restart))) s after the restart, workers out after $(secs $((t_workers - t_done))) s more; $(secs $((t_done - t0))) s in all; $stats"

# --- 2. kill -9, restart --------------------------------------------------------------
s=s2
t0=$(now_ms)
start_workers $s
start_coord $s.db $s-c1.log
check
wait_recorded $s.db 12 30 || fail "$s: the sweep did not start: $(tail -5 $s-c1.log)"
{ kill -9 "$cpid"; wait "$cpid"; } 2>/dev/null   # (without the shell's "Killed" line)
t_stop=$(now_ms)
interrupt_point $s $s.db
running=$(sqlite3 $s.db "SELECT COUNT(*) FROM leases")
sleep 1   # past the workers' liveness window: they notice and wait
for i in 1 2 3; do
    check
    alive "${wpid[i]}" || fail "$s: worker w$i exited when the coordinator was killed: $(tail -3 $s-w$i.log)"
done
down=$(($(now_ms) - t_stop))
start_coord $s.db $s-c2.log
t_restart=$(now_ms)
finish $s $s.db $s-c2.log
for i in 1 2 3; do
    check
    grep -q "worker w$i joined" $s-c2.log || fail "$s: worker w$i did not rejoin the restarted coordinator: $(tail -4 $s-w$i.log)"
done
echo "2 (kill -9): killed at $at/$TRIALS trials with $running running, $(secs $down) s down; complete $(secs $((t_done - t_restart))) s after the restart, workers out after $(secs $((t_workers - t_done))) s more; $(secs $((t_done - t0))) s in all; $stats"

# --- 3. a link cut ---------------------------------------------------------------------
# cut I : drop everything to and from the coordinator's port on worker I's veth.
cut() {
    ip netns exec "${HOSTS_W[$1 - 1]}" nft -f - <<EOF
table inet lrscut {
    chain in {
        type filter hook input priority 0; policy accept;
        iifname "eth0" tcp sport $PORT counter drop
    }
    chain out {
        type filter hook output priority 0; policy accept;
        oifname "eth0" tcp dport $PORT counter drop
    }
}
EOF
}
# dropped I : packets the cut dropped on worker I's host.
dropped() {
    ip netns exec "${HOSTS_W[$1 - 1]}" nft list table inet lrscut |
        awk '/counter packets/ { for (f = 1; f < NF; f++) if ($f == "packets") n += $(f + 1) } END { print n + 0 }'
}
s=s3
t0=$(now_ms)
start_workers $s
start_coord $s.db $s-c1.log
check
wait_recorded $s.db 9 30 || fail "$s: the sweep did not start: $(tail -5 $s-c1.log)"
for i in 1 2; do
    cut $i 2>cut.err || fail "$s: nft could not cut worker w$i's link: $(cat cut.err)"
done
t_cut=$(now_ms)
interrupt_point $s $s.db
for i in 1 2; do
    check
    wait_for $s-c1.log "worker w$i stopped heartbeating" $((CUT_S + 2)) ||
        fail "$s: the coordinator did not expire the cut worker w$i: $(tail -4 $s-c1.log)"
done
t_expired=$(now_ms)
for i in 1 2; do
    check
    wait_for $s-w$i.log "no word from" $((CUT_S + 2)) ||
        fail "$s: the cut worker w$i did not notice its coordinator fell silent: $(tail -3 $s-w$i.log)"
done
sleep "$(awk -v c="$CUT_S" -v e=$((t_expired - t_cut)) 'BEGIN { r = c - e / 1000; print (r > 0 ? r : 0) }')"
for i in 1 2; do
    n=$(dropped $i)
    check
    [ "$n" -gt 0 ] || fail "$s: the cut of w$i dropped no packet: nothing was cut"
    drops[i]=$n
    ip netns exec "${HOSTS_W[i - 1]}" nft delete table inet lrscut || fail "$s: cannot restore w$i's link"
done
t_restored=$(now_ms)
at_restore=$(recorded $s.db)
for i in 1 2; do
    check
    alive "${wpid[i]}" || fail "$s: the cut worker w$i exited: $(tail -3 $s-w$i.log)"
done
finish $s $s.db $s-c1.log
check
r=$(sqlite3 $s.db "SELECT COUNT(*) FROM trials WHERE attempts > 1")
[ "$r" -ge 1 ] || fail "$s: no trial of a cut worker was run again elsewhere (attempts > 1)"
rejoined=0
for i in 1 2; do
    [ "$(grep -c "worker w$i joined" $s-c1.log)" -ge 2 ] && rejoined=$((rejoined + 1))
done
echo "3 (link cut): w1 and w2 cut at $at/$TRIALS trials for $(secs $((t_restored - t_cut))) s (dropped ${drops[1]} and ${drops[2]} packets), both expired after $(secs $((t_expired - t_cut))) s (window $(secs $((HB_MS * LIVENESS))) s); $at_restore/$TRIALS recorded at the restore, $rejoined of 2 rejoined before the end; complete $(secs $((t_done - t_restored))) s after the restore; $(secs $((t_done - t0))) s in all; $stats"

echo "wall time: $(secs $(($(now_ms) - t_start))) s"
summary
