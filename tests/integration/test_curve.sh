#!/usr/bin/env bash
# test_curve.sh — workers across machines, safely, played with real
# processes on loopback TCP:
#  1. keygen writes NAME.key (0600) and NAME.pub, refuses to overwrite;
#  2. a coordinator with --key/--allow: a worker whose key is not allowed,
#     one that expects another server key, and one without keys are each
#     refused with a message that says what to fix, and none of them gets
#     a trial; the allowed worker completes the sweep, every trial is its;
#     the refused key is logged once however often it knocks;
#  3. SIGHUP re-reads the allow list: the refused worker's key is added and
#     it joins without a restart; a key taken off makes its worker's
#     messages be ignored, so its leases expire as usual;
#  4. binding a reachable TCP address without keys is refused (exit 2, the
#     keygen commands shown, no database made); --insecure runs with a
#     warning;
#  5. `run` with keys needs no keys for its own local workers: it makes a
#     pair in its private folder.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

port() { $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# --- 1. keygen ---------------------------------------------------------------
check
run keygen coord
[ $rc -eq 0 ] || fail "keygen exited $rc: $(cat "$TMP/err")"
[ "$(stat -c %a coord.key)" = 600 ] || fail "coord.key has mode $(stat -c %a coord.key), want 600"
grep -qE '^.{40}$' coord.pub || fail "coord.pub is not one 40-character key: $(cat coord.pub)"
grep -qF -- "$(cat coord.pub)" coord.key || fail "coord.key does not hold coord.pub's key"
check
cp coord.key before.key
expect_status keygen usage 2 "refusing to overwrite" coord
cmp -s coord.key before.key || fail "keygen changed an existing key"
mkdir workers
for n in w1 w2 rogue other; do "$LRSWEEP" keygen $n >/dev/null || fail "keygen $n failed"; done
cp w1.pub workers/
check
chmod 644 w2.key
expect_status worker usage 2 "chmod 600" --connect tcp://127.0.0.1:1 --key w2.key --server-key coord.pub
chmod 600 w2.key

# --- 2. who gets in ------------------------------------------------------------
synthetic_spec s.yaml keyed 3 30 20 3 1.0 'constant: {}'
P=$(port)
EP=tcp://127.0.0.1:$P
spawn cpid c.out c.err coordinator s.yaml --bind "$EP" --db c.db --key coord.key --allow workers/
sleep 0.5
spawn rpid r.out r.err worker --connect "$EP" --name rogue --key rogue.key --server-key coord.pub
spawn xpid x.out x.err worker --connect "$EP" --name wrongsrv --key w1.key --server-key other.pub
spawn npid n.out n.err worker --connect "$EP" --name nokey
sleep 2.5
check
grep -qF "refused this worker's key $(cat rogue.pub)" r.err ||
    fail "the rogue worker did not say its key was refused: $(cat r.err)"
grep -q "does not hold the key given as --server-key" x.err ||
    fail "the worker with the wrong server key did not say so: $(cat x.err)"
grep -q "requires CURVE keys" n.err || fail "the worker without keys did not say keys are needed: $(cat n.err)"
n=$(grep -c "refused a connection from 127.0.0.1: key .* is not on the allow list" c.err)
[ "$n" -eq 1 ] || fail "the rogue key was logged $n times, want once: $(cat c.err)"
if grep -q "joined" c.err; then fail "a refused worker joined: $(cat c.err)"; fi
r=$(q c.db "SELECT COUNT(*) FROM leases")
[ "$r" = 0 ] || fail "$r trials were leased to refused workers"

# --- 3. SIGHUP: the rogue key is added, then w1's taken off ------------------------
check
cp rogue.pub workers/
kill -HUP "$cpid"
for _ in $(seq 50); do grep -q "worker rogue joined" c.err && break; sleep 0.1; done
grep -q "reloaded the allow list (2 keys)" c.err || fail "SIGHUP did not reload: $(cat c.err)"
grep -q "worker rogue joined" c.err || fail "the added key's worker did not join: $(cat c.err r.err)"
kill "$xpid" "$npid" 2>/dev/null
wait_exit "$cpid" 60
rc=$?
[ $rc -eq 0 ] || fail "coordinator exited $rc: $(tail -3 c.err)"
wait_exit "$rpid" 20 || fail "the admitted worker did not exit 0: $(cat r.err)"
r=$(q c.db "SELECT COUNT(*), COUNT(DISTINCT trial), group_concat(DISTINCT worker) FROM trials")
[ "$r" = "30|30|rogue" ] || fail "trials after admitting the key: $r, want 30|30|rogue"

# w1 works a slow sweep; its key is taken off: its messages are ignored and
# its leases expire, then rogue finishes.
check
synthetic_spec slow.yaml revoked 4 12 400 3 1.0 'constant: {}'
P=$(port)
EP=tcp://127.0.0.1:$P
cp w1.pub workers/
spawn cpid c2.out c2.err coordinator slow.yaml --bind "$EP" --db c2.db --key coord.key --allow workers/
spawn wpid w.out w.err worker --connect "$EP" --name w1 --key w1.key --server-key coord.pub
for _ in $(seq 50); do grep -q "worker w1 joined" c2.err && break; sleep 0.1; done
rm workers/w1.pub
kill -HUP "$cpid"
for _ in $(seq 80); do grep -q "worker w1 stopped heartbeating" c2.err && break; sleep 0.1; done
grep -q "worker w1 stopped heartbeating" c2.err ||
    fail "the revoked worker's session did not expire: $(cat c2.err)"
spawn rpid r2.out r2.err worker --connect "$EP" --name rogue --key rogue.key --server-key coord.pub
wait_exit "$cpid" 60 || fail "coordinator did not finish after the revocation: $(tail -3 c2.err)"
kill "$wpid" 2>/dev/null
r=$(q c2.db "SELECT COUNT(*), COUNT(DISTINCT trial) FROM trials")
[ "$r" = "12|12" ] || fail "trials after a revocation: $r, want 12|12"

# --- 4. reachable TCP without keys ---------------------------------------------
check
P=$(port)
expect_status coordinator any 2 "lrsweep keygen coordinator" s.yaml --bind "tcp://0.0.0.0:$P" --db open.db
[ ! -e open.db ] || fail "a refused coordinator made a database"
check
P=$(port)
synthetic_spec tiny.yaml tiny 5 4 0 2 1.0 'constant: {}'
run run tiny.yaml --db tiny.db --workers 1 --bind "tcp://0.0.0.0:$P" --insecure --quiet
[ $rc -eq 0 ] || fail "run --insecure exited $rc: $(cat "$TMP/err")"
grep -q "warning: --insecure" "$TMP/err" || fail "run --insecure printed no warning: $(cat "$TMP/err")"

check
expect_status coordinator usage 2 "--max-workers: expected an integer" s.yaml --bind "tcp://127.0.0.1:$P" --max-workers 0

# --- 5. run with keys: local workers need none ----------------------------------
check
P=$(port)
cp w1.pub workers/
run run tiny.yaml --db keyed-run.db --workers 2 --bind "tcp://127.0.0.1:$P" --key coord.key --allow workers/ --quiet
[ $rc -eq 0 ] || fail "run with keys exited $rc: $(cat "$TMP/err")"
r=$(q keyed-run.db "SELECT COUNT(*) FROM trials")
[ "$r" = 4 ] || fail "run with keys recorded $r trials, want 4"
summary
