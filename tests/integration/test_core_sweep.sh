#!/usr/bin/env bash
# test_core_sweep.sh — a whole sweep through real processes: `lrsweep run`
# with local workers records every trial exactly once; the read commands
# (sweeps, status, best, summary, export csv/jsonl) agree with it; running
# again resumes (nothing to do), a larger `trials:` extends the sweep, a
# changed search space is refused, a second coordinator on the same
# database is refused; a coordinator on a loopback TCP port with a
# separately started worker gives the same (trial, params, score) set as
# `run`; a data set reaches a worker that has no copy of it; a full disk (a
# small tmpfs, when this machine lets us mount one) stops the coordinator
# with a clear message and leaves a consistent, resumable file; Ctrl-C
# drains and exits 130, twice exits at once, and both resume; bad input
# exits 2 with a message.
#
# usage: bash test_core_sweep.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
on_cleanup() { umount "$TMP/small" 2>/dev/null; }

# spec FILE NAME TRIALS [LR_HIGH]
spec() { synthetic_spec "$1" "$2" 11 "$3" 1 8 "${4:-1.0}" 'step: {step_size: {int_uniform: [2, 5]}, gamma: 0.5}'; }

spec "$TMP/s.yaml" core-a 150
cd "$TMP" || exit 1

# --- run: every trial once --------------------------------------------------
check
"$LRSWEEP" run s.yaml --workers 2 >run.out 2>run.err
rc=$?
[ "$rc" -eq 0 ] || fail "run exited $rc: $(tail -5 run.err)"
grep -q "best trials of sweep 'core-a'" run.out || fail "run printed no best table: $(cat run.out)"
grep -q "150/150 done" run.err || fail "run's log lacks the final 150/150 line: $(tail -3 run.err)"
[ -f lrsweep.db ] || fail "run did not create lrsweep.db in the current folder"

check
n=$(sqlite3 lrsweep.db "SELECT COUNT(*), COUNT(DISTINCT trial), MIN(trial), MAX(trial) FROM trials")
[ "$n" = "150|150|0|149" ] || fail "trials table: $n, want 150|150|0|149"
n=$(sqlite3 lrsweep.db "SELECT COUNT(*) FROM leases")
[ "$n" = "0" ] || fail "$n leases left after a complete sweep"
n=$(sqlite3 lrsweep.db "SELECT COUNT(*) FROM trial_epochs e JOIN trials t USING (sweep_id, trial) WHERE t.status = 'complete'")
c=$(sqlite3 lrsweep.db "SELECT COUNT(*) * 8 FROM trials WHERE status = 'complete'")
[ "$n" = "$c" ] || fail "per-epoch curves: $n rows for complete trials, want $c"
n=$(sqlite3 lrsweep.db "SELECT SUM(trials_done), COUNT(*) FROM workers")
[ "$n" = "150|2" ] || fail "workers table: $n, want 150 trials over 2 workers"
n=$(sqlite3 lrsweep.db "PRAGMA journal_mode")
[ "$n" = "wal" ] || fail "journal mode $n, want wal"
n=$(sqlite3 lrsweep.db "PRAGMA user_version")
[ "$n" -ge 1 ] || fail "user_version $n"

# --- read commands ------------------------------------------------------------
check
"$LRSWEEP" sweeps >sweeps.out 2>&1 || fail "sweeps failed: $(cat sweeps.out)"
"$LRSWEEP" sweeps --json >sweeps.json 2>&1 || fail "sweeps --json failed: $(cat sweeps.json)"
$PY - sweeps.out sweeps.json lrsweep.db <<'EOF' || fail "sweeps disagrees with the database: $(cat sweeps.out)"
import datetime, json, sqlite3, sys
db = sqlite3.connect(sys.argv[3])
name, metric, goal, total, created = db.execute("SELECT name, metric, goal, trials, created_at FROM sweeps").fetchone()
done = db.execute("SELECT COUNT(*) FROM trials WHERE status IN ('complete','diverged','failed','pruned')").fetchone()[0]
best = db.execute("SELECT MIN(score) FROM trials WHERE status = 'complete'").fetchone()[0]
when = datetime.datetime.fromtimestamp(created, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
head, row = [l.split() for l in open(sys.argv[1]).read().splitlines()]
assert head == ["sweep", "metric", "goal", "sampler", "done/trials", "best", "created", "(UTC)"], head
assert row[:5] == [name, metric, goal, "random", f"{done}/{total}"], row
assert abs(float(row[5]) - best) <= 1e-5 * abs(best) and row[6] == when, (row, best, when)
j = json.loads(open(sys.argv[2]).read())
assert (j["sweep"], j["metric"], j["goal"], j["sampler"], j["done"], j["trials"]) == (name, metric, goal, "random", done, total), j
assert j["best"] == best and j["created_at"] == created, j
EOF
"$LRSWEEP" status core-a >status.out 2>&1 || fail "status failed: $(cat status.out)"
grep -q "150 of 150 trials recorded" status.out || fail "status: $(cat status.out)"
grep -q "workers seen 2" status.out || fail "status workers: $(cat status.out)"

check
"$LRSWEEP" best --top 3 --json >best.out || fail "best --json failed"
$PY - best.out lrsweep.db <<'EOF' || fail "best --json disagrees with the database"
import json, sqlite3, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
db = sqlite3.connect(sys.argv[2])
want = db.execute("SELECT trial, score FROM trials WHERE status='complete' ORDER BY score, trial LIMIT 3").fetchall()
got = [(r["trial"], r["score"]) for r in rows]
assert got == want, (got, want)
assert all(set(r) >= {"rank", "trial", "score", "params"} for r in rows)
EOF

check
"$LRSWEEP" summary --by scheduler --json >sum.out || fail "summary failed"
$PY - sum.out lrsweep.db <<'EOF' || fail "summary disagrees with the database"
import json, sqlite3, sys, statistics
rows = {r["scheduler"]: r for r in map(json.loads, open(sys.argv[1]))}
db = sqlite3.connect(sys.argv[2])
for sched in ("cosine", "step"):
    scores = [s for (s,) in db.execute("SELECT score FROM trials WHERE scheduler=? AND status='complete'", (sched,))]
    n = db.execute("SELECT COUNT(*) FROM trials WHERE scheduler=?", (sched,)).fetchone()[0]
    r = rows[sched]
    assert r["count"] == n, (sched, r, n)
    assert abs(r["best"] - min(scores)) < 1e-12 and abs(r["median"] - statistics.median(scores)) < 1e-12, r
EOF
"$LRSWEEP" summary --by optimizer >/dev/null || fail "summary --by optimizer failed"
"$LRSWEEP" summary --by momentum >/dev/null || fail "summary --by momentum failed"
"$LRSWEEP" summary --by nonsense >/dev/null 2>err.out
[ $? -eq 2 ] || fail "summary --by nonsense should exit 2"

check
"$LRSWEEP" export --format jsonl >exp.jsonl || fail "export jsonl failed"
$PY - exp.jsonl <<'EOF' || fail "export jsonl is wrong"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert len(rows) == 150 and [r["trial"] for r in rows] == list(range(150))
keys = {"trial", "status", "score", "score_std", "score_n", "repeats", "params", "attempts", "worker",
        "seconds", "error", "metrics"}
assert all(set(r) == keys for r in rows), rows[0]
assert all(r["status"] in ("complete", "diverged") for r in rows)
assert all(r["attempts"] == 1 for r in rows)
assert all(isinstance(r["params"], dict) and "lr" in r["params"] for r in rows)
EOF
"$LRSWEEP" export --format csv >exp.csv || fail "export csv failed"
$PY - exp.csv <<'EOF' || fail "export csv is wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1])))
assert len(rows) == 150
for col in ("trial", "status", "score", "lr", "optimizer", "scheduler", "momentum", "beta1", "attempts", "worker"):
    assert col in rows[0], (col, list(rows[0]))
EOF

# --- resume: nothing to do; extend; changed space refused ---------------------
check
canon lrsweep.db core-a >before.txt
"$LRSWEEP" run s.yaml --workers 2 >again.out 2>again.err || fail "re-run failed: $(cat again.err)"
grep -q "150 already recorded" again.err || fail "re-run did not resume: $(cat again.err)"
canon lrsweep.db core-a >after.txt
cmp -s before.txt after.txt || fail "re-running a complete sweep changed its trials"

check
spec "$TMP/s.yaml" core-a 200
"$LRSWEEP" run s.yaml --workers 2 >ext.out 2>ext.err || fail "extension failed: $(cat ext.err)"
grep -q "extending sweep 'core-a' from 150 to 200" ext.err || fail "no extension message: $(cat ext.err)"
n=$(sqlite3 lrsweep.db "SELECT COUNT(DISTINCT trial), COUNT(*) FROM trials")
[ "$n" = "200|200" ] || fail "after extension: $n"
canon lrsweep.db core-a >ext.txt
head -150 ext.txt >ext150.txt
cmp -s before.txt ext150.txt || fail "extension changed the first 150 trials"

check
spec "$TMP/s.yaml" core-a 200 0.5
"$LRSWEEP" run s.yaml --workers 1 >chg.out 2>chg.err
rc=$?
[ "$rc" -eq 2 ] || fail "changed space exited $rc, want 2"
grep -q "different search space" chg.err || fail "changed space message: $(cat chg.err)"

# --- two coordinators on one database ----------------------------------------
check
spec "$TMP/slow.yaml" core-slow 40
sed -i 's/cost_ms: 1/cost_ms: 100/' slow.yaml
spawn first first.out first.err run slow.yaml --db two.db --workers 1 --quiet
sleep 1
"$LRSWEEP" run slow.yaml --db two.db --workers 1 >second.out 2>second.err
rc=$?
[ "$rc" -eq 1 ] || fail "second coordinator exited $rc, want 1"
grep -q "another coordinator is using this database" second.err || fail "second coordinator: $(cat second.err)"
kill -9 "$first"
wait "$first" 2>/dev/null
"$LRSWEEP" run slow.yaml --db two.db --workers 2 --quiet >third.out 2>third.err
rc=$?
[ "$rc" -eq 0 ] || fail "after kill -9 of the first, a new coordinator exited $rc: $(cat third.err)"

# --- coordinator on loopback TCP + a separate worker = run ---------------------
check
spec "$TMP/t.yaml" core-tcp 120
port=$((20000 + RANDOM % 20000))
spawn wpid w.out w.err worker --connect "tcp://127.0.0.1:$port" --jobs 3
sleep 0.5   # the worker starts first and waits
timeout 60 "$LRSWEEP" coordinator t.yaml --bind "tcp://127.0.0.1:$port" --db tcp.db >c.out 2>c.err
rc=$?
[ "$rc" -eq 0 ] || fail "coordinator exited $rc: $(tail -3 c.err)"
for _ in $(seq 50); do kill -0 "$wpid" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$wpid" 2>/dev/null; then fail "worker still running after the sweep ended"; else
    wait "$wpid"; rc=$?; [ "$rc" -eq 0 ] || fail "worker exited $rc: $(cat w.err)"; fi
"$LRSWEEP" run t.yaml --db local.db --workers 2 --quiet >/dev/null 2>&1 || fail "local run failed"
canon tcp.db core-tcp >tcp.txt
canon local.db core-tcp >local.txt
[ "$(wc -l <tcp.txt)" -eq 120 ] || fail "tcp sweep has $(wc -l <tcp.txt) trials"
cmp -s tcp.txt local.txt || fail "1 remote worker with 3 jobs and 2 local workers gave different results"

# --- a data set shipped to a worker that has no copy of it -----------------------
check
mkdir -p data elsewhere
$PY - data/points.csv <<'EOF'
import math, sys
with open(sys.argv[1], "w") as f:
    f.write("x1,x2,x3,y\n")
    for i in range(90):
        a, b, c = math.sin(i), math.cos(1.7 * i), ((i * 37) % 11) / 11
        f.write(f"{a:.6f},{b:.6f},{c:.6f},{2 * a - b + 0.5 * c + 0.1 * math.sin(5 * i):.6f}\n")
EOF
cat >data/d.yaml <<'EOF'
name: core-data
seed: 4
trials: 24
sampler: random
objective: {metric: val_loss, goal: minimize}
data: {path: points.csv, target: [y]}
model: {type: linear}
train: {folds: 3, shuffle: true, standardize: true}
search:
  lr: {log_uniform: [1.0e-3, 0.5]}
  epochs: 15
  optimizer:
    sgd: {momentum: {uniform: [0.0, 0.9]}}
  scheduler:
    cosine: {eta_min: 0.0}
    step: {step_size: 5, gamma: 0.5}
EOF
"$LRSWEEP" run data/d.yaml --db data-local.db --workers 2 --quiet >/dev/null 2>data-local.err ||
    fail "data sweep with run failed: $(cat data-local.err)"
ep="ipc://$TMP/data.sock"
(cd elsewhere && exec "$LRSWEEP" worker --connect "$ep" --jobs 2 >../dw.out 2>../dw.err) &
dpid=$!
PIDS+=("$dpid")
timeout 60 "$LRSWEEP" coordinator data/d.yaml --bind "$ep" --db data-remote.db --quiet >/dev/null 2>data-remote.err
rc=$?
[ "$rc" -eq 0 ] || fail "data sweep with a remote worker exited $rc: $(cat data-remote.err dw.err)"
wait "$dpid" || fail "the data worker did not exit 0: $(cat dw.err)"
canon data-local.db core-data >dl.txt
canon data-remote.db core-data >dr.txt
[ "$(grep -c ' complete$' dr.txt)" -ge 20 ] || fail "data sweep: $(grep -c ' complete$' dr.txt) complete trials"
cmp -s dl.txt dr.txt || fail "shipped data gave different results: $(diff dl.txt dr.txt | head -3)"
r=$(sqlite3 data-remote.db "SELECT COUNT(*) FROM trial_folds")
[ "$r" -ge 60 ] || fail "per-fold results: $r rows"

# --- bad input ------------------------------------------------------------------
check
"$LRSWEEP" run missing.yaml >/dev/null 2>err.out
[ $? -eq 2 ] || fail "missing spec should exit 2"
"$LRSWEEP" coordinator s.yaml >/dev/null 2>err.out
[ $? -eq 2 ] && grep -q -- "--bind" err.out || fail "coordinator without --bind: $(cat err.out)"
"$LRSWEEP" status --db nowhere.db >/dev/null 2>err.out
[ $? -eq 2 ] || fail "status on a missing database should exit 2"
"$LRSWEEP" best nosuch --db lrsweep.db >/dev/null 2>err.out
[ $? -eq 2 ] && grep -q "no sweep named 'nosuch'" err.out || fail "unknown sweep: $(cat err.out)"
echo "not a database, just text that is long enough to not be a header...................." >junk.db
"$LRSWEEP" run s.yaml --db junk.db --workers 1 >/dev/null 2>err.out
rc=$?
[ "$rc" -ne 0 ] && grep -q "junk.db" err.out || fail "corrupt database: exit $rc, $(cat err.out)"
printf 'name: ex\nseed: 1\ntrials: 2\nsampler: random\ncommand: echo {args}\nmetric: {name: val_loss, goal: minimize}\nsearch:\n  lr: {log_uniform: [1.0e-3, 1.0]}\n' >ex.yaml
"$LRSWEEP" run ex.yaml --db ex.db --workers 1 >/dev/null 2>err.out
[ $? -eq 0 ] && [ "$(sqlite3 ex.db "SELECT COUNT(*) FROM trials WHERE error = 'no ''val_loss'' reported'")" = 2 ] ||
    fail "command sweep: $(cat err.out)"   # workers run it (test_exec_sweep.sh has the details)
# every flag of a read command is explained in its --help options section
for pair in "sweeps:--db --json" "status:--db --json" "best:--db --json --top --metrics" \
    "summary:--db --json --by" "export:--db --format --metrics --curves --trial"; do
    cmd=${pair%%:*}
    "$LRSWEEP" "$cmd" --help >help.out || fail "$cmd --help failed"
    for flag in ${pair#*:} --help; do
        grep -qE "^  $flag( [A-Z]+)? +[a-z(]" help.out || fail "$cmd --help does not explain $flag: $(cat help.out)"
    done
    # and refuses the flags of the others (exit 2, naming the flag)
    for flag in --json --top --by --format --metrics --trial; do
        case " ${pair#*:} " in *" $flag "*) continue ;; esac
        "$LRSWEEP" "$cmd" --db ex.db $flag x >/dev/null 2>err.out
        rc=$?
        { [ $rc -eq 2 ] && grep -qF "lrsweep $cmd: $flag is not an option of $cmd" err.out; } ||
            fail "$cmd $flag: rc $rc, $(cat err.out)"
    done
done
# read commands without a sweep name: the only sweep, or a refusal naming them all
"$LRSWEEP" best --db ex.db >best1.out 2>err.out && grep -q "^ *rank" best1.out ||
    fail "best on a one-sweep database: $(cat err.out)"
sed 's/^name: ex$/name: ex2/' ex.yaml >ex2.yaml
"$LRSWEEP" run ex2.yaml --db ex.db --workers 1 >/dev/null 2>err.out || fail "second sweep: $(cat err.out)"
for cmd in status best summary "export --format csv"; do
    # shellcheck disable=SC2086 # cmd is a command and its flags
    "$LRSWEEP" $cmd --db ex.db >multi.out 2>err.out
    rc=$?
    [ "$rc" -eq 2 ] && [ ! -s multi.out ] && grep -q "holds 2 sweeps; name one: 'ex', 'ex2'" err.out ||
        fail "$cmd with two sweeps and no name: exit $rc, $(cat err.out)"
    # shellcheck disable=SC2086
    "$LRSWEEP" $cmd ex2 --db ex.db >/dev/null 2>err.out || fail "$cmd ex2: $(cat err.out)"
done
"$LRSWEEP" run s.yaml --db /proc/nope/x.db --workers 1 >/dev/null 2>err.out
[ $? -eq 1 ] && grep -q "/proc/nope" err.out || fail "unwritable path: $(cat err.out)"

# --- Ctrl-C: drain, commit, exit 130, resumable; twice: at once ----------------
check
spec "$TMP/int.yaml" core-int 40
sed -i 's/cost_ms: 1/cost_ms: 150/' int.yaml
spawn ipid int.out int.err run int.yaml --db int.db --workers 2
sleep 1.2
kill -INT "$ipid"
wait "$ipid"
rc=$?
[ "$rc" -eq 130 ] || fail "Ctrl-C exited $rc, want 130: $(tail -3 int.err)"
grep -q "interrupted: no new trials" int.err || fail "no drain message: $(cat int.err)"
r=$(sqlite3 int.db "SELECT COUNT(*) FROM leases")
[ "$r" = "0" ] || fail "$r trials still leased after a drained Ctrl-C"
n1=$(sqlite3 int.db "SELECT COUNT(*) FROM trials")
[ "$n1" -gt 0 ] && [ "$n1" -lt 40 ] || fail "Ctrl-C did not land mid-sweep ($n1 of 40)"
spawn ipid int2.out int2.err run int.yaml --db int.db --workers 2
sleep 1.2
kill -INT "$ipid"
sleep 0.05
kill -INT "$ipid"
wait "$ipid"
rc=$?
[ "$rc" -eq 130 ] || fail "two Ctrl-C exited $rc, want 130"
grep -q "interrupted again: stopping now" int2.err || fail "second Ctrl-C: $(cat int2.err)"
r=$(sqlite3 int.db "PRAGMA integrity_check")
[ "$r" = "ok" ] || fail "after two Ctrl-C: $r"
"$LRSWEEP" run int.yaml --db int.db --workers 2 --quiet >/dev/null 2>int3.err || fail "resume after Ctrl-C failed"
r=$(sqlite3 int.db "SELECT COUNT(*), COUNT(DISTINCT trial) FROM trials")
[ "$r" = "40|40" ] || fail "after Ctrl-C and resume: $r"

# --- a full disk: a clear error, no half-written trial, resumable ---------------
mkdir -p small
if mount -t tmpfs -o size=400k tmpfs small 2>/dev/null; then
    check
    spec "$TMP/full.yaml" core-full 20000
    sed -i 's/cost_ms: 1/cost_ms: 0/' full.yaml
    "$LRSWEEP" run full.yaml --db small/f.db --workers 2 >full.out 2>full.err
    rc=$?
    [ "$rc" -eq 1 ] || fail "a full disk exited $rc, want 1"
    grep -q "small/f.db: committing results: database or disk is full" full.err ||
        grep -q "small/f.db: .*disk is full" full.err || fail "full disk message: $(grep -v '^ ' full.err | tail -3)"
    r=$(sqlite3 small/f.db "PRAGMA integrity_check")
    [ "$r" = "ok" ] || fail "database after a full disk: $r"
    r=$(sqlite3 small/f.db "SELECT COUNT(*) FROM trials t WHERE status = 'complete' AND (SELECT COUNT(*) FROM trial_epochs e WHERE e.sweep_id = t.sweep_id AND e.trial = t.trial) != 8")
    [ "$r" = "0" ] || fail "$r trials without their whole curve after a full disk"
    cp small/f.db big.db && { [ ! -f small/f.db-wal ] || cp small/f.db-wal big.db-wal; }
    umount small
    before=$(sqlite3 big.db "SELECT COUNT(*) FROM trials")
    "$LRSWEEP" run full.yaml --db big.db --workers 2 --quiet >/dev/null 2>big.err || fail "resume after a full disk failed: $(cat big.err)"
    r=$(sqlite3 big.db "SELECT COUNT(*), COUNT(DISTINCT trial) FROM trials")
    [ "$r" = "20000|20000" ] || fail "after resuming a full-disk sweep ($before recorded before): $r"
else
    echo "note: cannot mount a small tmpfs here; the full-disk check did not run"
fi

summary
