#!/usr/bin/env bash
# test_repeats.sh — `repeats: R`: each trial trains with R seeds.
#  1. bad values exit 2 naming file:line:column; a command sweep refuses
#     repeats above 1; validate accepts 1..100;
#  2. a wine sweep of repeats: 3 on 2 workers stores, per complete trial,
#     3 trial_repeats rows, 3 × 5 folds and 3 curves; score is the mean of
#     the repeats' scores, score_std their population std, score_n 3;
#     repeat 0's seed is the trial's own (`sample`), the others differ;
#  3. every repeat is an exact run: `train --spec` of the spec without
#     repeats, trial i, --seed of repeat r scores what trial_repeats holds;
#  4. with pruning, only repeat 0 meets the rungs: pruned trials keep one
#     repeat's curve and no repeat rows, complete ones keep all repeats;
#     the same on 1 worker and on 2.
#
# usage: bash test_repeats.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
cd "$TMP" || exit 1
cp "$ROOT/examples/wine.csv" .
sed 's/^trials: 500$/trials: 6/; s/epochs: 60/epochs: 20/; s/T_max: 60/T_max: 20/' \
    "$ROOT/examples/wine-lr.yaml" >one.yaml
{ cat one.yaml; echo "repeats: 3"; } >rep.yaml

# --- 1. spec ----------------------------------------------------------------
for bad in 0 101 two; do
    { cat one.yaml; echo "repeats: $bad"; } >bad.yaml
    run validate bad.yaml
    line=$(grep -c '' bad.yaml)
    [ "$rc" -eq 2 ] || fail "repeats: $bad: validate exited $rc"
    grep -qF "bad.yaml:$line:10: repeats" "$TMP/err" ||
        fail "repeats: $bad: error does not name bad.yaml:$line:10: $(cat "$TMP/err")"
done
cat >cmd.yaml <<'EOF'
name: c
trials: 2
command: "true {lr}"
metric: {name: loss, goal: minimize}
search: {lr: {log_uniform: [1.0e-4, 1.0]}}
repeats: 2
EOF
run validate cmd.yaml
[ "$rc" -eq 2 ] || fail "a command spec with repeats: 2 was accepted"
grep -qF "built-in engine only" "$TMP/err" || fail "command repeats: $(cat "$TMP/err")"
run validate rep.yaml
[ "$rc" -eq 0 ] || fail "validate rep.yaml exited $rc: $(cat "$TMP/err")"

# --- 2. a sweep of repeats: 3 -----------------------------------------------
run run rep.yaml --db rep.db --workers 2 --quiet
[ "$rc" -eq 0 ] || fail "run rep.yaml exited $rc: $(tail -3 "$TMP/err")"
q() { sqlite3 "$1" "$2"; }
[ "$(q rep.db "SELECT count(*) FROM trials WHERE status = 'complete'")" -ge 4 ] ||
    fail "fewer than 4 complete trials: $(q rep.db 'SELECT trial, status FROM trials')"
bad=$(q rep.db "
  SELECT t.trial FROM trials t WHERE t.status = 'complete' AND (
     t.score_n != 3
  OR (SELECT count(*) FROM trial_repeats r WHERE r.sweep_id = t.sweep_id AND r.trial = t.trial) != 3
  OR (SELECT count(*) FROM trial_folds f WHERE f.sweep_id = t.sweep_id AND f.trial = t.trial) != 15
  OR (SELECT count(DISTINCT repeat) FROM trial_folds f
      WHERE f.sweep_id = t.sweep_id AND f.trial = t.trial) != 3
  OR (SELECT count(*) FROM trial_epochs e WHERE e.sweep_id = t.sweep_id AND e.trial = t.trial) != 60
  OR abs(t.score - (SELECT avg(score) FROM trial_repeats r
                    WHERE r.sweep_id = t.sweep_id AND r.trial = t.trial)) > 1e-12 * abs(t.score)
  OR abs(t.score_std - (SELECT sqrt(avg((score - t.score) * (score - t.score)))
                        FROM trial_repeats r WHERE r.sweep_id = t.sweep_id AND r.trial = t.trial))
     > 1e-9 * t.score_std
  OR (SELECT count(DISTINCT score) FROM trial_repeats r
      WHERE r.sweep_id = t.sweep_id AND r.trial = t.trial) != 3)")
[ -z "$bad" ] || fail "trials whose repeats are not stored as promised: $bad"
# repeat r's fold scores average to its score (the objective is val_loss)
bad=$(q rep.db "
  SELECT r.trial, r.repeat FROM trial_repeats r
  WHERE abs(r.score - (SELECT avg(val_loss) FROM trial_folds f WHERE f.sweep_id = r.sweep_id
                       AND f.trial = r.trial AND f.repeat = r.repeat)) > 1e-12 * abs(r.score)")
[ -z "$bad" ] || fail "repeat scores that are not their folds' mean: $bad"

run sample rep.yaml -n 6
[ "$rc" -eq 0 ] || fail "sample exited $rc"
for i in 0 1 2 3 4 5; do
    want=$(sed -n "$((i + 1))p" "$TMP/out" | sed 's/.*"seed": *\([0-9]*\).*/\1/')
    got=$(q rep.db "SELECT seed FROM trial_repeats WHERE trial = $i AND repeat = 0")
    [ -z "$got" ] || [ "$got" = "$want" ] || fail "trial $i: repeat 0 seed $got, sample says $want"
done
[ "$(q rep.db "SELECT count(DISTINCT seed) = count(*) FROM trial_repeats")" = 1 ] ||
    fail "repeat seeds are not all different"

# --- 3. each repeat is an exact run -----------------------------------------
# exact doubles: read through Python's sqlite3 (the CLI and printf round to 15-16 digits)
exact() {
    python3 - "$@" <<'PY'
import sqlite3, sys
for row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]):
    print("|".join(repr(v) if isinstance(v, float) else str(v) for v in row))
PY
}
exact rep.db "SELECT trial, repeat, seed, score FROM trial_repeats
              WHERE trial IN (SELECT min(trial) FROM trials WHERE status = 'complete')" >reps.txt
[ "$(grep -c '' reps.txt)" = 3 ] || fail "no repeats to re-run: $(cat reps.txt)"
while IFS='|' read -r trial repeat seed score; do
    run train --spec one.yaml --trial "$trial" --seed "$seed" --json
    [ "$rc" -eq 0 ] || fail "train --spec trial $trial seed $seed exited $rc: $(cat "$TMP/err")"
    got=$(python3 -c 'import json,sys; print(repr(json.load(sys.stdin)["score"]))' <"$TMP/out")
    [ "$got" = "$score" ] || fail "trial $trial repeat $repeat: train says $got, stored $score"
done <reps.txt
trial=$(head -1 reps.txt | cut -d'|' -f1)
run train --spec rep.yaml --trial "$trial" --json
got=$(python3 -c 'import json,sys; d=json.load(sys.stdin); print(repr(d["score"]), len(d["repeats"]))' <"$TMP/out")
want="$(exact rep.db "SELECT score FROM trials WHERE trial = $trial") 3"
[ "$got" = "$want" ] || fail "train --spec rep.yaml trial $trial: '$got', the sweep stored '$want'"

# --- 4. repeats with pruning ------------------------------------------------
synthetic_spec pr.yaml pr 5 16 0 12 1.0 'step: {step_size: 4, gamma: 0.5}'
printf 'repeats: 2\npruning: {rule: successive_halving, min_resource: 2, reduction_factor: 3}\n' >>pr.yaml
outcome() {
    q "$1" "SELECT t.trial, t.status, IFNULL(t.score, '-'), IFNULL(t.score_n, '-'),
                   (SELECT count(*) FROM trial_repeats r WHERE r.trial = t.trial),
                   (SELECT count(DISTINCT repeat) FROM trial_epochs e WHERE e.trial = t.trial)
            FROM trials t ORDER BY t.trial"
}
run run pr.yaml --db pr1.db --workers 1 --quiet
[ "$rc" -eq 0 ] || fail "pruning sweep on 1 worker exited $rc: $(tail -3 "$TMP/err")"
run run pr.yaml --db pr2.db --workers 2 --quiet
[ "$rc" -eq 0 ] || fail "pruning sweep on 2 workers exited $rc: $(tail -3 "$TMP/err")"
outcome pr1.db >pr1.txt
outcome pr2.db >pr2.txt
diff pr1.txt pr2.txt >/dev/null || fail "1 and 2 workers differ: $(diff pr1.txt pr2.txt)"
grep -q '|pruned|-|-|0|1$' pr1.txt || fail "no pruned trial with one curve: $(cat pr1.txt)"
grep -q '|complete|[^|]*|2|2|2$' pr1.txt || fail "no complete trial with two repeats: $(cat pr1.txt)"
if grep -v '|pruned|-|-|0|1$' pr1.txt | grep -qv '|complete|[^|]*|2|2|2$'; then
    fail "a trial that is neither: $(cat pr1.txt)"
fi
summary
