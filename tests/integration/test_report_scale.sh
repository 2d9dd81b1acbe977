#!/usr/bin/env bash
# test_report_scale.sh — `lrsweep report` of a 100,000-trial sweep with
# 100-epoch curves (10 million curve rows) stays under 20 MB, keeps every
# trial in its data, and its page still renders in headless Chromium, the
# charts that would draw more than 20,000 points sampling and saying so.
# The time it takes is tests/bench/bench_report.sh's to measure, not this
# test's.
. "$(dirname "$0")/lib.sh"
. "$HERE/make_big_db.sh"
cd "$TMP" || exit 1
ARTIFACTS=${LRS_ARTIFACTS:-$HERE/../../build-test/artifacts}
mkdir -p "$ARTIFACTS"
check
make_big_db "$LRSWEEP" "$TMP" 100000 100 || fail "could not build the database"
check
"$LRSWEEP" report --db big.db -o big.html 2>r.err || fail "report exited $?: $(cat r.err)"
size=$(stat -c %s big.html)
echo "report of 100000 trials: $size bytes"
[ "$size" -lt 20000000 ] || fail "the report is $size bytes, over 20 MB"
check
$PY - big.html <<'PY' || fail "the page does not carry every trial"
import json, re, sys
page = open(sys.argv[1]).read()
t = json.loads(re.search(r'id="d-trials">(.*?)</script>', page, re.S).group(1))
assert len(t["trial"]) == 100000 and t["trial"][-1] == 99999, len(t["trial"])
PY
check
$PY "$HERE/report_browser.py" big.html "$ARTIFACTS/report_100k.png" \
    --expect-text "Drawing every 5th of 100,000 trials (and the best)" \
    --expect-text "The best 200 of " >charts.json 2>browser.err || fail "browser: $(cat browser.err)"
check
$PY - charts.json <<'PY' || fail "the sampled charts drew too much or too little"
import json, sys
c = json.load(open(sys.argv[1]))
for key in ("lr-scheduler", "lr-optimizer"):
    assert 20000 <= sum(c[key]["points"]) <= 20001, (key, c[key]["points"])
assert c["history"]["points"][0] == c["history"]["points"][1] <= 20001, c["history"]
assert c["parallel"]["datasets"] == 200 and c["curves"]["datasets"] == 20, c
PY
summary
