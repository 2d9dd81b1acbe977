#!/usr/bin/env bash
# test_security_doc.sh — docs/security.md's key set-up, run as written: its
# four shell blocks (coordinator keygen, worker keygen and copies, the
# coordinator, a worker) are taken from the page and run for one
# coordinator and two workers (gpu1, gpu2) in their own folders on this
# machine, with `scp HOST:` as `cp`, the coordinator's host as 127.0.0.1 and
# a free port instead of 5555.  The sweep must complete with both workers'
# trials recorded — so the page cannot drift from what works.
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
DOC="$HERE/../../docs/security.md"
PORT=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The page's sh blocks, one file each: block1.sh ... blockN.sh
$PY - "$DOC" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
for i, b in enumerate(blocks, 1):
    open("block%d.sh" % i, "w").write(b.replace("\\\n", " "))
print(len(blocks))
PY
check
[ -s block4.sh ] || fail "docs/security.md has fewer than 4 sh blocks"

# adapt FILE MACHINE : the block as MACHINE runs it here.
adapt() {
    sed -e "s|scp \([^ ]*\) COORDINATOR:workers/|cp \1 ../coord/workers/|" \
        -e "s|scp COORDINATOR:coordinator.pub \.|cp ../coord/coordinator.pub .|" \
        -e "s|COORDINATOR|127.0.0.1|g" -e "s|0\.0\.0\.0:5555|127.0.0.1:$PORT|g" \
        -e "s|:5555|:$PORT|g" -e "s|gpu1|$2|g" -e "s|sweep.yaml|../sweep.yaml|g" \
        -e "s|^lrsweep |\"\$LRSWEEP\" |" "$1"
}
synthetic_spec sweep.yaml doc-keys 7 40 20 3 1.0 'constant: {}'
mkdir coord gpu1 gpu2
export LRSWEEP
check
(cd coord && bash -e <(adapt ../block1.sh coord)) >keygen.out 2>&1 || fail "block 1 failed: $(cat keygen.out)"
for m in gpu1 gpu2; do
    (cd $m && bash -e <(adapt ../block2.sh $m)) >>keygen.out 2>&1 || fail "block 2 on $m failed: $(cat keygen.out)"
done
ls coord/workers/gpu1.pub coord/workers/gpu2.pub >/dev/null 2>&1 || fail "the worker keys did not reach workers/"
(cd coord && exec bash <(adapt ../block3.sh coord)) >c.out 2>c.err &
cpid=$!
PIDS+=("$cpid")
sleep 0.5
for m in gpu1 gpu2; do
    (cd $m && exec bash <(adapt ../block4.sh $m)) >$m.out 2>$m.err &
    PIDS+=("$!")
done
check
wait_exit "$cpid" 60
rc=$?
[ $rc -eq 0 ] || fail "the coordinator of the page exited $rc: $(tail -5 c.err) $(cat gpu1.err)"
r=$(q coord/results.db "SELECT COUNT(*), COUNT(DISTINCT worker) FROM trials")
[ "$r" = "40|2" ] || fail "the page's sweep recorded $r (trials|workers), want 40|2"
summary
