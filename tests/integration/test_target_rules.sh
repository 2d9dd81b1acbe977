#!/usr/bin/env bash
# test_target_rules.sh — a sweep keeps the behaviour rules it was created
# under (sweeps.rules, common/spec_rules.h).  A new sweep stores rules 1 and
# trains on the standardized diabetes target (data.standardize_target's
# default): its scores are `train --spec`'s, in the target's own units, and
# beat the raw target's.  A database whose sweep has rules NULL (made before
# schema 7) resumes — here extended — under rules 0: the spec is parsed
# again as an older release read it, so the hash matches and the new trials
# train on the raw target, as `train --spec` of the same spec with
# standardize_target: false does.  lrfind follows the spec's setting.
#
# usage: bash test_target_rules.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

q() { sqlite3 -cmd ".timeout 3000" "$1" "$2"; }
cp "$EXAMPLES/diabetes.csv" "$TMP/"

# spec NAME TRIALS [DATA-KEYS] : a small MLP sweep on the diabetes data.
spec() {
    cat <<YAML
name: $1
seed: 3
trials: $2
data: {path: diabetes.csv, target: progression${3:-}}
model: {type: mlp, hidden: [8]}
train: {folds: 3}
search:
  lr: {log_uniform: [1.0e-3, 3.0e-2]}
  optimizer: adam
  epochs: 60
YAML
}
spec fresh 4 >"$TMP/fresh.yaml"
spec old 2 ", standardize_target: false" >"$TMP/old_raw.yaml"
spec old 4 >"$TMP/old.yaml"
spec old 4 ", standardize_target: false" >"$TMP/old_raw4.yaml"

# score_of DB TRIAL : the stored score, exactly (Python's repr of the double).
score_of() {
    "$PY" -c 'import sqlite3, sys
r = sqlite3.connect(sys.argv[1]).execute("SELECT score FROM trials WHERE trial = ?", (int(sys.argv[2]),)).fetchone()
print(repr(r[0]) if r else "")' "$1" "$2"
}
# spec_score SPEC TRIAL : what train --spec scores the trial.
spec_score() {
    "$LRSWEEP" train --spec "$1" --trial "$2" --json 2>/dev/null |
        "$PY" -c 'import json, sys; print(repr(json.load(sys.stdin)["score"]))'
}

# A new sweep: rules 1, standardized target, scores in the target's units.
check
run run "$TMP/fresh.yaml" --db "$TMP/new.db" --workers 1 --quiet
[ $rc -eq 0 ] || fail "run fresh exited $rc: $(cat "$TMP/err")"
check
[ "$(q "$TMP/new.db" "SELECT rules FROM sweeps WHERE name = 'fresh'")" = 1 ] ||
    fail "a new sweep stores rules $(q "$TMP/new.db" "SELECT quote(rules) FROM sweeps"), want 1"
for t in 0 3; do
    check
    got=$(score_of "$TMP/new.db" $t) want=$(spec_score "$TMP/fresh.yaml" $t)
    [ -n "$got" ] && [ "$got" = "$want" ] ||
        fail "fresh trial $t scored $got, train --spec gives $want"
done
# In the target's units: a mean-predictor's MSE is the variance (~5900), not ~1.
check
"$PY" - "$TMP/new.db" <<'PY' || fail "fresh scores are not in the target's units"
import sqlite3, sys
scores = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT score FROM trials")]
assert len(scores) == 4 and all(1000 < s < 30000 for s in scores), scores
PY

# lrfind follows the spec too: its first loss (lr 1e-7, the initial
# weights) is the standardized model's, in the target's units — near the
# target's variance (~5900), where the raw target's is near its mean
# square (~29000).
check
"$LRSWEEP" lrfind "$TMP/fresh.yaml" --out "$TMP/lf.csv" >/dev/null 2>"$TMP/err" ||
    fail "lrfind exited $?: $(cat "$TMP/err")"
first=$(sed -n 2p "$TMP/lf.csv" | cut -d, -f3)
"$PY" -c "import sys; sys.exit(0 if 3000 < float('$first') < 12000 else 1)" ||
    fail "lrfind's first loss is $first, not the standardized target's in its units"

# An old sweep: two trials on the raw target, then rules NULL as before schema 7.
check
run run "$TMP/old_raw.yaml" --db "$TMP/old.db" --workers 1 --quiet
[ $rc -eq 0 ] || fail "run old (2 trials) exited $rc: $(cat "$TMP/err")"
q "$TMP/old.db" "UPDATE sweeps SET rules = NULL"
# Extended with the spec as it was written then (no standardize_target).
check
run run "$TMP/old.yaml" --db "$TMP/old.db" --workers 1
[ $rc -eq 0 ] || fail "resuming the rules-NULL sweep exited $rc: $(cat "$TMP/err")"
check
grep -qF "sweep 'old' keeps the behaviour rules it was created under: 0" "$TMP/err" ||
    fail "the resume does not say it keeps rules 0: $(cat "$TMP/err")"
check
[ "$(q "$TMP/old.db" "SELECT quote(rules) FROM sweeps")" = NULL ] ||
    fail "the resume rewrote rules: $(q "$TMP/old.db" "SELECT quote(rules) FROM sweeps")"
for t in 2 3; do
    check
    got=$(score_of "$TMP/old.db" $t) raw=$(spec_score "$TMP/old_raw4.yaml" $t)
    scaled=$(spec_score "$TMP/old.yaml" $t)
    [ -n "$got" ] && [ "$got" = "$raw" ] ||
        fail "old trial $t scored $got, the raw target gives $raw"
    check
    [ "$raw" != "$scaled" ] || fail "trial $t: standardized and raw scores are equal ($raw)"
done

# Rules newer than this release: refused, naming the database and the rules.
cp "$TMP/new.db" "$TMP/newer.db"
q "$TMP/newer.db" "UPDATE sweeps SET rules = 9"
expect_status run any 2 "newer.db: sweep 'fresh' was created under behaviour rules 9; this lrsweep knows 0..1" \
    "$TMP/fresh.yaml" --db "$TMP/newer.db" --workers 1 --quiet

# The same space standardized does better on this data: best of the fresh
# sweep (same seed, same configs) against the old sweep's raw best.
check
best_new=$(q "$TMP/new.db" "SELECT min(score) FROM trials")
best_old=$(q "$TMP/old.db" "SELECT min(score) FROM trials")
echo "best val MSE, 4 configs: standardized target $best_new, raw target $best_old"
"$PY" -c "import sys; sys.exit(0 if $best_new < $best_old else 1)" ||
    fail "standardized best $best_new is not below the raw best $best_old"
summary
