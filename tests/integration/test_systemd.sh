#!/usr/bin/env bash
# test_systemd.sh — the systemd units that `make install` installs:
#   1. the build's install rules write lrsweep-coordinator@.service and
#      lrsweep-worker@.service to PREFIX/lib/systemd/system, naming the
#      installed binary; `systemd-analyze verify` passes both, and fails a
#      copy that names a binary nothing installed;
#   2. `systemd-analyze security --offline` rates both OK (coordinator at
#      most 2.0, worker at most 2.5 of 10), and fails a copy without its
#      sandbox;
#   3. the lifecycle settings: 0, 3 (worker) and 130 are clean exits,
#      Restart=on-failure, a usage error (2) is not restarted, stop is SIGINT;
#   4. (as root) the ExecStart lines, expanded as systemd expands them, run a
#      sweep of the user's own command: each as an unprivileged user, in a
#      mount namespace with the file system read-only but the unit's
#      StateDirectory and /home and /root hidden (ProtectSystem=strict,
#      ProtectHome=yes, DynamicUser=yes; PrivateTmp and the system call
#      filters are not reproduced), with its keys given as credentials
#      (root's 0600 files copied 0400 for that user).  Every trial is
#      recorded once, the command could write where the unit lets it and not
#      elsewhere, the coordinator exits 0, the --serve worker stays and exits
#      130 on the unit's stop signal.
. "$(dirname "$0")/lib.sh"
UNITPY=$HERE/systemd_unit.py
BUILD_DIR=$(dirname "$LRSWEEP")

if ! command -v systemd-analyze >/dev/null 2>&1; then
    echo "skip: needs systemd-analyze (deploy/install-deps.sh --with-engines)"
    exit 77
fi
echo "$(systemd-analyze --version | head -1)"

# ---- 1. installed and verified -------------------------------------------
P=$TMP/prefix
check
if ! cmake --install "$BUILD_DIR" --prefix "$P" >"$TMP/install.log" 2>&1; then
    fail "cmake --install: $(tail -5 "$TMP/install.log")"
    summary
    exit
fi
U=$P/lib/systemd/system
for u in lrsweep-coordinator@.service lrsweep-worker@.service; do
    check
    [ -f "$U/$u" ] || { fail "$u not installed in $U"; continue; }
    check
    first=$($PY "$UNITPY" get "$U/$u" ExecStart | awk '{ print $1 }')
    [ "$first" = "$P/bin/lrsweep" ] || fail "$u runs '$first', not the installed $P/bin/lrsweep"
    check
    grep -n '@[A-Z_]*@' "$U/$u" && fail "$u has a placeholder left"
    check
    out=$(systemd-analyze verify --man=no "$U/$u" 2>&1)
    st=$?
    out=$(echo "$out" | grep -v "Couldn't process aliases")
    [ $st -eq 0 ] && [ -z "$out" ] || fail "systemd-analyze verify $u ($st): $out"
    # the check can fail: the old units named /usr/local/bin/lrsweep
    check
    mkdir -p "$TMP/broken"
    sed "s#^ExecStart=$P/bin/lrsweep#ExecStart=/nonexistent/bin/lrsweep#" "$U/$u" >"$TMP/broken/$u"
    systemd-analyze verify --man=no "$TMP/broken/$u" >/dev/null 2>&1 &&
        fail "verify passed $u naming a binary that does not exist"
done

# ---- 2. sandbox rating ---------------------------------------------------
rate() { systemd-analyze security --offline=yes --no-pager "$1" 2>/dev/null |
             awk '/Overall exposure level/ { print $(NF-2) }'; }
for pair in lrsweep-coordinator@.service:2.0 lrsweep-worker@.service:2.5; do
    u=${pair%%:*} limit=${pair##*:}
    check
    r=$(rate "$U/$u")
    echo "exposure of $u: $r (at most $limit)"
    awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r != "" && r + 0 <= l + 0) }' ||
        fail "$u is rated '$r', more exposed than $limit"
    check
    grep -vE '^(DynamicUser|Protect[A-Za-z]*|Private[A-Za-z]*|SystemCall[A-Za-z]*|Restrict[A-Za-z]*|NoNewPrivileges|CapabilityBoundingSet)=' \
        "$U/$u" >"$TMP/broken/$u"
    r=$(rate "$TMP/broken/$u")
    awk -v r="$r" -v l="$limit" 'BEGIN { exit !(r + 0 > l + 0) }' ||
        fail "the rating did not notice $u without its sandbox ($r)"
done

# ---- 3. lifecycle settings -------------------------------------------------
# get UNIT KEY: the values, joined by spaces
get() { $PY "$UNITPY" get "$U/$1" "$2" | tr '\n' ' ' | sed 's/ $//'; }
C=lrsweep-coordinator@.service W=lrsweep-worker@.service
for want in "$C SuccessExitStatus 130" "$W SuccessExitStatus 3 130" \
            "$C Restart on-failure" "$W Restart on-failure" \
            "$C RestartPreventExitStatus 2" "$W RestartPreventExitStatus 2" \
            "$C KillSignal SIGINT" "$W KillSignal SIGINT"; do
    read -r u key value <<<"$want"
    check
    got=$(get "$u" "$key")
    [ "$got" = "$value" ] || fail "$u: $key=$got, want $value"
done
check
$PY "$UNITPY" get "$U/$W" ExecStart | grep -q -- ' --serve ' || fail "the worker unit does not --serve"
check
$PY "$UNITPY" get "$U/$W" MemoryDenyWriteExecute | grep -q yes &&
    fail "the worker unit forbids JIT compilers (MemoryDenyWriteExecute), which PyTorch uses"

# ---- 4. the units' commands run a command sweep ------------------------------
if [ "$(id -u)" -ne 0 ]; then
    echo "skip (part 4 only): running as the units' dynamic users in a mount namespace needs root"
    summary
    exit
fi
chmod 0755 "$TMP"
ETC=$TMP/etc STATE=$TMP/var/lib CREDS=$TMP/run/credentials
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
inst=127.0.0.1:$port
mkdir -p "$ETC/lrsweep/demo/workers" "$ETC/lrsweep/coordinators" "$STATE" "$CREDS"
check
(cd "$ETC/lrsweep/demo" && "$LRSWEEP" keygen coordinator && cd .. && "$LRSWEEP" keygen worker) \
    >"$TMP/keygen.out" 2>&1 || fail "keygen: $(cat "$TMP/keygen.out")"
cp "$ETC/lrsweep/worker.pub" "$ETC/lrsweep/demo/workers/"
cp "$ETC/lrsweep/demo/coordinator.pub" "$ETC/lrsweep/coordinators/$inst.pub"
echo "LRSWEEP_BIND=tcp://127.0.0.1:$port" >"$ETC/lrsweep/demo/env"
printf 'LRSWEEP_JOBS=2\nLRSWEEP_WORKER_ARGS="--allow-commands --idle-timeout 120"\n' >"$ETC/lrsweep/worker.env"
cat >"$ETC/lrsweep/demo/sweep.yaml" <<'EOF'
name: systemd-demo
seed: 11
trials: 10
sampler: random
command: sh train.sh {lr}
metric: {name: val_loss, goal: minimize}
timeout: 60
workdir: project
search:
  lr: {log_uniform: [1.0e-3, 1.0]}
EOF
# The project sits in the worker's state folder (its default --workdir-base).
WSTATE=$STATE/lrsweep-worker/$inst
mkdir -p "$WSTATE/project"
cat >"$WSTATE/project/train.sh" <<'EOF'
# writes where the unit lets it, tries where it does not, reports a loss
id -u >"ran-$LRSWEEP_TRIAL.uid"
mkdir -p "$HOME/.cache" && echo ok >"$HOME/.cache/trial-$LRSWEEP_TRIAL"
if echo x >/usr/lrsweep-probe-$LRSWEEP_TRIAL 2>/dev/null; then echo yes; else echo no; fi >"ran-$LRSWEEP_TRIAL.usr"
ls /root >/dev/null 2>&1 && ls -A /root | head -1 >"ran-$LRSWEEP_TRIAL.root"
for e in 1 2 3; do
    awk -v lr="$1" -v e="$e" 'BEGIN { l = log(lr) / log(10) + 1.5; printf "epoch=%d val_loss=%.6f\n", e, l * l + 1 / e }'
done
EOF

# service_start NAME UNIT INSTANCE UID: the unit's ExecStart, expanded, run as
# UID in its own mount namespace, as the header says; pid in $SPID.
service_start() {
    local name=$1 unit=$2 inst=$3 uid=$4 prefix=${2%@.service}
    $PY "$UNITPY" exec "$U/$unit" "$inst" --etc "$ETC" --state "$STATE" --creds "$CREDS" "$TMP/$name" ||
        { fail "expanding $unit"; return 1; }
    local cd=$CREDS/$prefix@$inst.service sd
    sd=$($PY "$UNITPY" get "$U/$unit" StateDirectory | sed "s#%i#$inst#g")
    mkdir -p "$cd" "$STATE/$sd"
    while IFS=$'\t' read -r cname src; do
        install -m 0400 -o "$uid" -g "$uid" "$src" "$cd/$cname" || fail "credential $src"
    done <"$TMP/$name.creds"
    chown -R "$uid:$uid" "$cd" "$STATE/$sd"
    chmod 0700 "$cd"
    (cd / && exec unshare --mount --propagation private -- bash -c '
        set -e
        w=$1 uid=$2 argvf=$3 envf=$4 cwd=$5
        mount --bind "$w" "$w"
        for mp in $(awk "{ print \$5 }" /proc/self/mountinfo | sort -u); do
            case $mp in /proc|/proc/*|/sys|/sys/*|/dev|/dev/*|"$w") continue ;; esac
            mount -o remount,bind,ro "$mp"
        done
        for h in /home /root; do [ -d "$h" ] && mount -t tmpfs -o ro,mode=0755 tmpfs "$h"; done
        mapfile -d "" -t argv <"$argvf"
        mapfile -d "" -t envv <"$envf"
        cd "$cwd"
        exec setpriv --reuid="$uid" --regid="$uid" --clear-groups --no-new-privs --inh-caps=-all -- \
            env -i PATH=/usr/local/bin:/usr/bin:/bin "${envv[@]}" "${argv[@]}"
    ' sandbox "$STATE/$sd" "$uid" "$TMP/$name.argv" "$TMP/$name.env" "$STATE/$sd") \
        >"$TMP/$name.out" 2>"$TMP/$name.err" &
    SPID=$!
    PIDS+=("$SPID")
}

echo "check: the units run a sweep of a user's command"
service_start coordinator "$C" demo 61184
cpid=$SPID
service_start worker "$W" "$inst" 61185
wpid=$SPID
echo "  coordinator: $(tr '\0' ' ' <"$TMP/coordinator.argv")"
echo "  worker: $(tr '\0' ' ' <"$TMP/worker.argv")"
check
wait_exit "$cpid" 90
st=$?
[ $st -eq 0 ] || fail "the coordinator exited $st, want 0 (complete); $(tail -5 "$TMP/coordinator.err")"
DB=$STATE/lrsweep/demo/results.db
check
got=$(q "$DB" "SELECT count(*), count(DISTINCT trial), sum(status = 'complete' AND score IS NOT NULL) FROM trials" 2>&1)
[ "$got" = "10|10|10" ] || fail "trials (rows, distinct, ok): $got; $(tail -5 "$TMP/worker.err")"
check
[ "$(stat -c %u "$DB" 2>/dev/null)" = 61184 ] || fail "the database is not the coordinator's user's"
check
uids=$(cat "$WSTATE"/project/ran-*.uid 2>/dev/null | sort -u | tr '\n' ' ')
[ "$uids" = "61185 " ] || fail "the command ran as '$uids', want the worker's user 61185"
check
[ "$(ls "$WSTATE"/.cache/trial-* 2>/dev/null | wc -l)" = 10 ] || fail "the command could not write in HOME"
check
[ "$(cat "$WSTATE"/project/ran-*.usr 2>/dev/null | sort -u)" = no ] || fail "the command could write in /usr"
ls /usr/lrsweep-probe-* >/dev/null 2>&1 && { rm -f /usr/lrsweep-probe-*; fail "a probe file reached /usr"; }
check
[ -z "$(cat "$WSTATE"/project/ran-*.root 2>/dev/null)" ] || fail "the command saw root's home"
check
sleep 1
alive "$wpid" || fail "the --serve worker did not stay for the next sweep: $(tail -3 "$TMP/worker.err")"
check
kill -INT "$wpid"
wait_exit "$wpid" 30
st=$?
[ $st -eq 130 ] || fail "the worker exited $st on SIGINT (the unit's KillSignal), want 130"
summary
