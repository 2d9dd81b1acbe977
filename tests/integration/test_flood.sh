#!/usr/bin/env bash
# test_flood.sh — a coordinator under floods stays small and keeps serving:
# 20,000 HELLOs on one connection, 5,000 connections of their own
# identities, and frames just under and just over its size bound, from the
# hostile peer tests/tools/flood.c, while its RSS is sampled.  Its peak must
# stay under 100 MiB, it must shrink back once the flood stops, and an
# honest worker that comes afterwards completes the sweep.  The spec is
# padded to 300 KiB so that a WELCOME copied per HELLO would show at once.
# Memory is measured on the build without sanitizers (ctest passes it as
# LRS_PLAIN_LRSWEEP; ASan's quarantine would decide RSS).
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
PLAIN=${LRS_PLAIN_LRSWEEP:-$LRSWEEP}
FLOOD=${LRS_FLOOD:-}
if [ -z "$FLOOD" ] || [ ! -x "$FLOOD" ]; then
    fail "LRS_FLOOD does not name the flood tool (run this test through ctest)"
    summary
    exit 1
fi
synthetic_spec s.yaml flood 6 60 10 3 1.0 'constant: {}'
$PY -c 'import sys; sys.stdout.write("".join("# padding %06d %s\n" % (i, "x" * 60) for i in range(4300)))' >>s.yaml
EP="ipc://$TMP/c.sock"
"$PLAIN" coordinator s.yaml --bind "$EP" --db f.db --quiet >c.out 2>c.err &
cpid=$!
PIDS+=("$cpid")
sleep 0.5
rss() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
peak=0
sample() { local r; r=$(rss "$cpid"); [ "${r:-0}" -gt "$peak" ] && peak=$r; }
( while kill -0 "$cpid" 2>/dev/null; do rss "$cpid"; sleep 0.05; done ) >rss.log &
sampler=$!
PIDS+=("$sampler")
check
"$FLOOD" "$EP" hellos 20000 || fail "the HELLO flood failed"
"$FLOOD" "$EP" identities 5000 || fail "the identity flood failed"
"$FLOOD" "$EP" frames 100 15000000 || fail "the big-frame flood failed"
"$FLOOD" "$EP" frames 20 17000000 || fail "the oversized-frame flood failed"
peak=$(sort -n rss.log | tail -1)
sleep 4   # the flooders' sessions expire (3 heartbeats)
after=$(rss "$cpid")
echo "coordinator RSS: peak $((peak / 1024)) MiB during the floods, $((after / 1024)) MiB after"
[ "${peak:-0}" -gt 0 ] || fail "no RSS sample was taken"
[ "$peak" -lt $((100 * 1024)) ] || fail "the coordinator grew to $((peak / 1024)) MiB under the floods"
[ "$after" -lt $((60 * 1024)) ] || fail "the coordinator kept $((after / 1024)) MiB after the floods"
check
spawn wpid w.out w.err worker --connect "$EP" --name honest --jobs 2
wait_exit "$cpid" 60
rc=$?
[ $rc -eq 0 ] || fail "the coordinator exited $rc after the floods: $(tail -3 c.err)"
r=$(q f.db "SELECT COUNT(*), group_concat(DISTINCT worker) FROM trials")
[ "$r" = "60|honest" ] || fail "trials after the floods: $r, want 60|honest"
summary
