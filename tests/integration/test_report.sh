#!/usr/bin/env bash
# test_report.sh — `lrsweep report` on a real sweep, checked in headless
# Chromium and against the database.
#
# A small wine sweep with pruning (so there are pruned trials, and at lr up
# to 1 some diverge) is written as a report; report_browser.py opens it with
# the network cut off and fails on any console message or request.  Each
# chart must have drawn what the database holds: one history point per
# complete trial, one lr point per recorded trial (complete ones by
# scheduler, the others in their band), one box per scheduler and
# optimizer, two curves per top trial and pruned trial, one line per
# complete trial in parallel coordinates.  The top config's train line,
# run as printed, must give back the stored score bit for bit, and its
# PyTorch lines, run in torch, the lr of every epoch the sweep recorded.
# The screenshot is kept in the build folder (LRS_ARTIFACTS, else
# $PWD/../../build-test/artifacts) for CI.  A missing browser fails.
. "$(dirname "$0")/lib.sh"
ARTIFACTS=${LRS_ARTIFACTS:-$HERE/../../build-test/artifacts}
mkdir -p "$ARTIFACTS"
cd "$TMP" || exit 1

cp "$EXAMPLES/wine.csv" .
sed -e 's/^trials: 500/trials: 36/' -e 's/epochs: 60/epochs: 12/' -e 's/T_max: 60/T_max: 12/' \
    "$EXAMPLES/wine-lr.yaml" >w.yaml
printf 'pruning: {rule: median, n_startup_trials: 6, interval_steps: 4}\n' >>w.yaml
check
"$LRSWEEP" run w.yaml --db w.db --workers 2 --quiet >run.out 2>&1 || { fail "run exited $?"; cat run.out; }

# --help names every flag of its usage line; errors are usage errors
check
"$LRSWEEP" report --help >help.out || fail "report --help exited $?"
for flag in --db -o --output --top --spec --help; do
    grep -qE -- "^  (-o, )?$flag( |,|$)" help.out || fail "--help does not explain $flag"
done
expect_status report usage 2 "lrsweep report: --top: expected an integer in 1..100, got '0'" --db w.db --top 0
expect_status report usage 2 "no-such.db" --db no-such.db
expect_status report usage 2 "nope" nope --db w.db

check
"$LRSWEEP" report --db w.db --spec w.yaml -o r.html 2>rep.err || { fail "report exited $?"; cat rep.err; }
[ -s r.html ] || fail "no report written"
check
grep -qF "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">" r.html ||
    fail "no Content-Security-Policy forbidding fetches"
grep -qF "Permission is hereby granted" r.html || fail "Chart.js's licence is not in the page"

check
$PY "$HERE/report_browser.py" r.html "$ARTIFACTS/report.png" >charts.json 2>browser.err ||
    { fail "browser: $(cat browser.err)"; }

check
$PY "$HERE/report_browser.py" r.html "$ARTIFACTS/report_dark.png" --dark >/dev/null 2>browser.err ||
    { fail "browser, dark: $(cat browser.err)"; }

q() { sqlite3 -cmd ".timeout 3000" w.db "$1"; }
complete=$(q "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND trial < 1000000000")
recorded=$(q "SELECT COUNT(*) FROM trials WHERE lr > 0 AND trial < 1000000000")
pruned=$(q "SELECT COUNT(*) FROM trials WHERE status = 'pruned'")
scheds=$(q "SELECT COUNT(DISTINCT scheduler) FROM trials WHERE status = 'complete'")
groups_s=$(q "SELECT COUNT(DISTINCT scheduler) FROM trials")
groups_o=$(q "SELECT COUNT(DISTINCT optimizer) FROM trials")
lost=$(q "SELECT COUNT(DISTINCT status) FROM trials WHERE status != 'complete'")
echo "complete $complete, pruned $pruned, other statuses $lost"
check
[ "$pruned" -gt 0 ] || fail "the sweep pruned nothing: the faint curves go untested"
check
$PY - charts.json "$complete" "$recorded" "$pruned" "$scheds" "$groups_s" "$groups_o" "$lost" <<'PY' || fail "charts do not match the database"
import json, sys
c = json.load(open(sys.argv[1]))
complete, recorded, pruned, scheds, gs, go, lost = map(int, sys.argv[2:])
def want(cond, what):
    if not cond:
        print("chart mismatch:", what); sys.exit(1)
want(c["history"]["points"] == [complete, complete], "history %r" % c["history"])
for key, n_sets in (("lr-scheduler", scheds + lost), ("lr-optimizer", None)):
    ch = c[key]
    want(sum(ch["points"]) == recorded, "%s draws %d points, %d recorded" % (key, sum(ch["points"]), recorded))
    if n_sets is not None:
        want(ch["datasets"] == n_sets, "%s has %d datasets, want %d" % (key, ch["datasets"], n_sets))
want(c["dist-scheduler"]["points"] == [gs] * 3, "dist-scheduler %r" % c["dist-scheduler"])
want(c["dist-optimizer"]["points"] == [go] * 3, "dist-optimizer %r" % c["dist-optimizer"])
curves = min(10, complete) + min(10, pruned)
want(c["curves"]["datasets"] == 2 * curves, "curves %d datasets, want %d" % (c["curves"]["datasets"], 2 * curves))
want(c["schedules"]["datasets"] == curves, "schedules %d, want %d" % (c["schedules"]["datasets"], curves))
want(sum(1 for l in c["curves"]["labels"] if l.startswith("pruned")) == 2 * min(10, pruned), "pruned curves")
want(c["parallel"]["datasets"] == min(200, complete), "parallel %r" % c["parallel"]["datasets"])
PY

# the page's lines, unescaped as the browser shows them
$PY - r.html <<'PY' >lines.json
import html, json, re, sys
page = open(sys.argv[1]).read()
train = [html.unescape(t) for t in re.findall(r'<pre class="train">(.*?)</pre>', page, re.S)]
torch = [html.unescape(t) for t in re.findall(r'<pre class="torch">(.*?)</pre>', page, re.S)]
curves = json.loads(re.search(r'<script type="application/json" id="d-curves">(.*?)</script>', page, re.S).group(1))
print(json.dumps({"train": train, "torch": torch, "curves": curves}))
PY
check
line=$($PY -c 'import json,sys; print(json.load(open("lines.json"))["train"][0])')
want=$("$LRSWEEP" best --db w.db --top 1 --json | $PY -c 'import json,sys; print(repr(json.loads(sys.stdin.readline())["score"]))')
got=$(eval "\"\$LRSWEEP\"${line#lrsweep} --json" 2>/dev/null | $PY -c 'import json,sys; print(repr(json.load(sys.stdin)["score"]))')
[ -n "$want" ] && [ "$got" = "$want" ] || fail "train line '$line' gave score $got, stored $want"

check
$PY - lines.json "$(q "SELECT trial FROM trials WHERE status = 'complete' ORDER BY score, trial LIMIT 3")" <<'PY' || fail "a PyTorch snippet does not give the recorded lr"
import json, sys
import torch
d = json.load(open(sys.argv[1]))
tops = [int(t) for t in sys.argv[2].split()]
curves = {c["trial"]: c for c in d["curves"]}
worst = 0.0
for k, trial in enumerate(tops):
    snippet, c = d["torch"][k], curves[trial]
    env = {"torch": torch, "params": [torch.nn.Parameter(torch.zeros(1))]}
    exec(snippet, env)
    opt, sched = env["opt"], env["sched"]
    for e, want in enumerate(c["lr"]):
        got = opt.param_groups[0]["lr"]
        worst = max(worst, abs(got - want) / abs(want))
        if abs(got - want) > 1e-9 * abs(want):
            print("trial %d epoch %d: torch lr %.17g, recorded %.17g\n%s" % (trial, e + 1, got, want, snippet))
            sys.exit(1)
        opt.step()
        if isinstance(sched, torch.optim.lr_scheduler.ReduceLROnPlateau):
            sched.step(c["val_loss"][e])
        elif e + 1 < len(c["lr"]):
            sched.step()
print("torch snippets: %d configs, worst relative lr difference %.3g" % (len(tops), worst))
PY

# the header counts the rows of the data the spec names, and says when the
# file is no longer what the sweep read
check
grep -qF "wine.csv, 178 rows, content hash <code>$(q "SELECT data_hash FROM sweeps")</code></dd>" r.html ||
    fail "the header lacks the data's rows and hash: $(grep -o '<dt>data</dt><dd>[^/]*' r.html)"
cp wine.csv wine.orig
$PY -c 'import sys; l = open("wine.csv").read().split("\n"); f = l[1].split(","); f[0] = str(float(f[0]) + 1); l[1] = ",".join(f); open("wine.csv", "w").write("\n".join(l))'
"$LRSWEEP" report --db w.db --spec w.yaml -o changed.html 2>/dev/null || fail "report of changed data exited $?"
grep -qF "(the file has changed since" changed.html || fail "a changed data file goes unnoticed"
cp wine.orig wine.csv

# a sweep with nothing recorded yet: every view says so, nothing breaks
check
cp w.db empty.db
sqlite3 empty.db "DELETE FROM trials; DELETE FROM trial_epochs; DELETE FROM trial_rungs"
"$LRSWEEP" report --db empty.db -o empty.html 2>/dev/null || fail "report of an empty sweep exited $?"
$PY "$HERE/report_browser.py" empty.html "$ARTIFACTS/report_empty.png" \
    --expect-text "No complete trial yet." --expect-text "No recorded trial yet." \
    --expect-text "no trial failed or diverged" >/dev/null 2>browser.err ||
    fail "browser, empty sweep: $(cat browser.err)"

# -o into what is not a regular file writes through it, never replacing it
check
mkfifo pipe
cat pipe >piped.html &
"$LRSWEEP" report --db w.db -o pipe 2>/dev/null || fail "report -o FIFO exited $?"
wait
[ -p pipe ] && grep -qF "</html>" piped.html || fail "report -o FIFO replaced the FIFO or wrote nothing"
echo old >real.html
ln -s real.html link.html
"$LRSWEEP" report --db w.db -o link.html 2>/dev/null || fail "report -o LINK exited $?"
[ -L link.html ] && grep -qF "</html>" real.html || fail "report -o LINK replaced the link"

# several sweeps: SWEEP is needed, and the message names them
sed -e 's/^name: wine-lr/name: second/' -e 's/^trials: 36/trials: 2/' w.yaml >s2.yaml
"$LRSWEEP" run s2.yaml --db w.db --workers 1 --quiet >/dev/null 2>&1 || fail "second sweep exited $?"
expect_status report usage 2 "second" --db w.db -o x.html
check
"$LRSWEEP" report second --db w.db -o - >second.html || fail "report second -o - exited $?"
grep -qF '<span id="sweep-name">second</span>' second.html || fail "report second: not that sweep"
summary
