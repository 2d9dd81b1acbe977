#!/usr/bin/env bash
# test_summary.sh — `summary --by PARAM` on a real sweep: a small synthetic
# sweep, then the table and the JSON of `--by lr` (8 log-spaced bins over
# the spec's range, in numeric order, empty ones with count 0), `--bins 3`,
# `--by momentum` (linear bins, trials without it as "-"), `--by gamma` (a
# values list: the recorded range) and `--by scheduler` (best first), each
# compared line for line with the table numpy computes from `export`
# (numpy.geomspace / linspace edges, numpy.percentile); `--bins` out of
# range, `--bins` for a categorical parameter and an unknown parameter are
# refused with exit 2.  Then the Sobol balance warning of `validate` and
# `run`: one line naming the trial count and the powers of two on either
# side for 100 trials, none for 128 or for the random sampler, exit status
# unchanged.
#
# usage: bash test_summary.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

cat >s.yaml <<'EOF'
name: sum
seed: 5
trials: 48
sampler: random
objective: {metric: val_loss, goal: minimize}
model: {type: synthetic, cost_ms: 0}
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
  epochs: 4
  optimizer:
    sgd:
      momentum: {uniform: [0.5, 0.99]}
    adam: {}
  scheduler:
    cosine: {eta_min: 0.0}
    step: {step_size: 2, gamma: {values: [0.1, 0.5, 0.9]}}
    exponential: {gamma: 0.95}
EOF
check
run run s.yaml --db s.db --workers 2 --quiet
[ "$rc" -eq 0 ] || fail "run exited $rc: $(cat "$TMP/err")"
run export --db s.db --format jsonl
[ "$rc" -eq 0 ] && cp "$TMP/out" trials.jsonl || fail "export exited $rc: $(cat "$TMP/err")"

# expect PARAM BINS KIND LO HI LOG: the table and JSON numpy gives (KIND
# numeric or categorical; LO HI LOG the spec's range, "none" without one)
cat >expect.py <<'EOF'
import json, sys
import numpy as np
param, bins, kind, lo, hi, log, out_txt, out_json = sys.argv[1:9]
bins = int(bins)
rows = [json.loads(l) for l in open("trials.jsonl")]
rows = [r for r in rows if r["status"] in ("complete", "diverged", "failed", "pruned")]
def stats(rs):
    sc = np.array(sorted(r["score"] for r in rs if r["status"] == "complete" and r["score"] is not None))
    g = {"count": len(rs), "complete": int(sc.size)}
    for s in ("diverged", "failed", "pruned"):
        g[s] = sum(r["status"] == s for r in rs)
    if sc.size:
        q25, med, q75 = (float(np.percentile(sc, q)) for q in (25, 50, 75))
        g.update(best=float(sc.min()), median=med, q25=q25, q75=q75, iqr=q75 - q25)
    else:
        g.update(best=None, median=None, q25=None, q75=None, iqr=None)
    return g
has = [r for r in rows if param in r["params"]]
lacking = [r for r in rows if param not in r["params"]]
groups = []
if kind == "numeric":
    vals = [r["params"][param] for r in has]
    if lo == "none":
        lo, hi, log = min(vals), max(vals), False
    else:
        lo, hi, log = float(lo), float(hi), log == "log"
    lo, hi = min([lo] + vals), max([hi] + vals)
    edges = list(np.geomspace(lo, hi, bins + 1) if log else np.linspace(lo, hi, bins + 1))
    for d in range(4, 17):
        if all("%.*g" % (d, a) != "%.*g" % (d, b) for a, b in zip(edges, edges[1:])):
            break
    for k in range(bins):
        members = [r for r in has if min(int(np.searchsorted(edges, r["params"][param], side="right")) - 1, bins - 1) == k]
        label = "[%.*g, %.*g%s" % (d, edges[k], d, edges[k + 1], "]" if k == bins - 1 else ")")
        groups.append(dict({param: label, "low": float(edges[k]), "high": float(edges[k + 1])}, **stats(members)))
else:
    for v in sorted({r["params"][param] for r in has}):
        groups.append(dict({param: v}, **stats([r for r in has if r["params"][param] == v])))
    groups.sort(key=lambda g: (g["complete"] == 0, g["best"] if g["complete"] else 0, g[param]))
if lacking:
    groups.append(dict({param: None}, **stats(lacking)))
label = lambda g: "-" if g[param] is None else g[param]
width = max([len(param)] + [len(label(g)) for g in groups])
num = lambda v: "%12s" % ("-" if v is None else "%.6g" % v)
lines = ["%-*s %8s %8s %12s %12s %12s" % (width, param, "count", "complete", "best", "median", "IQR")]
for g in groups:
    lines.append("%-*s %8d %8d %s %s %s" % (width, label(g), g["count"], g["complete"], num(g["best"]), num(g["median"]), num(g["iqr"])))
open(out_txt, "w").write("\n".join(lines) + "\n")
json.dump(groups, open(out_json, "w"))
EOF

# compare NAME PARAM BINS KIND LO HI LOG -- SUMMARY-ARGS...
compare() {
    local name=$1 param=$2 bins=$3 kind=$4 lo=$5 hi=$6 log=$7
    shift 8
    check
    $PY expect.py "$param" "$bins" "$kind" "$lo" "$hi" "$log" "want.$name" "want.$name.json" ||
        { fail "$name: numpy's table failed"; return; }
    run summary --db s.db "$@"
    [ "$rc" -eq 0 ] || { fail "$name: summary exited $rc: $(cat "$TMP/err")"; return; }
    diff "want.$name" "$TMP/out" >diff.out || fail "$name: the table differs from numpy's:
$(cat diff.out)"
    check
    run summary --db s.db "$@" --json
    $PY - "want.$name.json" "$TMP/out" <<'EOF' || fail "$name: --json differs from numpy's"
import json, math, sys
want = json.load(open(sys.argv[1]))
got = [json.loads(l) for l in open(sys.argv[2])]
assert len(got) == len(want), (len(got), len(want))
for g, w in zip(got, want):
    assert set(g) == set(w), (sorted(g), sorted(w))
    for k, v in w.items():
        if isinstance(v, float):
            assert g[k] is not None and math.isclose(g[k], v, rel_tol=1e-12, abs_tol=1e-15), (k, g[k], v)
        else:
            assert g[k] == v, (k, g[k], v)
EOF
}

compare lr8 lr 8 numeric 1e-4 1.0 log -- --by lr
compare lr3 lr 3 numeric 1e-4 1.0 log -- --by lr --bins 3
compare momentum momentum 8 numeric 0.5 0.99 linear -- --by momentum
compare gamma gamma 4 numeric none none none -- --by gamma --bins 4
compare sched scheduler 0 categorical - - - -- --by scheduler
compare default scheduler 0 categorical - - - --

# the shape numpy's table also has, stated outright: bins in numeric order
check
run summary --db s.db --by lr
lows=$(awk 'NR > 1 {sub(/^\[/, "", $1); sub(/,$/, "", $1); print $1}' "$TMP/out")
[ "$(printf '%s\n' "$lows" | wc -l)" -eq 8 ] && [ "$(printf '%s\n' "$lows" | head -1)" = 0.0001 ] &&
    [ "$lows" = "$(printf '%s\n' "$lows" | sort -g)" ] && tail -1 "$TMP/out" | grep -q '^\[0.3162, 1\] ' ||
    fail "--by lr: bins not in numeric order from 1e-4 to a closed 1: $(cat "$TMP/out")"
n=$(awk 'NR > 1 {s += $3} END {print s}' "$TMP/out")
[ "$n" = 48 ] || fail "--by lr: the bins count $n trials, want 48"

expect_status summary usage 2 "lrsweep summary: --bins: expected an integer in 1..1000, got '0'" \
    --db s.db --by lr --bins 0
expect_status summary usage 2 "--bins: expected an integer in 1..1000, got '1001'" \
    --db s.db --by lr --bins 1001
expect_status summary empty 2 "lrsweep summary: --bins: scheduler is not numeric" \
    --db s.db --by scheduler --bins 3
expect_status summary empty 2 "lrsweep summary: --by: 'learning_rate' is not a parameter name" \
    --db s.db --by learning_rate
check
"$LRSWEEP" summary --help >help.out
grep -qE '^  --bins N +bins of a numeric PARAM, 1..1000 \(default 8\)' help.out &&
    grep -qE '^  --by PARAM +' help.out && grep -q "numpy.percentile" help.out ||
    fail "summary --help lacks --by / --bins: $(cat help.out)"

# --- the Sobol balance warning ------------------------------------------------
# sob SAMPLER TRIALS: a one-parameter spec in sob.yaml
sob() {
    printf 'name: sob\ntrials: %s\nsampler: %s\nmodel: {type: synthetic, cost_ms: 0}\nsearch:\n  lr: {log_uniform: [1.0e-3, 1.0e-1]}\n' \
        "$2" "$1" >sob.yaml
}
want_warning='sob.yaml: warning: sampler sobol with trials: 100, not a power of two'
for cmd in validate run; do
    for case in "sobol 100" "sobol 128" "random 100"; do
        # shellcheck disable=SC2086 # case is a sampler and a count
        sob $case
        rm -f sob.db
        check
        if [ $cmd = validate ]; then run validate sob.yaml; else run run sob.yaml --db sob.db --workers 1 --quiet; fi
        warnings=$(grep -c "warning:" "$TMP/err")
        if [ "$case" = "sobol 100" ]; then
            { [ "$rc" -eq 0 ] && [ "$warnings" -eq 1 ] && grep -qF "$want_warning" "$TMP/err" &&
                grep "warning:" "$TMP/err" | grep -qF "use 64 or 128 trials"; } ||
                fail "$cmd $case: rc $rc, want one warning naming 64 and 128: $(cat "$TMP/err")"
        else
            { [ "$rc" -eq 0 ] && [ "$warnings" -eq 0 ]; } || fail "$cmd $case: rc $rc, warned: $(cat "$TMP/err")"
        fi
    done
done

summary
