#!/usr/bin/env bash
# test_confirm.sh — `confirm: {top, repeats}` and `lrsweep confirm`:
#  1. bad confirm: values exit 2 naming file:line:column; command sweeps
#     refuse it; confirm: {} takes the defaults;
#  2. a sweep with confirm: {top: 3, repeats: 4} on 2 workers: exactly the 3
#     best search trials get a confirmation run 10^9 + j (confirms = j, the
#     same params, 4 repeats with seeds no search trial has, score their
#     mean); best ranks them by confirmed mean with the 95% t interval that
#     SciPy gives and states the verdict; the search table excludes them;
#     status counts them apart;
#  3. kill -9 of the coordinator while confirmation runs are leased, then
#     run again: every confirmation recorded once, with the same results as
#     an uninterrupted sweep;
#  4. lrsweep confirm on a sweep whose spec has no confirm: --top/--repeats
#     confirm it; again: nothing new; a larger --top adds the next config;
#     flags with a spec that has confirm:, and --top on run, exit 2;
#  5. extending trials: confirms the configs that entered the top K;
#  6. configs that cannot be told apart are said to be so.
#
# usage: bash test_confirm.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

q() { sqlite3 -cmd ".timeout 3000" "$1" "$2"; }
# spec FILE NAME TRIALS COST_MS [EXTRA-LINE]
spec() {
    synthetic_spec "$1" "$2" 5 "$3" "$4" 10 1.0 'step: {step_size: 4, gamma: 0.5}'
    [ -z "${5:-}" ] || echo "$5" >>"$1"
}

# --- 1. spec ----------------------------------------------------------------
for bad in '{top: 0}' '{repeats: 101}' '{top: 2, seeds: 3}' '5'; do
    spec bad.yaml b 10 0 "confirm: $bad"
    run validate bad.yaml
    check
    [ "$rc" -eq 2 ] || fail "confirm: $bad: validate exited $rc"
    grep -qF "bad.yaml:$(grep -c '' bad.yaml):" "$TMP/err" ||
        fail "confirm: $bad: the error names no line: $(cat "$TMP/err")"
done
cat >cmd.yaml <<'EOF'
name: c
trials: 2
command: "true {lr}"
metric: {name: loss, goal: minimize}
search: {lr: {log_uniform: [1.0e-4, 1.0]}}
confirm: {top: 1}
EOF
run validate cmd.yaml
check
[ "$rc" -eq 2 ] && grep -qF "built-in engine only" "$TMP/err" ||
    fail "a command spec with confirm: ($rc): $(cat "$TMP/err")"
spec ok.yaml ok 10 0 'confirm: {}'
run validate ok.yaml
check
[ "$rc" -eq 0 ] || fail "confirm: {} refused: $(cat "$TMP/err")"

# --- 2. a confirmed sweep ---------------------------------------------------
spec c.yaml conf 24 0 'confirm: {top: 3, repeats: 4}'
run run c.yaml --db c.db --workers 2 --quiet
check
[ "$rc" -eq 0 ] || fail "run c.yaml exited $rc: $(tail -3 "$TMP/err")"
line=$(cat "$TMP/out")
best19=$(q c.db "SELECT confirms FROM trials WHERE confirms IS NOT NULL ORDER BY score LIMIT 1")
check
case $line in
"sweep conf: 24/24 trials, best val_loss "*"; confirmed 3, best trial $best19 "*" ["*", "*"]"*) ;;
*) fail "run --quiet line: '$line'" ;;
esac
want=$(q c.db "SELECT group_concat(trial) FROM (SELECT trial FROM trials WHERE status = 'complete'
               AND trial < 1000000000 ORDER BY score, trial LIMIT 3)")
got=$(q c.db "SELECT group_concat(confirms) FROM (SELECT confirms FROM trials
              WHERE confirms IS NOT NULL ORDER BY confirms)")
sorted=$(echo "$want" | tr ',' '\n' | sort -n | paste -sd,)
check
[ "$got" = "$sorted" ] || fail "confirmed $got, the 3 best search trials are $want"
bad=$(q c.db "SELECT c.trial FROM trials c JOIN trials s ON s.sweep_id = c.sweep_id
              AND s.trial = c.confirms WHERE c.confirms IS NOT NULL AND (
                 c.trial != 1000000000 + c.confirms OR c.params != s.params
              OR c.status != 'complete' OR c.score_n != 4
              OR (SELECT count(*) FROM trial_repeats r WHERE r.trial = c.trial) != 4
              OR abs(c.score - (SELECT avg(score) FROM trial_repeats r WHERE r.trial = c.trial))
                 > 1e-12 * abs(c.score))")
check
[ -z "$bad" ] || fail "confirmation runs not stored as promised: $bad"
check
[ "$(q c.db "SELECT count(*) FROM trial_repeats r JOIN trials t ON t.trial = r.trial
             WHERE t.confirms IS NOT NULL")" = 12 ] || fail "not 12 confirmation repeats"
run sample c.yaml -n 24
seeds=$(sed 's/.*"seed": *\([0-9]*\).*/\1/' "$TMP/out" | paste -sd, -)
check
[ "$(q c.db "SELECT count(*) FROM trial_repeats WHERE seed IN ($seeds)")" = 0 ] ||
    fail "a confirmation repeat reuses a search trial's seed"

run best conf --db c.db --json
check
[ "$rc" -eq 0 ] || fail "best exited $rc: $(cat "$TMP/err")"
$PY - "$TMP/out" c.db <<'EOF' || fail "best --json: confirmed ranking or interval wrong"
import json, math, sqlite3, sys
from scipy import stats
rows = [json.loads(l) for l in open(sys.argv[1])]
conf = [r for r in rows if "confirmed" in r]
search = [r for r in rows if "confirmed" not in r]
assert len(conf) == 3, conf
means = [r["confirmed"]["mean"] for r in conf]
assert means == sorted(means), means
assert all(r["trial"] < 1000000000 for r in search)
db = sqlite3.connect(sys.argv[2])
for r in conf:
    xs = [s for (s,) in db.execute(
        "SELECT score FROM trial_repeats WHERE trial = ?", (1000000000 + r["trial"],))]
    n = len(xs)
    m = sum(xs) / n
    sd = math.sqrt(sum((x - m) ** 2 for x in xs) / (n - 1))
    half = stats.t.ppf(0.975, n - 1) * sd / math.sqrt(n)
    k = r["confirmed"]
    assert k["n"] == 4 and abs(k["mean"] - m) <= 1e-12 * abs(m), (k, m)
    assert abs(k["low"] - (m - half)) <= 1e-7 * half and abs(k["high"] - (m + half)) <= 1e-7 * half, (k, m, half)
EOF
check
run best conf --db c.db
check
grep -qF "confirmed configs (mean of each one's fresh repeats, 95% t interval)" "$TMP/out" &&
    grep -qE "is best: its 95% interval|cannot be told apart" "$TMP/out" ||
    fail "best: no confirmed table or verdict: $(cat "$TMP/out")"
run status conf --db c.db
check
grep -qF "24 of 24 trials recorded" "$TMP/out" && grep -qF "confirmation runs: 3 recorded" "$TMP/out" ||
    fail "status: $(cat "$TMP/out")"

# --- 3. kill -9 mid-confirmation, resume ------------------------------------
spec k.yaml kill 12 150 'confirm: {top: 3, repeats: 4}'
run run k.yaml --db clean.db --workers 2 --quiet
check
[ "$rc" -eq 0 ] || fail "clean run exited $rc: $(tail -3 "$TMP/err")"
spawn cpid k.out k.err run k.yaml --db k.db --workers 2
for _ in $(seq 1 300); do
    [ "$(q k.db "SELECT count(*) FROM leases WHERE trial >= 1000000000" 2>/dev/null)" -ge 1 ] 2>/dev/null && break
    sleep 0.05
done
kill -9 "$cpid"
wait "$cpid" 2>/dev/null
check
[ "$(q k.db "SELECT count(*) FROM trials WHERE confirms IS NOT NULL")" -lt 3 ] ||
    fail "the kill came too late: every confirmation was already recorded"
sleep 0.5   # the orphaned local workers notice their coordinator is gone
run run k.yaml --db k.db --workers 2 --quiet
check
[ "$rc" -eq 0 ] || fail "resumed run exited $rc: $(tail -3 "$TMP/err")"
outcomes() { q "$1" "SELECT trial, status, printf('%.15g', score), score_n FROM trials ORDER BY trial"; }
check
[ "$(outcomes k.db)" = "$(outcomes clean.db)" ] ||
    fail "resumed results differ: $(diff <(outcomes clean.db) <(outcomes k.db))"
check
[ "$(q k.db "SELECT count(*) FROM trials WHERE confirms IS NOT NULL")" = 3 ] ||
    fail "not 3 confirmations after the resume"

# --- 4. lrsweep confirm -----------------------------------------------------
spec n.yaml plain 24 0
run run n.yaml --db n.db --workers 2 --quiet
run confirm n.yaml --db n.db --workers 2 --top 2 --repeats 3 --quiet
check
[ "$rc" -eq 0 ] || fail "confirm exited $rc: $(cat "$TMP/err")"
check
[ "$(q n.db "SELECT count(*), sum(score_n = 3) FROM trials WHERE confirms IS NOT NULL")" = "2|2" ] ||
    fail "confirm --top 2 --repeats 3: $(q n.db 'SELECT trial, score_n FROM trials WHERE confirms IS NOT NULL')"
before=$(outcomes n.db)
run confirm n.yaml --db n.db --workers 2 --top 2 --repeats 3 --quiet
check
[ "$rc" -eq 0 ] && [ "$(outcomes n.db)" = "$before" ] || fail "confirm again changed the database"
run confirm n.yaml --db n.db --workers 2 --top 3 --repeats 3 --quiet
third=$(q n.db "SELECT trial FROM trials WHERE status = 'complete' AND trial < 1000000000
                ORDER BY score, trial LIMIT 1 OFFSET 2")
check
[ "$(q n.db "SELECT count(*) FROM trials WHERE confirms = $third")" = 1 ] &&
    [ "$(q n.db "SELECT count(*) FROM trials WHERE confirms IS NOT NULL")" = 3 ] ||
    fail "confirm --top 3 did not add trial $third alone"
expect_status confirm any 2 "sets confirm:" c.yaml --db c.db --top 2
expect_status run usage 2 "--top applies to lrsweep confirm" n.yaml --db n.db --top 2
expect_status confirm usage 2 "--top: expected an integer" n.yaml --db n.db --top 0

# --- 5. extension -----------------------------------------------------------
sed 's/^trials: 24$/trials: 60/' c.yaml >c60.yaml
run run c60.yaml --db c.db --workers 2 --quiet
check
[ "$rc" -eq 0 ] || fail "extended run exited $rc: $(tail -3 "$TMP/err")"
top=$(q c.db "SELECT group_concat(trial) FROM (SELECT trial FROM trials WHERE status = 'complete'
              AND trial < 1000000000 ORDER BY score, trial LIMIT 3)")
missing=$(q c.db "SELECT trial FROM trials t WHERE t.trial IN ($top) AND NOT EXISTS
                  (SELECT 1 FROM trials c WHERE c.confirms = t.trial)")
check
[ -z "$missing" ] || fail "after the extension the top 3 ($top) lack a confirmation: $missing"
check
[ "$(q c.db "SELECT count(*) FROM trials WHERE confirms IN ($got)")" = 3 ] ||
    fail "earlier confirmations were lost"

# --- 6. configs that cannot be told apart -----------------------------------
cat >tie.yaml <<'EOF'
name: tie
seed: 3
sampler: grid
model: {type: synthetic}
search:
  lr: {values: [0.003, 0.0030000001, 0.5]}
  epochs: 10
  optimizer: {adam: {}}
confirm: {top: 2, repeats: 3}
EOF
run run tie.yaml --db tie.db --workers 2 --quiet
run best tie --db tie.db
check
grep -qF "cannot be told apart" "$TMP/out" || fail "twin configs told apart: $(cat "$TMP/out")"
summary
