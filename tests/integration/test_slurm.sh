#!/bin/bash
# test_slurm.sh — deploy/slurm/*.sbatch on a real Slurm: a one-node cluster
# (munged, slurmctld and slurmd from Debian's munge and slurm-wlm) made in a
# temporary folder with its own slurm.conf, munge key and munge socket, on
# free loopback ports, without cgroups (proctrack/linuxproc, task/none) and
# with oversubscription, so 2 cores hold every job.  The daemons and
# whatever the jobs left are killed on exit, also on failure.
#   1. sweep.sbatch with --nodes=1 --ntasks=2 runs a whole sweep: the job
#      exits 0 (the coordinator's status), every trial is recorded once, and
#      each task's log exists and ends with its worker's exit status 0;
#      without LRSWEEP and without lrsweep on PATH it exits 2 naming LRSWEEP;
#      when every worker fails it stops the coordinator and exits 130; when
#      the coordinator fails (a broken spec) it exits at once with its 2.
#   2. workers-array.sbatch with 2 array tasks completes a sweep whose
#      coordinator runs outside Slurm: the coordinator exits 0, every trial
#      is recorded once, by the array's workers, and each array task exits 0
#      (scontrol show job, and the last line of its log).
#   3. workers-array.sbatch joins a running sweep.sbatch job (--ntasks=1
#      --cpus-per-task=2: its worker runs 2 jobs)
#      with the keys in the job's folder and the address on its log's first
#      line: all three tasks exit 0, every trial is recorded once, some by
#      the array's workers.
# Every worker log must hold the worker's own line saying the sweep is
# complete (workers log without --verbose).
# Skips (77) only when the Slurm daemons cannot start on this machine, or,
# outside CI, when munge or Slurm is not installed
# (deploy/install-deps.sh --with-engines installs them).
. "$(dirname "$0")/lib.sh"
DEPLOY=$(cd "$HERE/../../deploy/slurm" && pwd)
TRIALS=16
# A test run from inside a Slurm job must not talk to that job's cluster.
for v in $(compgen -e SLURM_); do unset "$v"; done
started_at=$(date +%s)

skip() {
    echo "$TEST_NAME: SKIP: $*"
    exit 77
}

for tool in munged mungekey slurmctld slurmd sbatch squeue scontrol scancel srun sqlite3; do
    command -v "$tool" >/dev/null && continue
    if [ "${CI:-}" = true ]; then
        echo "FAIL: $tool is not installed (deploy/install-deps.sh --with-engines installs it)"
        exit 1
    fi
    skip "$tool is not installed (deploy/install-deps.sh --with-engines installs munge and slurm-wlm)"
done

# free_port: a TCP port on 127.0.0.1 that nothing listens on now.
free_port() {
    $PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- the cluster -------------------------------------------------------------
# munged wants its socket's folder, and the folders above it, searchable by
# all, and its key readable by root alone.
chmod 755 "$TMP"
mkdir -p "$TMP/munge" "$TMP/run" "$TMP/state" "$TMP/spool" "$TMP/log" "$TMP/work"
chmod 700 "$TMP/munge"
chmod 755 "$TMP/run"
MUNGE_SOCKET=$TMP/run/munge.socket
NODE=lrs1
CTLD_HOST=$(hostname -s)
CTLD_PORT=$(free_port)
SLURMD_PORT=$(free_port)
while [ "$SLURMD_PORT" = "$CTLD_PORT" ]; do SLURMD_PORT=$(free_port); done
cat >"$TMP/slurm.conf" <<EOF
ClusterName=lrsweep-test
SlurmctldHost=$CTLD_HOST(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$MUNGE_SOCKET
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/run/slurmctld.pid
SlurmdPidFile=$TMP/run/slurmd.pid
SlurmctldLogFile=$TMP/log/slurmctld.log
SlurmdLogFile=$TMP/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
MpiDefault=none
SwitchType=switch/none
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MinJobAge=600
KillWait=5
NodeName=$NODE NodeHostname=$(hostname) NodeAddr=127.0.0.1 CPUs=2 State=UNKNOWN
PartitionName=test Nodes=$NODE Default=YES OverSubscribe=FORCE:4 MaxTime=INFINITE State=UP
EOF
export SLURM_CONF=$TMP/slurm.conf

# On exit, also on failure: cancel the jobs while the daemons still run,
# kill whatever of the jobs is left (their processes carry
# SLURM_CONF=$SLURM_CONF and, below slurmstepd, a SLURM_JOB_ID), then stop
# the daemons (DAEMONS; lib.sh runs this before it removes $TMP).
DAEMONS=()
on_cleanup() {
    if [ -n "$(squeue -h 2>/dev/null)" ]; then
        scancel --full --quiet --user=root 2>/dev/null
        for _ in $(seq 50); do
            [ -z "$(squeue -h 2>/dev/null)" ] && break
            sleep 0.1
        done
    fi
    local d env
    for d in /proc/[0-9]*; do
        [ "${d#/proc/}" = $$ ] && continue
        env=$(tr '\0' '\n' 2>/dev/null <"$d/environ") || continue
        case $env in *"SLURM_CONF=$SLURM_CONF"*) ;; *) continue ;; esac
        case $env in
            *SLURM_JOB_ID=*) kill -9 "${d#/proc/}" 2>/dev/null ;;
            *) grep -q '^slurmstepd' "$d/cmdline" 2>/dev/null && kill -9 "${d#/proc/}" 2>/dev/null ;;
        esac
    done
    [ "${#DAEMONS[@]}" -gt 0 ] || return 0
    kill -TERM "${DAEMONS[@]}" 2>/dev/null
    all_gone 50 "${DAEMONS[@]}" || kill -9 "${DAEMONS[@]}" 2>/dev/null
    wait "${DAEMONS[@]}" 2>/dev/null
}

mungekey --create --keyfile="$TMP/munge/munge.key" || skip "mungekey could not make a key"
munged --foreground --socket="$MUNGE_SOCKET" --key-file="$TMP/munge/munge.key" \
    --log-file="$TMP/log/munged.log" --pid-file="$TMP/run/munged.pid" \
    --seed-file="$TMP/munge/munged.seed" >"$TMP/log/munged.out" 2>&1 &
DAEMONS+=("$!")
for _ in $(seq 50); do [ -S "$MUNGE_SOCKET" ] && break; sleep 0.1; done
[ -S "$MUNGE_SOCKET" ] || skip "munged did not start: $(tail -n 3 "$TMP/log/munged.log" "$TMP/log/munged.out" 2>/dev/null)"

slurmctld -D -i -f "$SLURM_CONF" >"$TMP/log/slurmctld.out" 2>&1 &
DAEMONS+=("$!")
slurmd -D -N "$NODE" -f "$SLURM_CONF" >"$TMP/log/slurmd.out" 2>&1 &
DAEMONS+=("$!")
node_state=
for _ in $(seq 300); do
    node_state=$(sinfo -h -n "$NODE" -o %T 2>/dev/null)
    case $node_state in idle|mixed|allocated) break ;; esac
    sleep 0.1
done
case $node_state in
    idle|mixed|allocated) ;;
    *) skip "slurmd did not come up on this machine (node state '${node_state:-none}' after 30 s): $(tail -n 5 "$TMP/log/slurmd.log" "$TMP/log/slurmctld.log" 2>/dev/null)" ;;
esac
echo "cluster: slurmctld on 127.0.0.1:$CTLD_PORT, slurmd $NODE on :$SLURMD_PORT, munge socket $MUNGE_SOCKET ($(( $(date +%s) - started_at )) s)"

# wait_job ID SECONDS: polls until squeue no longer lists the job (every
# array task of it); 1 on the deadline.
wait_job() {
    local id=$1 tenths=$(($2 * 10))
    for _ in $(seq "$tenths"); do
        [ -z "$(squeue -h -j "$id" 2>/dev/null)" ] && return 0
        sleep 0.1
    done
    return 1
}

# job_field ID FIELD: FIELD=value of each job record of ID (one per array
# task), one a line, as scontrol shows while slurmctld still knows the job.
job_field() {
    scontrol -o show job "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"
}

# trials_ok DB [N]: one check; every one of the N trials (default $TRIALS)
# is recorded, once.
trials_ok() {
    checks=$((checks + 1))
    local counts want=${2:-$TRIALS}
    counts=$(sqlite3 "$1" 'select count(*), count(distinct trial) from trials' 2>&1)
    [ "$counts" = "$want|$want" ] ||
        fail "$1: trials (rows|distinct) are '$counts', want $want|$want"
}

# worker_log_ok LOG SWEEP LAST: one check; LOG holds the worker's own
# timestamped line saying the sweep is complete, and ends with LAST.
worker_log_ok() {
    checks=$((checks + 1))
    if [ ! -s "$1" ]; then
        fail "no worker log $1, or an empty one"
    elif ! grep -Eq "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z worker .*: sweep '$2' is complete; exiting\$" "$1"; then
        fail "$1 lacks the worker's 'sweep '$2' is complete' line: $(cat "$1")"
    elif [ "$(tail -n 1 "$1")" != "$3" ]; then
        fail "$1 does not end with '$3': $(cat "$1")"
    fi
}

cd "$TMP/work" || exit 1
synthetic_spec sweep.yaml slurm-sweep 11 "$TRIALS" 100 3 1.0 'step: {step_size: 2}'

# --- 1. the whole sweep as one job -------------------------------------------
t0=$(date +%s)
echo "sbatch --nodes=1 --ntasks=2 sweep.sbatch ($TRIALS trials)"
job=$(LRSWEEP=$LRSWEEP LRSWEEP_SPEC=sweep.yaml LRSWEEP_DB=results.db \
      LRSWEEP_PORT=$(free_port) LRSWEEP_LINGER=2 LRSWEEP_IDLE_TIMEOUT=60 \
      sbatch --parsable --nodes=1 --ntasks=2 "$DEPLOY/sweep.sbatch")
checks=$((checks + 1))
if [ -z "$job" ]; then
    fail "sbatch sweep.sbatch printed no job id"
elif ! wait_job "$job" 120; then
    fail "sweep.sbatch job $job still in the queue after 120 s: $(squeue -h -j "$job")"
else
    log=lrsweep-$job.log
    dir=lrsweep-$job
    checks=$((checks + 1))
    state=$(job_field "$job" JobState) code=$(job_field "$job" ExitCode)
    [ "$state" = COMPLETED ] && [ "$code" = 0:0 ] ||
        fail "sweep.sbatch job $job: state $state, exit code $code, want COMPLETED 0:0; its log: $(cat "$log")"
    checks=$((checks + 1))
    grep -q 'coordinator exited 0; workers (srun) exited 0' "$log" ||
        fail "$log does not say the coordinator and srun exited 0: $(cat "$log")"
    checks=$((checks + 1))
    grep -q "2 worker task(s), 1 job(s) each" "$log" ||
        fail "$log: without --cpus-per-task a worker should run 1 job: $(head -n 1 "$log")"
    trials_ok results.db
    for task in 0 1; do
        worker_log_ok "$dir/worker-$(hostname -s)-$task.log" slurm-sweep \
            "task $task on $(hostname): lrsweep worker exited 0"
    done
    for f in coordinator.key coordinator.pub worker.key workers/worker.pub; do
        checks=$((checks + 1))
        [ -s "$dir/$f" ] || fail "sweep.sbatch made no $dir/$f"
    done
fi
echo "  sweep.sbatch: $(( $(date +%s) - t0 )) s"

# Without LRSWEEP and with no lrsweep on PATH the job stops at once, exit 2,
# naming the variable.
t0=$(date +%s)
job=$(env -u LRSWEEP PATH=/usr/bin:/bin LRSWEEP_SPEC=sweep.yaml \
      sbatch --parsable --ntasks=1 --output=nobinary-%j.log "$DEPLOY/sweep.sbatch")
checks=$((checks + 1))
if [ -z "$job" ] || ! wait_job "$job" 60; then
    fail "sweep.sbatch without LRSWEEP: job '${job}' did not end within 60 s"
else
    code=$(job_field "$job" ExitCode)
    [ "$code" = 2:0 ] && grep -q 'set LRSWEEP=/path/to/lrsweep' "nobinary-$job.log" ||
        fail "sweep.sbatch without LRSWEEP: exit code $code, want 2:0, and a log naming LRSWEEP: $(cat "nobinary-$job.log")"
fi
echo "  sweep.sbatch without a binary: $(( $(date +%s) - t0 )) s"

# Workers that all fail (here on a usage error) end srun before the sweep is
# complete: the script stops the coordinator, and exits with its 130.
t0=$(date +%s)
job=$(LRSWEEP=$LRSWEEP LRSWEEP_SPEC=sweep.yaml LRSWEEP_DB=failing.db \
      LRSWEEP_PORT=$(free_port) LRSWEEP_WORKER_ARGS=--no-such-flag \
      sbatch --parsable --ntasks=2 --output=failing-%j.log "$DEPLOY/sweep.sbatch")
checks=$((checks + 1))
if [ -z "$job" ] || ! wait_job "$job" 90; then
    fail "sweep.sbatch with failing workers: job '${job}' did not end within 90 s"
else
    code=$(job_field "$job" ExitCode)
    if [ "$code" != 130:0 ] ||
       ! grep -q 'every worker has ended (srun exited [1-9][0-9]*) before the sweep was complete' "failing-$job.log"; then
        fail "sweep.sbatch with failing workers: exit code $code, want 130:0, and a log saying the workers ended: $(cat "failing-$job.log")"
    fi
    checks=$((checks + 1))
    grep -q 'lrsweep worker exited 2$' "lrsweep-$job/worker-$(hostname -s)-0.log" ||
        fail "sweep.sbatch with failing workers: task 0's log lacks its exit 2: $(cat "lrsweep-$job/worker-$(hostname -s)-0.log")"
fi
echo "  sweep.sbatch with failing workers: $(( $(date +%s) - t0 )) s"

# A coordinator that fails (a spec it refuses: exit 2) ends the job at once
# with its status; its workers are stopped with SIGTERM (they exit 130).
t0=$(date +%s)
printf 'name: broken\ntrials: many\n' >broken.yaml
job=$(LRSWEEP=$LRSWEEP LRSWEEP_SPEC=broken.yaml LRSWEEP_DB=broken.db \
      LRSWEEP_PORT=$(free_port) \
      sbatch --parsable --ntasks=2 --output=broken-%j.log "$DEPLOY/sweep.sbatch")
checks=$((checks + 1))
if [ -z "$job" ] || ! wait_job "$job" 30; then
    fail "sweep.sbatch with a broken spec: job '${job}' did not end within 30 s"
else
    code=$(job_field "$job" ExitCode)
    if [ "$code" != 2:0 ] || ! grep -q 'coordinator exited 2; workers' "broken-$job.log"; then
        fail "sweep.sbatch with a broken spec: exit code $code, want the coordinator's 2:0: $(cat "broken-$job.log")"
    fi
    checks=$((checks + 1))
    grep -q 'lrsweep worker exited 130$' "lrsweep-$job/worker-$(hostname -s)-0.log" ||
        fail "sweep.sbatch with a broken spec: task 0 was not stopped by SIGTERM (exit 130): $(cat "lrsweep-$job/worker-$(hostname -s)-0.log")"
fi
echo "  sweep.sbatch with a broken spec: $(( $(date +%s) - t0 )) s"

# --- 2. an array of workers for a coordinator outside Slurm -------------------
t0=$(date +%s)
mkdir -p keys/workers
"$LRSWEEP" keygen keys/coordinator >/dev/null && "$LRSWEEP" keygen keys/worker >/dev/null &&
    mv keys/worker.pub keys/workers/ || { fail "keygen failed"; summary; exit; }
port=$(free_port)
spawn coordinator coordinator.out coordinator.err coordinator sweep.yaml \
    --bind "tcp://0.0.0.0:$port" --db array.db \
    --key keys/coordinator.key --allow keys/workers --linger 2
echo "sbatch --array=0-1 workers-array.sbatch (coordinator outside Slurm on :$port)"
job=$(LRSWEEP=$LRSWEEP LRSWEEP_CONNECT=tcp://127.0.0.1:$port \
      LRSWEEP_KEY=keys/worker.key LRSWEEP_SERVER_KEY=keys/coordinator.pub \
      LRSWEEP_IDLE_TIMEOUT=60 \
      sbatch --parsable --array=0-1 "$DEPLOY/workers-array.sbatch")
checks=$((checks + 1))
if [ -z "$job" ]; then
    fail "sbatch workers-array.sbatch printed no job id"
elif ! wait_job "$job" 120; then
    fail "workers-array job $job still in the queue after 120 s: $(squeue -h -j "$job")"
else
    wait_exit "$coordinator" 30
    rc=$?
    checks=$((checks + 1))
    [ "$rc" -eq 0 ] || fail "the coordinator exited $rc, want 0: $(cat coordinator.err)"
    trials_ok array.db
    checks=$((checks + 1))
    others=$(sqlite3 array.db "select count(*) from trials where worker not like 'slurm-${job}\\_%' escape '\\'")
    [ "$others" = 0 ] ||
        fail "array.db: $others trials not recorded by a worker named slurm-${job}_TASK: $(sqlite3 array.db 'select distinct worker from trials')"
    checks=$((checks + 1))
    states=$(job_field "$job" JobState | sort | uniq -c | tr -s ' ')
    codes=$(job_field "$job" ExitCode | sort | uniq -c | tr -s ' ')
    [ "$states" = " 2 COMPLETED" ] && [ "$codes" = " 2 0:0" ] ||
        fail "array job $job: states '$states', exit codes '$codes', want 2 COMPLETED and 2 0:0"
    for task in 0 1; do
        worker_log_ok "lrsweep-worker-${job}_$task.log" slurm-sweep \
            "workers-array.sbatch: slurm-${job}_$task: lrsweep worker exited 0"
    done
fi
echo "  workers-array.sbatch: $(( $(date +%s) - t0 )) s"

# --- 3. an array of workers joining a sweep.sbatch job -------------------------
# With the keys from the job's folder and the address from its log's first
# line.  The job's task (2 CPUs, so a worker of 2 jobs) and the array's two
# share the 2 CPUs (oversubscription); the sweep takes that worker ~6 s, so
# the array's workers, started a second or two later, take part.
t0=$(date +%s)
JOINED_TRIALS=32
synthetic_spec joined.yaml slurm-joined 12 "$JOINED_TRIALS" 400 3 1.0 'step: {step_size: 2}'
echo "sbatch --ntasks=1 --cpus-per-task=2 sweep.sbatch, then sbatch --array=0-1 workers-array.sbatch with its keys"
sweep_job=$(LRSWEEP=$LRSWEEP LRSWEEP_SPEC=joined.yaml LRSWEEP_DB=joined.db \
            LRSWEEP_PORT=$(free_port) LRSWEEP_LINGER=5 LRSWEEP_IDLE_TIMEOUT=60 \
            sbatch --parsable --ntasks=1 --cpus-per-task=2 "$DEPLOY/sweep.sbatch")
address=
for _ in $(seq 300); do
    address=$(grep -o 'tcp://[^;]*' "lrsweep-$sweep_job.log" 2>/dev/null | head -n 1)
    [ -n "$address" ] && [ -s "lrsweep-$sweep_job/coordinator.pub" ] && break
    sleep 0.1
done
checks=$((checks + 1))
if [ -z "$sweep_job" ] || [ -z "$address" ]; then
    fail "sweep.sbatch job '$sweep_job' named no coordinator address within 30 s: $(cat "lrsweep-$sweep_job.log" 2>&1)"
else
    job=$(LRSWEEP=$LRSWEEP LRSWEEP_CONNECT=$address \
          LRSWEEP_KEY=lrsweep-$sweep_job/worker.key \
          LRSWEEP_SERVER_KEY=lrsweep-$sweep_job/coordinator.pub LRSWEEP_IDLE_TIMEOUT=60 \
          sbatch --parsable --array=0-1 "$DEPLOY/workers-array.sbatch")
    checks=$((checks + 1))
    if [ -z "$job" ] || ! wait_job "$sweep_job" 120 || ! wait_job "$job" 60; then
        fail "sweep.sbatch job $sweep_job or its array '$job' still in the queue: $(squeue -h)"
    else
        codes=$( (job_field "$sweep_job" ExitCode; job_field "$job" ExitCode) | sort | uniq -c | tr -s ' ')
        [ "$codes" = " 3 0:0" ] ||
            fail "sweep.sbatch job $sweep_job and array $job: exit codes '$codes', want 3 0:0: $(cat "lrsweep-$sweep_job.log")"
        trials_ok joined.db "$JOINED_TRIALS"
        checks=$((checks + 1))
        grep -q "1 worker task(s), 2 job(s) each" "lrsweep-$sweep_job.log" ||
            fail "lrsweep-$sweep_job.log: with --cpus-per-task=2 its worker should run 2 jobs: $(head -n 1 "lrsweep-$sweep_job.log")"
        checks=$((checks + 1))
        grep -q "joined (2 jobs)" "lrsweep-$sweep_job.log" ||
            fail "lrsweep-$sweep_job.log: no worker joined with 2 jobs: $(cat "lrsweep-$sweep_job.log")"
        checks=$((checks + 1))
        by_array=$(sqlite3 joined.db "select count(*) from trials where worker like 'slurm-${job}\\_%' escape '\\'")
        [ "${by_array:-0}" -gt 0 ] ||
            fail "joined.db: the array's workers recorded no trial: $(sqlite3 joined.db 'select worker, count(*) from trials group by worker')"
        for task in 0 1; do
            worker_log_ok "lrsweep-worker-${job}_$task.log" slurm-joined \
                "workers-array.sbatch: slurm-${job}_$task: lrsweep worker exited 0"
        done
        echo "  the array's workers ran $by_array of $JOINED_TRIALS trials"
    fi
fi
echo "  workers-array.sbatch joining sweep.sbatch: $(( $(date +%s) - t0 )) s"

echo "$TEST_NAME: wall time $(( $(date +%s) - started_at )) s"
summary
