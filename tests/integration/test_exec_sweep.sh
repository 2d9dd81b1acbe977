#!/usr/bin/env bash
# test_exec_sweep.sh — sweeps that run the user's own command, end to end
# with real coordinator, worker and command processes:
#  a. a small sweep of examples/pytorch/train.py run for real with
#     /usr/bin/python3 (skipped, exit 77, without torch): every trial
#     complete, its curve stored, and the LR PyTorch reported each epoch
#     equals `lrsweep schedule` for the trial's parameters (1e-6 relative);
#  b. outcomes of small shell commands: failed (exit status and stderr tail
#     stored, not retried), no metric, diverged, timeout killing a child that
#     ignores SIGTERM (no survivor), folds (one run per fold, mean score);
#  c. kill -9 of the worker running a long command: the command's whole
#     process group dies with it and the trial is re-run by another worker;
#  d. a command longer than 3 heartbeat intervals completes at attempt 1 (the
#     worker heartbeats while it runs), and its curve so far is in the
#     database while it runs (PROGRESS);
#  e. a worker that loses its coordinator (frozen past 3 heartbeats) kills
#     its command; the trial runs again (attempt 2) once the coordinator is back;
#  f. a worker stopped by two SIGTERMs kills its command and exits 130.
#
# usage: bash test_exec_sweep.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
EXAMPLE=$EXAMPLES/pytorch
cd "$TMP" || exit 1

# --- a. the PyTorch example, for real ----------------------------------------
if ! $PY -c 'import torch' 2>/dev/null; then
    echo "SKIP: $PY cannot import torch (install the reference packages: deploy/install-deps.sh)"
    exit 77
fi
check
mkdir a && cp "$EXAMPLE/train.py" a/
sed -e "s#^command: python3 #command: $PY #" -e 's/^trials: .*/trials: 6/' \
    -e 's/^  epochs: .*/  epochs: 5/' "$EXAMPLE/sweep.yaml" >a/sweep.yaml
grep -q "^command: $PY train.py" a/sweep.yaml || fail "a: the example's command line changed"
# run from elsewhere: workdir '.' is the spec's folder
"$LRSWEEP" run a/sweep.yaml --workers 2 --db a.db --quiet >a.out 2>a.err
rc=$?
[ $rc -eq 0 ] || { fail "a: run exited $rc"; cat a.err; }
n=$(q a.db "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND exit_status = 0")
[ "$n" = 6 ] || { fail "a: $n of 6 trials complete"; q a.db "SELECT trial, status, error FROM trials"; }
$PY - "$LRSWEEP" a.db >a.check 2>&1 <<'EOF' || { fail "a: LR curves differ from lrsweep schedule"; cat a.check; }
import json, sqlite3, subprocess, sys
lrsweep, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
worst, checked = 0.0, 0
for trial, params, score in con.execute("SELECT trial, params, score FROM trials ORDER BY trial"):
    p = json.loads(params)
    words = []
    for k, v in p.items():
        if k == "clip_grad_norm":   # the script's own (a user parameter): no schedule of lrsweep's
            continue
        if isinstance(v, bool):
            v = "true" if v else "false"
        elif isinstance(v, list):
            v = ",".join(repr(x) for x in v)
        elif isinstance(v, float):
            v = repr(v)
        words.append(f"{k}={v}")
    out = subprocess.run([lrsweep, "schedule", *words], capture_output=True, text=True, check=True)
    want = {int(e): float(lr) for e, lr in (l.split() for l in out.stdout.split("\n") if l.strip())}
    got = dict(con.execute("SELECT epoch, value FROM trial_metrics WHERE trial = ? AND fold = 0"
                           " AND name = 'lr'", (trial,)).fetchall())
    names = {r[0] for r in con.execute("SELECT DISTINCT name FROM trial_metrics WHERE trial = ?",
                                        (trial,))}
    assert names == {"lr", "train_loss", "val_loss"}, (trial, names)
    assert sorted(got) == list(range(1, p["epochs"] + 1)), (trial, sorted(got))
    for e, lr in got.items():
        rel = abs(lr - want[e]) / max(abs(want[e]), 1e-300)
        worst = max(worst, rel)
        assert rel <= 1e-6, (trial, e, lr, want[e])
        checked += 1
    last = con.execute("SELECT value FROM trial_metrics WHERE trial = ? AND name = 'val_loss'"
                       " ORDER BY epoch DESC LIMIT 1", (trial,)).fetchone()[0]
    assert abs(last - score) <= 1e-12 * max(1.0, abs(score)), (trial, last, score)
    epochs = con.execute("SELECT COUNT(*) FROM trial_epochs WHERE trial = ?", (trial,)).fetchone()[0]
    assert epochs == p["epochs"], (trial, epochs)
print(f"a: {checked} epoch LRs checked, worst relative difference {worst:.3g}")
EOF
cat a.check
"$LRSWEEP" export --db a.db --format jsonl >a.jsonl || fail "a: export failed"
[ "$(wc -l <a.jsonl)" -eq 6 ] || fail "a: export has $(wc -l <a.jsonl) lines"

# --- b. outcomes of small commands --------------------------------------------
# one sweep per outcome (one trial each unless said), all in one database
outcome_spec() {   # outcome_spec NAME COMMAND [EXTRA YAML LINE]
    {
        echo "name: $1"
        echo "seed: 1"
        echo "trials: 1"
        echo "command: $2"
        echo "metric: val_loss"
        [ $# -ge 3 ] && echo "$3"
        echo "search:"
        echo "  lr: {log_uniform: [1.0e-3, 1.0]}"
    } >"$1.yaml"
}
check
cat >fails.sh <<'EOF'
for i in $(seq 1 30); do echo "noise line $i" >&2; done
printf 'bad byte \377 here\n' >&2
echo "the real reason" >&2
exit 3
EOF
outcome_spec failed "sh $TMP/fails.sh"
outcome_spec nometric "sh -c 'echo just talking'"
outcome_spec diverged "sh -c 'echo epoch=1 val_loss=0.5; echo epoch=2 val_loss=nan; echo epoch=3 val_loss=0.1'"
cat >stubborn.sh <<'EOF'
# a child that ignores SIGTERM, and a leader that does too: only SIGKILL works
sh -c 'trap "" TERM; echo $$ > child.pid; while :; do sleep 0.1; done' &
trap '' TERM
echo $$ > leader.pid
while :; do sleep 0.1; done
EOF
outcome_spec timeout "sh $TMP/stubborn.sh" "timeout: 1"
outcome_spec folds "sh -c 'echo epoch=1 val_loss=9; echo epoch=2 val_loss=\$LRSWEEP_FOLD'" "folds: 3"
for s in failed nometric diverged timeout folds; do
    "$LRSWEEP" run "$s.yaml" --workers 1 --db b.db --quiet >"b-$s.out" 2>"b-$s.err" ||
        { fail "b: run of $s exited $?"; cat "b-$s.err"; }
done
row() { q b.db "SELECT t.$2 FROM trials t JOIN sweeps s ON s.id = t.sweep_id WHERE s.name = '$1'"; }
[ "$(row failed status)" = failed ] || fail "b: failed: status $(row failed status)"
[ "$(row failed error)" = "exit status 3" ] || fail "b: failed: error '$(row failed error)'"
[ "$(row failed exit_status)" = 3 ] || fail "b: failed: exit_status '$(row failed exit_status)'"
[ "$(row failed attempts)" = 1 ] || fail "b: failed: retried ($(row failed attempts) attempts)"
tail_text=$(row failed stderr_tail)
[ "$(printf '%s\n' "$tail_text" | wc -l)" -eq 20 ] || fail "b: failed: stderr tail is not 20 lines"
printf '%s\n' "$tail_text" | tail -1 | grep -qx "the real reason" || fail "b: failed: tail lacks the last line"
printf '%s\n' "$tail_text" | grep -qF 'bad byte \xff here' || fail "b: failed: invalid UTF-8 not escaped"
printf '%s\n' "$tail_text" | grep -q "noise line 11$" && fail "b: failed: tail holds more than 20 lines"
[ "$(row nometric status)" = failed ] || fail "b: nometric: status $(row nometric status)"
[ "$(row nometric error)" = "no 'val_loss' reported" ] || fail "b: nometric: error '$(row nometric error)'"
log_text=$(row nometric log_tail)
printf "%s\n" "$log_text" | grep -q "just talking" || fail "b: nometric: log tail lacks the output"
[ "$(row diverged status)" = diverged ] || fail "b: diverged: status $(row diverged status)"
[ "$(row diverged diverged_epoch)" = 2 ] || fail "b: diverged: epoch '$(row diverged diverged_epoch)'"
[ "$(row timeout status)" = failed ] || fail "b: timeout: status $(row timeout status)"
[ "$(row timeout error)" = timeout ] || fail "b: timeout: error '$(row timeout error)'"
[ "$(row timeout attempts)" = 1 ] || fail "b: timeout: retried"
for f in leader.pid child.pid; do
    if [ ! -s "$f" ]; then
        fail "b: timeout: no $f written"
    elif alive "$(cat "$f")"; then
        fail "b: timeout: ${f%.pid} $(cat "$f") survived"
        kill -9 "$(cat "$f")" 2>/dev/null
    fi
done
[ "$(row folds status)" = complete ] || fail "b: folds: status $(row folds status)"
[ "$(row folds score)" = 1.0 ] || fail "b: folds: score '$(row folds score)' (want mean of 0, 1, 2)"
nf=$(q b.db "SELECT COUNT(DISTINCT m.fold) || ' ' || COUNT(*) FROM trial_metrics m
             JOIN sweeps s ON s.id = m.sweep_id WHERE s.name = 'folds'")
[ "$nf" = "3 6" ] || fail "b: folds: curve rows '$nf' (want 3 folds, 6 values)"
"$LRSWEEP" export failed --db b.db --format jsonl >b.jsonl 2>b.export.err ||
    fail "b: export failed: $(cat b.export.err)"
grep -q '"error": *"exit status 3"' b.jsonl || fail "b: export lacks the failure text"

# rerun_completes TAG: the coordinator (cpid) exits 0 within 30 s and the
# one trial of TAG.db is complete at attempt 2 with score 0.25 (the long
# command's second run); TAG.err is shown when the coordinator failed.
rerun_completes() {
    wait_exit "$cpid" 30
    rc=$?
    [ $rc -eq 0 ] || { fail "$1: coordinator exited $rc"; cat "$1.err"; }
    r=$(q "$1.db" "SELECT status, attempts, score FROM trials")
    [ "$r" = "complete|2|0.25" ] || fail "$1: trial recorded as '$r' (want complete|2|0.25)"
}

# --- c. kill -9 of the worker running a long command ----------------------------
check
cat >long.sh <<'EOF'
# the first run records its processes and waits forever; a later run reports
if mkdir first-run 2>/dev/null; then
    sleep 600 &
    echo "$$ $!" > long.pids
    wait
fi
echo "epoch=1 val_loss=0.25"
EOF
outcome_spec killed "sh $TMP/long.sh" "workdir: $TMP"
EP="ipc://$TMP/c.sock"
spawn cpid c.out c.err coordinator killed.yaml --bind "$EP" --db c.db --quiet
for w in one two; do
    spawn "wpid_$w" "w-$w.out" "w-$w.err" worker --connect "$EP" --name "$w" --allow-commands
done
if ! wait_file long.pids 100; then
    fail "c: the long command never started"
else
    read -r leader sleeper <long.pids
    victim=$(awk '{print $4}' "/proc/$leader/stat")
    grep -q worker "/proc/$victim/cmdline" || fail "c: the command's parent $victim is not a worker"
    kill -9 "$victim"
    all_gone 50 "$leader" "$sleeper" || fail "c: the command's group outlived its worker (leader $leader, child $sleeper)"
    kill -9 "$leader" "$sleeper" 2>/dev/null
    rerun_completes c
fi

# --- d. heartbeats while a long command runs; its curve so far --------------------
check
cat >slow.sh <<'EOF'
echo "epoch=1 val_loss=0.75 lr=0.1"
sleep 4.5
echo "epoch=2 val_loss=0.5 lr=0.1"
EOF
outcome_spec slow "sh $TMP/slow.sh"
spawn rpid d.out d.err run slow.yaml --workers 1 --db d.db
seen=""
for _ in $(seq 40); do
    sleep 0.1
    [ -f d.db ] || continue
    seen=$(q d.db "SELECT (SELECT COUNT(*) FROM trial_metrics WHERE epoch = 1) || ' '
                          || (SELECT COUNT(*) FROM trials)" 2>/dev/null)
    [ "$seen" = "2 0" ] && break
done
[ "$seen" = "2 0" ] || fail "d: no curve so far while the command ran (saw '$seen')"
wait_exit "$rpid" 30
rc=$?
[ $rc -eq 0 ] || { fail "d: run exited $rc"; cat d.err; }
r=$(q d.db "SELECT status, attempts, score FROM trials")
[ "$r" = "complete|1|0.5" ] || fail "d: trial recorded as '$r' (want complete|1|0.5)"
grep -q "stopped heartbeating" d.err && fail "d: the coordinator lost the worker during the command"
[ "$(q d.db "SELECT COUNT(*) FROM trial_metrics")" = 4 ] || fail "d: final curve is not 4 values"

# long_trial DIR SWEEP WORKER: a sweep SWEEP of one long command (long.sh
# copied to DIR), its coordinator (cpid) and one worker WORKER (wpid) on
# ipc://$TMP/DIR.sock; 1 if the command never started, else its pids are in
# leader and sleeper.
long_trial() {
    mkdir "$1" && sed "s#$TMP#$TMP/$1#" long.sh >"$1/long.sh"
    outcome_spec "$2" "sh $TMP/$1/long.sh" "workdir: $TMP/$1"
    EP="ipc://$TMP/$1.sock"
    spawn cpid "$1.out" "$1.err" coordinator "$2.yaml" --bind "$EP" --db "$1.db" --quiet
    spawn wpid "w-$1.out" "w-$1.err" worker --connect "$EP" --name "$3" --allow-commands
    wait_file "$1/long.pids" 100 || return 1
    read -r leader sleeper <"$1/long.pids"
}

# --- e. a worker that loses its coordinator kills its command --------------------
# The coordinator is frozen (SIGSTOP) past 3 heartbeats: the worker presumes
# it gone and kills the command (the trial will run elsewhere); once thawed,
# the coordinator expires the lease and the trial runs again (attempt 2).
check
if ! long_trial e lost lonely; then
    fail "e: the long command never started"
else
    kill -STOP "$cpid"
    gone=0
    all_gone 80 "$leader" "$sleeper" && gone=1
    kill -CONT "$cpid"
    [ $gone = 1 ] || fail "e: the command outlived its lease (leader $leader, child $sleeper)"
    alive "$wpid" || fail "e: the worker died"
    kill -9 "$leader" "$sleeper" 2>/dev/null
    rerun_completes e
fi

# --- f. a worker stopped by signals kills its command -------------------------------
check
if ! long_trial f stopped quitter; then
    fail "f: the long command never started"
else
    kill -TERM "$wpid"
    sleep 0.3
    kill -TERM "$wpid"
    wait_exit "$wpid" 10
    rc=$?
    [ $rc -eq 130 ] || fail "f: worker exited $rc (want 130)"
    if alive "$leader" || alive "$sleeper"; then
        fail "f: the command outlived its stopped worker"
        kill -9 "$leader" "$sleeper" 2>/dev/null
    fi
fi
kill -9 "$cpid" 2>/dev/null

summary
