#!/usr/bin/env bash
# test_preload.sh — `preload:` end to end: the helper imports a module once
# per slot and forks each trial, which sees the module already imported, a
# clean copy of its state, its own argv, sys.path[0], cwd and environment;
# a trial that exits, raises, aborts, hangs or kills its helper affects no
# other; a module that starts threads, `shell: true` or a command that is not
# `python3 SCRIPT` fall back to processes with a notice; a module that fails
# to import fails the trials saying so; `-m MODULE` works; and the shipped
# PyTorch example stores the same bits with and without `preload: [torch]`.
#
# usage: bash test_preload.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

cat >heavy.py <<'PY'
import os
with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "imports.log"), "a") as f:
    f.write("%d\n" % os.getpid())
state = []
PY
cat >threaded.py <<'PY'
import threading, time
threading.Thread(target=time.sleep, args=(30,), daemon=True).start()
PY
cat >t.py <<'PY'
import json, os, sys
pre = "heavy" in sys.modules
import heavy
heavy.state.append(os.environ["LRSWEEP_TRIAL"])   # global state a later trial must not see
p = json.loads(os.environ["LRSWEEP_PARAMS"])
mode = p.get("case", "ok")
if mode == "exit3":
    sys.exit(3)
if mode == "raise":
    raise ValueError("boom <%s>" % os.environ["LRSWEEP_TRIAL"])
if mode == "abort":
    os.abort()
if mode == "hang":
    import time
    time.sleep(60)
if mode == "killhelper":
    os.kill(os.getppid(), 9)
if mode == "pids":   # for the worker-kill check: this run and its helper, then wait
    with open("pids.txt", "w") as f:
        f.write("%d %d\n" % (os.getpid(), os.getppid()))
    import time
    time.sleep(60)
if mode == "exitmsg":
    sys.exit("bad thing <%s>" % os.environ["LRSWEEP_TRIAL"])
if mode in ("unclosed", "atexit", "thread"):   # the metric only at the script's end
    line = "val_loss=%.17g\n" % float(sys.argv[2])
    if mode == "unclosed":
        f = open("unclosed-%s.txt" % os.environ["LRSWEEP_TRIAL"], "w")
        f.write(line)   # never closed: flushed at the end, as interpreter teardown does
        print(line, end="")
    elif mode == "atexit":
        import atexit
        atexit.register(lambda: print(line, end=""))
    else:
        import threading, time
        threading.Thread(target=lambda: (time.sleep(0.3), print(line, end=""))).start()
    sys.exit(0)
here = os.path.dirname(os.path.abspath(__file__))
print("preloaded=%d" % pre)
print("state_len=%d" % len(heavy.state))
print("path0_ok=%d" % (sys.path[0] == here))
print("argv_ok=%d" % (len(sys.argv) == 3 and os.path.basename(sys.argv[0]) in ("t.py", "tmod.py")))
print("cwd_ok=%d" % (os.getcwd() == here))
print("env_ok=%d" % (os.environ.get("EXTRA") == "x" and "LRSWEEP_SEED" in os.environ))
print("val_loss=%.17g" % (float(sys.argv[2]) + int(os.environ["LRSWEEP_TRIAL"])))
PY
spec() {   # name, preload line, command, extra search lines
    cat <<YAML
name: $1
trials: ${TRIALS:-6}
seed: 4
metric: val_loss
timeout: 3
workdir: .
env: {PYTHONPATH: "$TMP", EXTRA: x}
$2
command: $3
search:
  lr: ${LR:-"{log_uniform: [0.001, 0.1]}"}
${4:-}
YAML
}

# 1. Six trials on two workers: every trial preloaded, each sees a clean
# module, imports happen once per helper, results equal the process mode's.
spec pre 'preload: [heavy]' "$PY t.py --lr {lr}" >pre.yaml
spec plain '' "$PY t.py --lr {lr}" >plain.yaml
check
"$LRSWEEP" validate pre.yaml >val.out 2>&1 || fail "validate exited $?: $(cat val.out)"
! grep -q warning val.out || fail "validate warns about a usable preload: $(cat val.out)"
check
"$LRSWEEP" run pre.yaml --db pre.db --workers 2 --quiet >pre.out 2>&1 || fail "preload run exited $?: $(cat pre.out)"
n=$(q pre.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'
              AND json_extract(metrics, '$.preloaded') = 1 AND json_extract(metrics, '$.state_len') = 1
              AND json_extract(metrics, '$.path0_ok') = 1 AND json_extract(metrics, '$.argv_ok') = 1
              AND json_extract(metrics, '$.cwd_ok') = 1 AND json_extract(metrics, '$.env_ok') = 1")
[ "$n" = 6 ] || { fail "$n of 6 trials ran preloaded and isolated"; q pre.db "SELECT trial, status, error, metrics FROM trials"; }
check
imports=$(wc -l <imports.log)
[ "$imports" -ge 1 ] && [ "$imports" -le 2 ] || fail "heavy was imported $imports times for 6 trials on 2 workers"
rm -f imports.log
check
"$LRSWEEP" run plain.yaml --db plain.db --workers 1 --quiet >plain.out 2>&1 || fail "plain run exited $?"
a=$(q pre.db "SELECT trial, status, score FROM trials ORDER BY trial")
b=$(q plain.db "SELECT trial, status, score FROM trials ORDER BY trial")
[ "$a" = "$b" ] || fail "preload and process mode differ: $a / $b"
[ "$(wc -l <imports.log)" = 6 ] || fail "process mode imported heavy $(wc -l <imports.log) times, not 6"

# 2. Failures stay in their own trial; tracebacks start at the script.
LR=0.01 spec fails 'preload: [heavy]' "$PY t.py --lr {lr}" \
    '  case: {values: [ok, exit3, raise, abort, hang, killhelper]}
sampler: grid' | sed 's/^trials: 6$//' >fails.yaml
check
"$LRSWEEP" run fails.yaml --db fails.db --workers 1 --quiet >fails.out 2>&1
st() { q fails.db "SELECT status || ' ' || COALESCE(error, '') FROM trials WHERE json_extract(params, '$.case') = '$1'"; }
[ "$(st ok)" = "complete " ] || fail "ok: $(st ok)"
[ "$(st exit3)" = "failed exit status 3" ] || fail "exit3: $(st exit3)"
[ "$(st raise)" = "failed exit status 1" ] || fail "raise: $(st raise)"
[ "$(st abort)" = "failed killed by signal 6" ] || fail "abort: $(st abort)"
[ "$(st hang)" = "failed timeout" ] || fail "hang: $(st hang)"
case $(st killhelper) in "failed preload: the helper that forked this run died"*) ;; *) fail "killhelper: $(st killhelper)" ;; esac
check
tb=$(q fails.db "SELECT stderr_tail FROM trials WHERE json_extract(params, '$.case') = 'raise'")
case $tb in *'t.py", line '*'ValueError: boom <'*) ;; *) fail "raise: traceback is '$tb'" ;; esac
case $tb in *lrsweep_*|*runpy*) fail "the traceback shows the helper's frames: $tb" ;; esac
check
n=$(q fails.db "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND json_extract(metrics, '$.state_len') = 1")
[ "$n" = 1 ] || fail "$n complete trials with a clean module"

# The end of a script: unclosed files flushed, atexit handlers and
# non-daemon threads run, sys.exit(message) prints it.
check
LR=0.01 spec ends 'preload: [heavy]' "$PY t.py --lr {lr}" \
    '  case: {values: [unclosed, atexit, thread, exitmsg]}
sampler: grid' | sed 's/^trials: 6$//' >ends.yaml
"$LRSWEEP" run ends.yaml --db ends.db --workers 1 --quiet >ends.out 2>&1
en() { q ends.db "SELECT status || ' ' || COALESCE(error, '') || ' ' || COALESCE(score, '') FROM trials WHERE json_extract(params, '$.case') = '$1'"; }
for c in unclosed atexit thread; do
    [ "$(en $c)" = "complete  0.01" ] || fail "$c: $(en $c)"
done
[ "$(en exitmsg)" = "failed exit status 1 " ] || fail "exitmsg: $(en exitmsg)"
t=$(q ends.db "SELECT trial FROM trials WHERE json_extract(params, '$.case') = 'unclosed'")
[ "$(cat "unclosed-$t.txt" 2>/dev/null)" = "val_loss=0.01" ] || fail "the unclosed file holds '$(cat "unclosed-$t.txt" 2>/dev/null)'"
case $(q ends.db "SELECT stderr_tail FROM trials WHERE json_extract(params, '$.case') = 'exitmsg'") in
    "bad thing <"*">"*) ;; *) fail "sys.exit(message) did not print it" ;; esac
check
grep -v '^preload:' ends.yaml >ends_plain.yaml
"$LRSWEEP" run ends_plain.yaml --db ends_plain.db --workers 1 --quiet >/dev/null 2>&1
sql="SELECT trial, status, error, score, stderr_tail FROM trials ORDER BY trial"
[ "$(q ends.db "$sql")" = "$(q ends_plain.db "$sql")" ] ||
    { fail "script ends differ from process mode"; q ends.db "$sql"; q ends_plain.db "$sql"; }

# Pruning through the helper: the same trials pruned at the same epochs,
# with the same stored curves, as in process mode (a pruned run is stopped).
cat >curve.py <<'PY'
import json, math, os, sys, time
import heavy
lr = float(sys.argv[2])
for e in range(1, 13):
    l = math.log10(lr)
    print("epoch=%d val_loss=%.9f" % (e, (l + 2) ** 2 + 3.0 / e), flush=True)
    time.sleep(0.01)
PY
for m in pre plain; do
    cat >"prune_$m.yaml" <<YAML
name: prune
seed: 5
trials: 16
metric: val_loss
workdir: .
env: {PYTHONPATH: "$TMP"}
$([ $m = pre ] && echo 'preload: [heavy]')
command: $PY curve.py --lr {lr}
pruning: {rule: successive_halving, min_resource: 2, reduction_factor: 3}
search:
  lr: {log_uniform: [1.0e-4, 1.0]}
YAML
    "$LRSWEEP" run "prune_$m.yaml" --db "prune_$m.db" --workers 1 --quiet >"prune_$m.out" 2>&1 ||
        fail "pruning run ($m) exited $?: $(cat "prune_$m.out")"
done
check
sql="SELECT trial, status, pruned_epoch, score, metrics FROM trials ORDER BY trial"
[ "$(q prune_pre.db "$sql")" = "$(q prune_plain.db "$sql")" ] || fail "pruning differs through the helper"
n=$(q prune_pre.db "SELECT COUNT(*) FROM trials WHERE status = 'pruned'")
[ "$n" -gt 0 ] || fail "no trial was pruned (the check would prove nothing)"

# A worker killed with -9 takes its running trial and its helper with it.
LR=0.01 spec killw 'preload: [heavy]' "$PY t.py --lr {lr}" '  case: pids' | sed 's/^timeout: 3$/timeout: 120/' >killw.yaml
EP="ipc://$TMP/kw.sock"
spawn kcpid kc.out kc.err coordinator killw.yaml --bind "$EP" --db killw.db
spawn kwpid kw.out kw.err worker --connect "$EP" --allow-commands
check
for _ in $(seq 100); do [ -s pids.txt ] && break; sleep 0.1; done
read -r run_pid helper_pid <pids.txt
kill -9 "$kwpid"
sleep 2
alive "$run_pid" && fail "the run $run_pid outlived its killed worker"
alive "$helper_pid" && fail "the helper $helper_pid outlived its killed worker"
kill "$kcpid" 2>/dev/null

# 3. Fallbacks, each with its notice; the trials still complete.
fallback() {   # name, preload line, command, notice fragment
    spec "$1" "$2" "$3" >"$1.yaml"
    check
    "$LRSWEEP" run "$1.yaml" --db "$1.db" --workers 1 --quiet >"$1.out" 2>&1 || fail "$1: run exited $?"
    n=$(q "$1.db" "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND json_extract(metrics, '$.preloaded') = 0")
    [ "$n" = 6 ] || { fail "$1: $n of 6 trials complete as processes"; q "$1.db" "SELECT trial, status, error FROM trials"; }
    [ "$(grep -cF -- "$4" "$1.out")" = 1 ] || { fail "$1: the notice '$4' is not shown once"; cat "$1.out"; }
    [ "$1" = threads ] && return   # only a run can tell
    check
    "$LRSWEEP" validate "$1.yaml" >"$1.val" 2>&1 || fail "$1: validate exited $?"
    grep -qF -- "$1.yaml: warning: ${4%, so trials run as processes}, so trials will run as processes" "$1.val" ||
        { fail "$1: validate does not warn"; cat "$1.val"; }
}
fallback threads 'preload: [threaded, heavy]' "$PY t.py --lr {lr}" \
    "preload: the helper runs 2 threads after its imports and forking it is not safe, so trials run as processes"
fallback shell $'preload: [heavy]\nshell: true' "$PY t.py --lr {lr}" \
    "preload: shell: true runs the command with /bin/sh, so trials run as processes"
fallback notpy 'preload: [heavy]' "env $PY t.py --lr {lr}" \
    "preload: 'env' is not a Python interpreter, so trials run as processes"

# 4. A module that does not import fails the trials with its error.
spec badmod 'preload: [heavy, no_such_module_q]' "$PY t.py --lr {lr}" >badmod.yaml
check
"$LRSWEEP" run badmod.yaml --db badmod.db --workers 1 --quiet >badmod.out 2>&1
e=$(q badmod.db "SELECT DISTINCT status || ': ' || error FROM trials")
case $e in "failed: preload: $PY could not import the preload modules: ModuleNotFoundError: No module named 'no_such_module_q'") ;;
    *) fail "badmod: $e" ;; esac

# 5. -m MODULE runs the module as __main__.
cp t.py tmod.py
spec mod 'preload: [heavy]' "$PY -m tmod X {lr}" >mod.yaml
check
"$LRSWEEP" run mod.yaml --db mod.db --workers 1 --quiet >mod.out 2>&1 || fail "-m run exited $?: $(cat mod.out)"
n=$(q mod.db "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND json_extract(metrics, '$.preloaded') = 1")
[ "$n" = 6 ] || { fail "-m: $n of 6 trials preloaded"; q mod.db "SELECT trial, status, error, stderr_tail FROM trials"; }

# 6. The shipped PyTorch example: the same metrics and curves both ways.
check
if ! "$PY" -c 'import torch' 2>/dev/null; then
    fail "$PY has no torch (deploy/install-deps.sh --with-reference installs python3-torch)"
else
    sed -e "s|^command: python3|command: $PY|" -e 's/^trials: 40/trials: 3/' \
        -e "s|^workdir: .*|workdir: $EXAMPLES/pytorch|" "$EXAMPLES/pytorch/sweep.yaml" |
        grep -v '^preload:' >pt.yaml   # the shipped spec preloads: the process-mode copy does not
    { cat pt.yaml; echo 'preload: [torch]'; } >pt_pre.yaml
    "$LRSWEEP" run pt.yaml --db pt.db --workers 1 --quiet >pt.out 2>&1 || fail "torch plain run exited $?"
    "$LRSWEEP" run pt_pre.yaml --db pt_pre.db --workers 1 --quiet >pt_pre.out 2>&1 ||
        fail "torch preload run exited $?: $(cat pt_pre.out)"
    for sql in "SELECT trial, status, score, metrics FROM trials ORDER BY trial" \
               "SELECT trial, repeat, fold, epoch, lr, train_loss, val_loss, metrics FROM trial_curves ORDER BY trial, repeat, fold, epoch"; do
        [ "$(q pt.db "$sql")" = "$(q pt_pre.db "$sql")" ] || fail "torch: preload differs from process mode: $sql"
    done
    n=$(q pt_pre.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'")
    [ "$n" = 3 ] || fail "torch: $n of 3 trials complete"
fi

summary
