#!/usr/bin/env bash
# test_gpus.sh — `--gpus`: one device per slot, seen by the command as
# CUDA_VISIBLE_DEVICES and LRSWEEP_GPU (over the spec's env), round robin
# when there are more slots than devices; `run --gpus` gives each local
# worker one and defaults --workers to their count; with preload: the
# helper imports with its slot's device already set; bad lists are refused.
# No GPU is needed: what is tested is the environment each trial sees.
#
# usage: bash test_gpus.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1

cat >devmod.py <<'PY'
import os
AT_IMPORT = os.environ.get("CUDA_VISIBLE_DEVICES", "none")
PY
cat >t.py <<'PY'
import os, sys, time
import devmod
time.sleep(0.15)   # long enough that every slot takes trials
cvd = os.environ.get("CUDA_VISIBLE_DEVICES", "none")
gpu = os.environ.get("LRSWEEP_GPU", "none")
print("dev=%s" % (cvd if cvd.isdigit() else -1))
print("same=%d" % (cvd == gpu))
print("import_same=%d" % (devmod.AT_IMPORT == cvd))
print("val_loss=%s" % sys.argv[2])
PY
spec() {   # name, extra top-level lines
    cat <<YAML
name: $1
trials: 12
seed: 2
metric: val_loss
workdir: .
env: {PYTHONPATH: "$TMP", CUDA_VISIBLE_DEVICES: "9"}
$2
command: $PY t.py --lr {lr}
search:
  lr: {log_uniform: [0.001, 0.1]}
YAML
}
devs() { q "$1" "SELECT group_concat(d) FROM (SELECT DISTINCT CAST(json_extract(metrics, '$.dev') AS INTEGER) AS d FROM trials ORDER BY d)"; }

# run --gpus 0,1: two local workers (the default), one device each.
spec run '' >run.yaml
check
"$LRSWEEP" run run.yaml --db run.db --gpus 0,1 --quiet >run.out 2>&1 || fail "run --gpus exited $?: $(cat run.out)"
[ "$(devs run.db)" = "0,1" ] || fail "run --gpus 0,1: trials saw devices $(devs run.db)"
n=$(q run.db "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND json_extract(metrics, '$.same') = 1")
[ "$n" = 12 ] || fail "$n of 12 trials had CUDA_VISIBLE_DEVICES = LRSWEEP_GPU"
n=$(q run.db "SELECT COUNT(DISTINCT worker) FROM trials")
[ "$n" = 2 ] || fail "run --gpus 0,1 started $n workers, not 2"

# Without --gpus the spec's env stands and LRSWEEP_GPU is unset.
check
"$LRSWEEP" run run.yaml --db plain.db --workers 1 --quiet >plain.out 2>&1 || fail "plain run exited $?"
r=$(q plain.db "SELECT DISTINCT CAST(json_extract(metrics, '$.dev') AS INTEGER) || ' ' || CAST(json_extract(metrics, '$.same') AS INTEGER) FROM trials")
[ "$r" = "9 0" ] || fail "without --gpus: $r (want the spec's 9 and no LRSWEEP_GPU)"

# worker --gpus 3,5 --jobs 3: slots 0, 1, 2 on 3, 5, 3; with preload the
# helper of each slot imported with its device set.
spec wk 'preload: [devmod]' >wk.yaml
EP="ipc://$TMP/c.sock"
spawn cpid c.out c.err coordinator wk.yaml --bind "$EP" --db wk.db
spawn wpid w.out w.err worker --connect "$EP" --gpus 3,5 --jobs 3 --allow-commands
check
wait_exit "$cpid" 60 || fail "the coordinator did not finish: $(tail -3 c.err)"
[ "$(devs wk.db)" = "3,5" ] || fail "worker --gpus 3,5: trials saw $(devs wk.db)"
n=$(q wk.db "SELECT COUNT(*) FROM trials WHERE status = 'complete' AND json_extract(metrics, '$.same') = 1
              AND json_extract(metrics, '$.import_same') = 1")
[ "$n" = 12 ] || { fail "$n of 12 preloaded trials saw their device at import"; q wk.db "SELECT trial, status, error, metrics FROM trials"; }
wait_exit "$wpid" 20 || fail "the worker did not exit"
check
"$LRSWEEP" status --db wk.db >st.out 2>&1 || fail "status exited $?"
grep -q "; gpus 3,5 (3 slots share them round robin)" st.out || { fail "status lacks the worker's gpus"; cat st.out; }
"$LRSWEEP" status --db wk.db --json >st.json 2>&1 || fail "status --json exited $?"
$PY -c 'import json, sys; d = json.loads(open(sys.argv[1]).read().splitlines()[0])
w = [x for x in d["workers"] if x["gpus"]]
assert len(w) == 1 and w[0]["gpus"] == ["3", "5"], d["workers"]' st.json || fail "status --json gpus: $(cat st.json)"

# Bad lists are usage errors naming the problem.
expect_status worker usage 2 "--gpus: an empty device id" --connect "$EP" --gpus 0,,1
expect_status worker usage 2 "--gpus: device 1 is listed twice" --connect "$EP" --gpus 1,1
expect_status run usage 2 "--gpus: device id '0;x' holds a character" run.yaml --gpus '0;x'
check
"$LRSWEEP" worker --help | grep -q -- "--gpus IDS" || fail "worker --help lacks --gpus"

summary
