#!/usr/bin/env bash
# test_pruning.sh — deterministic pruning with real processes:
#  1. bad `pruning:` specs exit 2 naming file:line:column and the key;
#     validate prints the rule as it will run; train --spec says it ignores
#     pruning (command sweeps: test_pruning_exec.sh);
#  2. successive halving, median and Hyperband sweeps prune exactly the same
#     trials at the same epochs with the same thresholds on 1 worker and on
#     3 workers × 2 jobs; pruned trials keep their curve up to the rung;
#  3. kill -9 of the coordinator mid-sweep, restarted: the same decisions;
#  4. kill -9 of the worker running the lowest-index unfinished trial, the
#     one later trials wait for at their rungs: the sweep still completes (no
#     deadlock) with the same decisions;
#  5. the built-in engine on the wine data (3-fold CV in lock step) prunes the
#     same trials on 1 and 2 workers;
#  6. deterministic: false completes on 3 × 2 with every decision recorded.
#
# usage: bash test_pruning.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# spec FILE NAME TRIALS COST_MS EPOCHS PRUNING-YAML
spec() {
    synthetic_spec "$1" "$2" 11 "$3" "$4" "$5" 1.0 'step: {step_size: 4, gamma: 0.5}'
    echo "pruning: $6" >>"$1"
}

# decisions DB: every trial's outcome and every rung decision, one per line.
decisions() {
    sqlite3 "$1" "SELECT 't', trial, status, IFNULL(pruned_epoch, '-'), IFNULL(score, '-')
                  FROM trials ORDER BY trial;
                  SELECT 'r', trial, rung, epoch, value, decision, IFNULL(threshold, '-'), rule
                  FROM trial_rungs ORDER BY trial, rung"
}

# --- 1. specs ---------------------------------------------------------------
spec good.yaml good 10 0 12 '{rule: successive_halving, min_resource: 2, reduction_factor: 3}'
check
run validate good.yaml
[ "$rc" -eq 0 ] || fail "validate good.yaml exited $rc: $(cat "$TMP/err")"
grep -qF "pruning: successive_halving (min_resource 2, reduction_factor 3" "$TMP/out" ||
    fail "validate does not describe the rule: $(cat "$TMP/out")"
grep -qF "checked at epochs 2, 6" "$TMP/out" || fail "validate does not list the rungs: $(cat "$TMP/out")"
spec bad1.yaml bad 10 0 12 '{rule: asha}'
expect_status validate usage 2 "bad1.yaml:18:17: pruning.rule: expected one of median" bad1.yaml
spec bad2.yaml bad 10 0 12 '{rule: median, reduction_factor: 3}'
expect_status validate usage 2 "pruning.reduction_factor: rule median does not take reduction_factor" bad2.yaml
spec bad3.yaml bad 10 0 12 '{rule: percentile}'
expect_status validate usage 2 "rule percentile needs 'percentile'" bad3.yaml
expect_status run usage 2 "pruning.rule" bad1.yaml --db bad.db --workers 1
[ -e bad.db ] && fail "a refused spec created the database"
expect_status train any 0 "pruning: (successive_halving) is ignored here" --spec good.yaml --trial 3

# --- 2. 1 worker and 3 × 2 give the same decisions ------------------------------
for rule in '{rule: successive_halving, min_resource: 2, reduction_factor: 3}' \
            '{rule: median, n_startup_trials: 3, n_warmup_steps: 2}' \
            '{rule: hyperband, min_resource: 1, max_resource: 12, reduction_factor: 3}'; do
    check
    name=$(echo "$rule" | sed 's/{rule: \([a-z_]*\).*/\1/')
    spec "$name.yaml" "p-$name" 40 5 12 "$rule"
    "$LRSWEEP" run "$name.yaml" --db "$name-1.db" --workers 1 --quiet >/dev/null 2>"$name-1.err" ||
        fail "$name on 1 worker: $(tail -3 "$name-1.err")"
    EP="ipc://$TMP/$name.sock"
    spawn cpid "$name-c.out" "$name-c.err" coordinator "$name.yaml" --bind "$EP" --db "$name-3.db" --quiet
    for w in 1 2 3; do
        spawn wpid "$name-w$w.out" "$name-w$w.err" worker --connect "$EP" --jobs 2
    done
    wait_exit "$cpid" 90 || fail "$name on 3 workers: coordinator did not finish: $(tail -3 "$name-c.err")"
    decisions "$name-1.db" >"$name-1.txt"
    decisions "$name-3.db" >"$name-3.txt"
    pruned=$(sqlite3 "$name-1.db" "SELECT COUNT(*) FROM trials WHERE status = 'pruned'")
    complete=$(sqlite3 "$name-1.db" "SELECT COUNT(*) FROM trials WHERE status = 'complete'")
    echo "$name: $pruned pruned, $complete complete of 40"
    [ "$pruned" -gt 5 ] && [ "$complete" -gt 0 ] || fail "$name: $pruned pruned, $complete complete: the test proves nothing"
    cmp -s "$name-1.txt" "$name-3.txt" || fail "$name: 1 worker and 3 × 2 differ: $(diff "$name-1.txt" "$name-3.txt" | head -4)"
    bad=$(sqlite3 "$name-3.db" "SELECT COUNT(*) FROM trials t WHERE status = 'pruned' AND
           (pruned_epoch IS NULL OR pruned_epoch >= 12 OR score IS NOT NULL OR pruned_epoch !=
            (SELECT COUNT(*) FROM trial_epochs e WHERE e.sweep_id = t.sweep_id AND e.trial = t.trial)
            OR NOT EXISTS (SELECT 1 FROM trial_rungs r WHERE r.trial = t.trial AND r.decision = 'prune'
                           AND r.epoch = t.pruned_epoch))")
    [ "$bad" = 0 ] || fail "$name: $bad pruned trials without their epoch, curve or decision"
done

# --- 3. kill -9 of the coordinator ------------------------------------------------
check
spec k.yaml kill-coord 150 60 12 '{rule: successive_halving, min_resource: 2, reduction_factor: 3}'
"$LRSWEEP" run k.yaml --db kref.db --workers 1 --quiet >/dev/null 2>kref.err || fail "reference: $(cat kref.err)"
EP="ipc://$TMP/k.sock"
spawn w1 kw1.out kw1.err worker --connect "$EP" --jobs 2
spawn w2 kw2.out kw2.err worker --connect "$EP" --jobs 2
prev=0
for delay in 0.3 0.5 0.4; do
    "$LRSWEEP" coordinator k.yaml --bind "$EP" --db k.db --quiet >/dev/null 2>>kc.err &
    cpid=$!
    PIDS+=("$cpid")
    sleep "$delay"
    kill -9 "$cpid"
    wait "$cpid" 2>/dev/null
    prev=$(sqlite3 k.db "SELECT COUNT(*) FROM trials" 2>/dev/null || echo 0)
    echo "after a kill -9 at ${delay}s: $prev trials recorded"
done
[ "${prev:-0}" -lt 150 ] || fail "the kills did not land mid-sweep"
timeout 120 "$LRSWEEP" coordinator k.yaml --bind "$EP" --db k.db --quiet >/dev/null 2>>kc.err ||
    fail "final coordinator: $(tail -3 kc.err)"
decisions kref.db >kref.txt
decisions k.db >k.txt
cmp -s kref.txt k.txt || fail "after kill -9 and resume the decisions differ: $(diff kref.txt k.txt | head -4)"
wait_exit "$w1" 20 || fail "worker 1 did not exit 0"
wait_exit "$w2" 20 || fail "worker 2 did not exit 0"

# --- 4. kill -9 of the worker the others wait for --------------------------------
check
spec d.yaml deadlock 40 300 12 '{rule: median, n_startup_trials: 2}'
"$LRSWEEP" run d.yaml --db dref.db --workers 1 --quiet >/dev/null 2>dref.err || fail "reference: $(cat dref.err)"
EP="ipc://$TMP/d.sock"
spawn cpid dc.out dc.err coordinator d.yaml --bind "$EP" --db d.db --heartbeat-ms 200
spawn va dva.out dva.err worker --connect "$EP" --jobs 1 --name victim
# The victim alone first, until it holds a lease (trial 0); then the other.
killed=""
for _ in $(seq 1 200); do
    n=$(sqlite3 -cmd ".timeout 3000" d.db "SELECT COUNT(*) FROM leases WHERE worker = 'victim'" 2>/dev/null || echo 0)
    [ "${n:-0}" -ge 1 ] && break
    sleep 0.05
done
spawn vb dvb.out dvb.err worker --connect "$EP" --jobs 2 --name other
# Kill once the victim runs the lowest-index unfinished trial (it also holds
# the later ones that wait at rungs for it) and the other worker has joined,
# which then gets them all back (a lease row may outlive its recorded trial
# until the next flush: recorded trials do not count).
for _ in $(seq 1 100); do
    low=$(sqlite3 -cmd ".timeout 3000" d.db "SELECT trial, worker FROM leases WHERE trial NOT IN (SELECT trial FROM trials)
                        ORDER BY trial LIMIT 1" 2>/dev/null)
    others=$(sqlite3 -cmd ".timeout 3000" d.db "SELECT COUNT(*) FROM workers WHERE name = 'other'" 2>/dev/null)
    if [ "${low#*|}" = victim ] && [ "${others:-0}" -gt 0 ]; then
        kill -9 "$va"
        killed=${low%|*}
        break
    fi
    sleep 0.05
done
[ -n "$killed" ] || fail "the victim never held the lowest-index lease (last seen: '$low', other joined: $others)"
echo "killed the worker of trial $killed, the lowest-index one running"
wait_exit "$cpid" 90 || fail "the sweep did not complete after the worker of trial $killed died: $(tail -3 dc.err)"
decisions dref.db >dref.txt
decisions d.db >d.txt
cmp -s dref.txt d.txt || fail "decisions differ after the kill: $(diff dref.txt d.txt | head -4)"
r=$(sqlite3 -cmd ".timeout 3000" d.db "SELECT attempts FROM trials WHERE trial = ${killed:-0}")
[ "${r:-0}" -ge 2 ] || fail "trial $killed was not re-run (attempts $r)"

# --- 5. the built-in engine, k-fold in lock step -------------------------------------
check
cat >wine.yaml <<EOF
name: wine-prune
seed: 5
trials: 14
objective: {metric: val_loss, goal: minimize}
data: {path: $EXAMPLES/wine.csv, target: [cultivar], task: classification}
model: {type: mlp, hidden: [8]}
train: {folds: 3}
pruning: {rule: median, n_startup_trials: 2, interval_steps: 2}
search:
  lr: {log_uniform: [1.0e-4, 0.5]}
  epochs: 10
  batch_size: 32
  optimizer: {sgd: {momentum: 0.9}, adam: {}}
EOF
"$LRSWEEP" run wine.yaml --db wine-1.db --workers 1 --quiet >/dev/null 2>wine-1.err || fail "wine on 1 worker: $(tail -3 wine-1.err)"
"$LRSWEEP" run wine.yaml --db wine-2.db --workers 2 --quiet >/dev/null 2>wine-2.err || fail "wine on 2 workers: $(tail -3 wine-2.err)"
decisions wine-1.db >wine-1.txt
decisions wine-2.db >wine-2.txt
cmp -s wine-1.txt wine-2.txt || fail "wine: 1 and 2 workers differ: $(diff wine-1.txt wine-2.txt | head -4)"
n=$(sqlite3 wine-1.db "SELECT COUNT(*) FROM trials WHERE status = 'pruned'")
[ "$n" -gt 0 ] || fail "wine: nothing was pruned"
# a pruned trial's stored curve is the unpruned trial's, cut at the rung
t=$(sqlite3 wine-1.db "SELECT trial, pruned_epoch FROM trials WHERE status = 'pruned' ORDER BY trial LIMIT 1")
if [ -n "$t" ]; then
    "$LRSWEEP" train --spec wine.yaml --trial "${t%|*}" --json >full.json 2>/dev/null || fail "train --spec failed"
    $PY - full.json wine-1.db "${t%|*}" "${t#*|}" <<'EOF' || fail "the pruned trial's curve is not the full run's first epochs"
import json, sqlite3, sys
full = json.load(open(sys.argv[1]))
epochs = full["epochs"]
rows = sqlite3.connect(sys.argv[2]).execute(
    "SELECT epoch, train_loss, val_loss FROM trial_epochs WHERE trial = ? ORDER BY epoch",
    (int(sys.argv[3]),)).fetchall()
assert len(rows) == int(sys.argv[4]), (len(rows), sys.argv[4])
for (e, tl, vl), want in zip(rows, epochs):
    assert e == want["epoch"] and tl == want["train_loss"] and vl == want["val_loss"], (e, tl, vl, want)
EOF
fi

# --- 6. deterministic: false ----------------------------------------------------------
# Decided at once against what is known (a trial waiting for its VERDICT
# lets another start, so even one worker interleaves): it completes on 3
# workers × 2, and every pruned trial has its decision.
spec nd.yaml nondet 40 5 12 '{rule: median, n_startup_trials: 3, n_warmup_steps: 2, deterministic: false}'
check
EP="ipc://$TMP/nf.sock"
spawn cpid nfc.out nfc.err coordinator nd.yaml --bind "$EP" --db nf3.db --quiet
for w in 1 2 3; do spawn wpid "nfw$w.out" "nfw$w.err" worker --connect "$EP" --jobs 2; done
wait_exit "$cpid" 90 || fail "deterministic: false on 3 workers did not finish: $(tail -3 nfc.err)"
n=$(sqlite3 nf3.db "SELECT COUNT(*) FROM trials")
p=$(sqlite3 nf3.db "SELECT COUNT(*) FROM trials t WHERE status = 'pruned' AND EXISTS
      (SELECT 1 FROM trial_rungs r WHERE r.trial = t.trial AND r.decision = 'prune' AND r.epoch = t.pruned_epoch)")
all=$(sqlite3 nf3.db "SELECT COUNT(*) FROM trials WHERE status = 'pruned'")
echo "deterministic: false on 3 × 2: $all pruned of $n"
[ "$n" = 40 ] && [ "$all" -gt 0 ] && [ "$p" = "$all" ] ||
    fail "deterministic: false on 3 × 2: $n trials, $all pruned, $p with their decision"

summary
