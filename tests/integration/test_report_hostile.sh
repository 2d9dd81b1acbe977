#!/usr/bin/env bash
# test_report_hostile.sh — text from users, scripts and the network cannot
# run in `lrsweep report`'s page, and shows as written.
#
# A command sweep whose name, a parameter's values, its worker's name (a
# remote worker's --name, from the network) and its failures' error text
# and stderr tail (what a failing script printed) each carry <script>,
# </script>, an <img onerror>, quotes and & — payloads that would set
# window.pwned — is written as a report and opened in headless Chromium:
# window.pwned must stay unset, no console message may appear, and each
# text must show literally.  (Parameter and metric names are refused by the
# spec's name rules before they could carry markup.)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
ARTIFACTS=${LRS_ARTIFACTS:-$HERE/../../build-test/artifacts}
mkdir -p "$ARTIFACTS"

SWEEP='x<script>window.pwned=1</script>"'"'"'&amp;'
TAG1='<img src=x onerror=window.pwned=2>'
TAG2='</script><script>window.pwned=3</script>'"'"'"'
WORKER='w<script>window.pwned=6</script>"'"'"
STDERR='</script><script>window.pwned=4</script> "boom" '"'"'<img src=x onerror=window.pwned=5>'"'"
cat >t.py <<'PY'
import sys
tag, lr = sys.argv[1], float(sys.argv[2])
if lr < 0.01:
    sys.stderr.write(open("stderr.txt").read() + "\n")
    sys.exit(3)
print("epoch=1 lr=%r train_loss=%r val_loss=%r" % (lr, lr * 20, lr * 10 + len(tag) / 1000))
PY
printf '%s' "$STDERR" >stderr.txt
cat >h.yaml <<EOF2
name: '${SWEEP//\'/\'\'}'
trials: 10
seed: 3
metric: val_loss
workdir: $TMP
command: $PY t.py {tag} {lr}
search:
  lr: {log_uniform: [0.001, 0.1]}
  tag: {values: [ok, '${TAG1//\'/\'\'}', '${TAG2//\'/\'\'}']}
EOF2
check
"$LRSWEEP" validate h.yaml >v.out 2>&1 || { fail "validate: $(cat v.out)"; }
EP="ipc://$TMP/c.sock"
spawn cpid c.out c.err coordinator h.yaml --bind "$EP" --db h.db --quiet
spawn wpid w.out w.err worker --connect "$EP" --name "$WORKER" --allow-commands
check
wait_exit "$cpid" 60 || fail "the coordinator did not finish: $(cat c.err)"
wait_exit "$wpid" 20
n=$(q h.db "SELECT status, COUNT(*) FROM trials GROUP BY status ORDER BY status")
echo "trials: $(echo $n)"
check
case "$n" in *complete*failed*) ;; *) fail "want complete and failed trials, got: $n" ;; esac
check
[ "$(q h.db "SELECT name FROM sweeps")" = "$SWEEP" ] || fail "the sweep name was not stored as written"

check
"$LRSWEEP" report --db h.db --spec h.yaml -o h.html 2>r.err || { fail "report exited $?: $(cat r.err)"; }
check
! grep -qF '<script>window.pwned' h.html || fail "a payload's <script> reached the HTML unescaped"
! grep -qF '<img src=x' h.html || fail "a payload's <img> reached the HTML unescaped"
check
$PY "$HERE/report_browser.py" h.html "$ARTIFACTS/report_hostile.png" --expect-text "$SWEEP" \
    --expect-text "$TAG1" --expect-text "$TAG2" --expect-text "$WORKER" --expect-text "$STDERR" \
    >charts.json 2>browser.err || fail "browser: $(cat browser.err)"
check
$PY - charts.json "$TAG1" "$TAG2" <<'PY' || fail "the charts lost the hostile labels"
import json, sys
c = json.load(open(sys.argv[1]))
assert c["history"]["points"][0] > 0, c["history"]
# the parallel coordinates' caption lists the tag values; the lr chart has the failed band
assert any(l.startswith("failed") for l in c["lr-scheduler"]["labels"]), c["lr-scheduler"]
PY
summary
