#!/usr/bin/env bash
# test_serve_live.sh — `lrsweep serve`'s live page in headless Chromium while
# a real sweep runs.
#
# A synthetic sweep slowed to ~60 ms a trial on one worker runs in the
# background; serve_browser.py opens its page and, for 10 s, watches the
# header's complete count grow, live.js refresh the page in place and the
# history chart keep up with the count, with no console message and no
# request leaving the server.  The server's own status, read alongside,
# must grow too, and the sweep must finish while served.  The screenshot is
# kept in LRS_ARTIFACTS for CI.  A missing browser fails.
. "$(dirname "$0")/lib.sh"
ARTIFACTS=${LRS_ARTIFACTS:-$HERE/../../build-test/artifacts}
mkdir -p "$ARTIFACTS"
cd "$TMP" || exit 1

sed -e 's/^trials: 256 .*/trials: 400/' -e 's/cost_ms: 5}/cost_ms: 60}/' \
    "$EXAMPLES/synthetic.yaml" >s.yaml
grep -q "cost_ms: 60" s.yaml || fail "examples/synthetic.yaml changed: no cost_ms to slow"
"$LRSWEEP" run s.yaml --db s.db --workers 1 --quiet >run.out 2>&1 &
RUN_PID=$!
PIDS+=("$RUN_PID")
for _ in $(seq 100); do
    [ "$(sqlite3 -cmd ".timeout 3000" s.db "SELECT COUNT(*) FROM trials" 2>/dev/null)" -gt 2 ] 2>/dev/null && break
    sleep 0.1
done

"$LRSWEEP" serve --db s.db --bind 127.0.0.1:0 >srv.out 2>srv.err &
SRV_PID=$!
PIDS+=("$SRV_PID")
URL=
for _ in $(seq 100); do
    URL=$(grep -oE 'http://[^ ]+/' srv.out | head -1)
    [ -n "$URL" ] && break
    sleep 0.05
done
check
[ -n "$URL" ] || fail "serve did not start: $(cat srv.err)"
status() { $PY -c "import json, sys, urllib.request; print(json.load(urllib.request.urlopen(sys.argv[1]))['complete'])" "${URL}api/sweeps/synthetic-lr/status"; }
before=$(status)

check
$PY "$HERE/serve_browser.py" "${URL}sweeps/synthetic-lr" "$ARTIFACTS/serve_live.png" 10 >samples.json 2>browser.err ||
    fail "browser: $(cat browser.err)"
cat samples.json | cut -c1-400

check
after=$(status)
[ "${after:-0}" -gt "${before:-0}" ] || fail "status did not grow: $before then $after"
[ "$(sqlite3 -cmd ".timeout 3000" s.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'")" -lt 400 ] ||
    fail "the sweep ended before the page was watched: slow it down"

check
wait "$RUN_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "the sweep exited $rc while served: $(cat run.out)"
kill -TERM "$SRV_PID"
wait "$SRV_PID" || fail "serve exited $? on SIGTERM"
summary
