#!/usr/bin/env bash
# test_pruning_exec.sh — pruning a command sweep (`command:`) with real
# coordinator, worker and script processes:
#  1. successive halving and median prune exactly the same trials, at the
#     same epochs, with the same stored curves on 1 worker and on 3 workers
#     × 2 jobs (one of them killed with -9 mid-sweep: its trials re-run
#     elsewhere and reach the same decisions);
#  2. a pruned trial's script is stopped (it receives SIGTERM and trains no
#     further), its curve and final metrics are cut at the rung epoch, and a
#     script that finished before its verdict came is cut the same way;
#  3. `auto` resources need epochs in search:, else exit 2 naming the key;
#  4. a retried attempt whose script reports a rung at another epoch of it
#     gets the recorded decision at the epoch it asked.
#
# usage: bash test_pruning_exec.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

# The script: val_loss depends on lr and the epoch only, so every run of a
# trial reports the same curve.  Even trials train slowly, odd ones fast:
# with several workers a fast trial often ends before the slower,
# lower-index trial its decision waits for has reached the rung.
cat >train.sh <<'EOF'
#!/bin/sh
lr=$1 epochs=$2 marks=$3
trap 'echo "$LRSWEEP_TRIAL" >>"$marks/term"; exit 143' TERM
dt=0.08
[ $((LRSWEEP_TRIAL % 2)) = 1 ] && dt=0.005
e=1
while [ "$e" -le "$epochs" ]; do
    awk -v lr="$lr" -v e="$e" 'BEGIN { l = log(lr) / log(10);
        printf "epoch=%d val_loss=%.9f lr=%s\n", e, (l + 2) * (l + 2) + 3 / e, lr }'
    echo "$e" >"$marks/$LRSWEEP_TRIAL"
    sleep "$dt"
    e=$((e + 1))
done
EOF

# spec FILE NAME PRUNING-YAML [EPOCHS-LINE]
spec() {
    cat >"$1" <<EOF
name: $2
seed: 7
trials: 24
command: sh train.sh {lr} {epochs} $TMP/marks-\$RUN
metric: {name: val_loss, goal: minimize}
workdir: .
pruning: $3
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
${4-  epochs: 20}
EOF
}

# decisions DB: outcomes, rung decisions and every stored curve value.
decisions() {
    sqlite3 "$1" "SELECT 't', trial, status, IFNULL(pruned_epoch, '-'), IFNULL(score, '-'),
                         IFNULL(exit_status, '-'), metrics FROM trials ORDER BY trial;
                  SELECT 'r', trial, rung, epoch, value, decision, IFNULL(threshold, '-')
                  FROM trial_rungs ORDER BY trial, rung;
                  SELECT 'm', trial, fold, epoch, name, value FROM trial_metrics
                  ORDER BY trial, fold, epoch, name"
}

# --- 3. auto resources ---------------------------------------------------------
spec auto.yaml auto '{rule: successive_halving}' '  momentum: 0.0'
expect_status validate usage 2 "pruning.min_resource: auto takes the largest epochs of search:" auto.yaml
spec auto2.yaml auto2 '{rule: successive_halving}'
check
run validate auto2.yaml
[ "$rc" -eq 0 ] || fail "validate auto2.yaml (epochs in search:) exited $rc: $(cat "$TMP/err")"

for rule in '{rule: successive_halving, min_resource: 2, reduction_factor: 3}' \
            '{rule: median, n_startup_trials: 4, n_warmup_steps: 3, interval_steps: 3}'; do
    name=$(echo "$rule" | sed 's/{rule: \([a-z_]*\).*/\1/')
    spec "$name.yaml" "x-$name" "$rule"
    # --- 1. one worker --------------------------------------------------------
    check
    sed "s#\\\$RUN#$name-1#" "$name.yaml" >"$name-1.yaml"
    mkdir "marks-$name-1"
    "$LRSWEEP" run "$name-1.yaml" --db "$name-1.db" --workers 1 --quiet >/dev/null 2>"$name-1.err" ||
        fail "$name on 1 worker: $(tail -3 "$name-1.err")"
    # --- 1. three workers × 2, one killed -------------------------------------
    check
    sed "s#\\\$RUN#$name-3#" "$name.yaml" >"$name-3.yaml"
    mkdir "marks-$name-3"
    EP="ipc://$TMP/$name.sock"
    spawn cpid "$name-c.out" "$name-c.err" coordinator "$name-3.yaml" --bind "$EP" \
        --db "$name-3.db" --quiet
    for w in 1 2 3; do
        spawn "w$w" "$name-w$w.out" "$name-w$w.err" worker --connect "$EP" --jobs 2 \
            --allow-commands --workdir-base "$TMP"
    done
    sleep 1.2
    kill -9 "$w2"
    wait_exit "$cpid" 120 || fail "$name on 3 workers: coordinator did not finish: $(tail -3 "$name-c.err")"
    retried=$(sqlite3 "$name-3.db" "SELECT COUNT(*) FROM trials WHERE attempts > 1")
    decisions "$name-1.db" | sed 's/marks-[a-z_]*-[13]/marks/g' >"$name-1.txt"
    decisions "$name-3.db" | sed 's/marks-[a-z_]*-[13]/marks/g' >"$name-3.txt"
    pruned=$(sqlite3 "$name-1.db" "SELECT COUNT(*) FROM trials WHERE status = 'pruned'")
    complete=$(sqlite3 "$name-1.db" "SELECT COUNT(*) FROM trials WHERE status = 'complete'")
    echo "$name: $pruned pruned, $complete complete of 24; $retried re-run after the kill"
    [ "$pruned" -gt 3 ] && [ "$complete" -gt 0 ] ||
        fail "$name: $pruned pruned, $complete complete: the test proves nothing"
    cmp -s "$name-1.txt" "$name-3.txt" ||
        fail "$name: 1 worker and 3 × 2 differ: $(diff "$name-1.txt" "$name-3.txt" | head -6)"
    # --- 2. cut at the rung, the script stopped ----------------------------------
    check
    bad=$(sqlite3 "$name-1.db" "SELECT trial FROM trials t WHERE status = 'pruned' AND
           (pruned_epoch IS NULL OR pruned_epoch >= 20 OR score IS NOT NULL OR exit_status IS NOT NULL
            OR (SELECT MAX(epoch) FROM trial_metrics m WHERE m.trial = t.trial) != pruned_epoch
            OR json_extract(metrics, '\$.val_loss') != (SELECT value FROM trial_metrics m
                 WHERE m.trial = t.trial AND m.epoch = t.pruned_epoch AND m.name = 'val_loss')
            OR NOT EXISTS (SELECT 1 FROM trial_rungs r WHERE r.trial = t.trial AND r.decision = 'prune'
                           AND r.epoch = t.pruned_epoch))")
    [ -z "$bad" ] || fail "$name: pruned trials not cut at their rung: $bad"
    check
    # On one worker each decision is taken as the trial reaches its rung: a
    # slow pruned script gets SIGTERM and stops long before epoch 20.
    for t in $(sqlite3 "$name-1.db" "SELECT trial FROM trials WHERE status = 'pruned' AND trial % 2 = 0"); do
        last=$(cat "marks-$name-1/$t")
        grep -qx "$t" "marks-$name-1/term" || fail "$name: pruned trial $t got no SIGTERM"
        [ "$last" -lt 20 ] || fail "$name: pruned trial $t trained on to epoch $last"
    done
    late=0
    for t in $(sqlite3 "$name-3.db" "SELECT trial FROM trials WHERE status = 'pruned'"); do
        [ "$(cat "marks-$name-3/$t" 2>/dev/null)" = 20 ] && late=$((late + 1))
    done
    echo "$name: $late pruned trials had finished before their verdict came (3 workers)"
    [ "$name" != successive_halving ] || [ "$late" -gt 0 ] ||
        fail "$name: no script finished before its verdict: the cut after the end is untested"
done
# --- 4. a retried attempt that reports a rung at another epoch of it -------------
# The first attempt of each trial reports every epoch; a retry skips epoch 2,
# so its rung-0 value comes at epoch 3: the recorded decision is answered at
# the epoch it asked (else it would ask forever).
check
cat >skip.sh <<'EOF'
#!/bin/sh
m=$1/$LRSWEEP_TRIAL
first=1
[ -e "$m" ] && first=0
touch "$m"
for e in 1 2 3 4 5 6 7 8; do
    [ "$first" = 0 ] && [ "$e" = 2 ] && continue
    echo "epoch=$e val_loss=$(awk -v e="$e" -v t="$LRSWEEP_TRIAL" 'BEGIN { printf "%.6f", 1 + t + 1 / e }')"
    sleep 0.25
done
EOF
mkdir skipmarks
cat >skip.yaml <<EOF
name: retry-skip
seed: 3
trials: 2
command: sh skip.sh $TMP/skipmarks
metric: {name: val_loss, goal: minimize}
workdir: .
pruning: {rule: successive_halving, min_resource: 2, reduction_factor: 3}
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
  epochs: 8
EOF
EP="ipc://$TMP/skip.sock"
spawn cpid skc.out skc.err coordinator skip.yaml --bind "$EP" --db skip.db --heartbeat-ms 200
spawn wa ska.out ska.err worker --connect "$EP" --jobs 2 --allow-commands --workdir-base "$TMP"
for _ in $(seq 1 60); do
    [ "$(sqlite3 -cmd ".timeout 3000" skip.db "SELECT COUNT(*) FROM trial_rungs" 2>/dev/null)" = 2 ] && break
    sleep 0.05
done
kill -9 "$wa"
spawn wb skb.out skb.err worker --connect "$EP" --jobs 2 --allow-commands --workdir-base "$TMP"
wait_exit "$cpid" 30 || fail "retry with a rung at another epoch: the sweep did not finish: $(tail -3 skc.err)"
got=$(sqlite3 skip.db "SELECT trial || ':' || status || ':' || attempts FROM trials ORDER BY trial" | tr '\n' ' ')
echo "retried with a skipped epoch: $got"
case $got in   # trial 1, pruned at once, may have ended before the kill
    "0:complete:2 1:pruned:"[12]" ") ;;
    *) fail "retry with a rung at another epoch: $got (want 0:complete:2 1:pruned:1 or 2)" ;;
esac

[ -z "$(pgrep -f "sh train.sh" || true)" ] || fail "scripts left running: $(pgrep -af 'sh train.sh')"
summary
