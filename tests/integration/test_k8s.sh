#!/usr/bin/env bash
# test_k8s.sh — deploy/k8s renders, loads into Kubernetes' API types, agrees
# with itself, and its commands run a sweep.  In a copy of deploy/k8s and
# examples/k8s-overlay (the keys are made there, as docs/deploy.md says):
#   1. `kubectl kustomize` renders the base and the overlay; k8s_check.py
#      loads every document into the Kubernetes client's typed models, fails
#      on any field lost in the round trip, and checks that the parts agree
#      (selectors, ports and --connect, names and paths, keys, NetworkPolicy,
#      image and pull policy, the Indexed Job, security settings);
#   2. each of those checks fails on a copy broken on purpose;
#   3. the rendered coordinator and worker command lines run here, with the
#      files laid out as the kubelet gives them to the pods (as root: owned by
#      root and the fsGroup, the commands run as the pods' user): the workers
#      finish the sweep and exit 0, the coordinator lingers, and a late
#      worker is told the sweep is complete and exits 0.
# kubectl comes from $KUBECTL or PATH (deploy/install-deps.sh --with-engines).
. "$(dirname "$0")/lib.sh"
REPO=$(cd "$HERE/../.." && pwd)
CHECK=$HERE/k8s_check.py
KUBECTL=${KUBECTL:-kubectl}

if ! command -v "$KUBECTL" >/dev/null 2>&1 || ! $PY -c 'import kubernetes, yaml' 2>/dev/null; then
    echo "skip: needs kubectl and python3-kubernetes (deploy/install-deps.sh --with-engines)"
    exit 77
fi
echo "kubectl: $("$KUBECTL" version --client 2>/dev/null | head -1)"
# The image tag the manifests name: the release, as the image is tagged (test_container).
RELEASE=$("$LRSWEEP" --version | awk '{ print $2 }')

# A copy of the two folders, laid out as in the repository, without any keys
# a developer made in deploy/k8s/keys.
W=$TMP/repo
mkdir -p "$W/deploy" "$W/examples"
cp -r "$REPO/deploy/k8s" "$W/deploy/k8s"
cp -r "$REPO/examples/k8s-overlay" "$W/examples/k8s-overlay"
rm -f "$W"/deploy/k8s/keys/*.key "$W"/deploy/k8s/keys/*.pub

echo "check: no key material in deploy/k8s or the overlay"
check
if leaks=$(cd "$REPO" && git ls-files deploy/k8s examples/k8s-overlay 2>/dev/null | grep -E '\.(key|pub)$'); [ -n "$leaks" ]; then
    fail "key files are committed: $leaks"
fi
if grep -rlE '^(secret|public) [[:graph:]]{40}$' "$W/deploy/k8s" "$W/examples/k8s-overlay"; then
    fail "a file above holds a key"
fi

echo "check: the keys are made as the docs say"
check
(cd "$W/deploy/k8s/keys" && "$LRSWEEP" keygen coordinator && "$LRSWEEP" keygen worker) \
    >"$TMP/keygen.out" 2>&1 || fail "keygen: $(cat "$TMP/keygen.out")"

# render DIR OUT: kubectl kustomize, its warnings (deprecated fields newer
# kustomizes still accept) kept apart.
render() { "$KUBECTL" kustomize "$1" >"$2" 2>"$2.err"; }

# expect_ok RENDERED IMAGE N: one check per k8s_check.py check.
expect_ok() {
    $PY "$CHECK" check "$1" --image "$2" --parallelism "$3" >"$TMP/check.out" 2>&1
    local st=$?
    cat "$TMP/check.out"
    while read -r line; do
        case $line in ok:*) check ;; FAIL:*) check; fail "${line#FAIL: }" ;; esac
    done <"$TMP/check.out"
    [ $st -eq 0 ] || { check; fail "k8s_check.py exited $st"; }
}

echo "check: kubectl kustomize deploy/k8s renders"
check
render "$W/deploy/k8s" "$TMP/base.yaml" || fail "kustomize deploy/k8s: $(cat "$TMP/base.yaml.err")"
expect_ok "$TMP/base.yaml" "lrsweep:$RELEASE" 4

echo "check: kubectl kustomize examples/k8s-overlay renders"
check
render "$W/examples/k8s-overlay" "$TMP/overlay.yaml" ||
    fail "kustomize examples/k8s-overlay: $(cat "$TMP/overlay.yaml.err")"
expect_ok "$TMP/overlay.yaml" "registry.example.com/ml/lrsweep:$RELEASE" 8

echo "check: the specs in the ConfigMaps are valid sweeps (base: k8s-synthetic, overlay: k8s-synthetic-large)"
for which in base:k8s-synthetic overlay:k8s-synthetic-large; do
    check
    mkdir -p "$TMP/stage-${which%%:*}"
    $PY "$CHECK" stage "$TMP/${which%%:*}.yaml" "$TMP/stage-${which%%:*}" --port 1 ||
        { fail "stage ${which%%:*}"; continue; }
    spec=$TMP/stage-${which%%:*}/configmap-sweep.yaml
    run validate "$spec"
    [ "$rc" -eq 0 ] || fail "${which%%:*}: lrsweep validate: $(cat "$TMP/err")"
    grep -q "^name: ${which#*:}\$" "$spec" || fail "${which%%:*}: the ConfigMap's spec is not ${which#*:}"
done

# ---- 2. every check catches a break ------------------------------------
# mutate FILE NTH OLD NEW: replaces the NTH occurrence of OLD in FILE (of
# the broken copy $M); fails the test if there is no such occurrence.
M=$TMP/broken
mutate() {
    $PY - "$M/$1" "$2" "$3" "$4" <<'EOF'
import sys
path, nth, old, new = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
text = open(path).read()
at = -1
for _ in range(nth):
    at = text.find(old, at + 1)
    if at < 0:
        sys.exit("no occurrence %d of %r in %s" % (nth, old, path))
open(path, "w").write(text[:at] + new + text[at + len(old):])
EOF
}

# broken WANT FILE NTH OLD NEW: in a fresh copy, breaks FILE, renders and
# wants k8s_check.py to fail with a FAIL line starting with WANT.
broken() {
    local want=$1
    shift
    check
    rm -rf "$M"
    cp -r "$W/deploy/k8s" "$M"
    if ! mutate "$@"; then
        fail "could not break $1"
        return
    fi
    if ! render "$M" "$TMP/broken.yaml"; then
        fail "broken copy ($1: $3 -> $4) does not render: $(cat "$TMP/broken.yaml.err")"
        return
    fi
    $PY "$CHECK" check "$TMP/broken.yaml" --image "lrsweep:$RELEASE" --parallelism 4 \
        >"$TMP/broken.out" 2>&1
    local st=$?
    if [ $st -ne 1 ] || ! grep -qF "FAIL: $want" "$TMP/broken.out"; then
        fail "$1: '$3' -> '$4' was not caught by '$want' (exit $st): $(grep FAIL "$TMP/broken.out")"
    else
        echo "  caught: $1: '$3' -> '$4': $(grep -m1 -F "FAIL: $want" "$TMP/broken.out")"
    fi
}

echo "check: each check fails on a copy broken on purpose"
broken "round trip" workers.yaml 1 "imagePullPolicy: IfNotPresent" "imagePulPolicy: IfNotPresent"
broken "round trip" coordinator.yaml 1 "  volumeClaimTemplates:" "  volumeClaimTemplate:"
broken "coordinator: one replica" coordinator.yaml 2 "component: coordinator" "component: worker"
broken "coordinator: one replica" coordinator.yaml 1 "replicas: 1" "replicas: 2"
broken "coordinator: --bind" coordinator.yaml 1 "containerPort: 5555" "containerPort: 5556"
broken "service:" service.yaml 1 "targetPort: zmq" "targetPort: 5556"
broken "service:" service.yaml 1 "port: 5555" "port: 5556"
broken "service:" workers.yaml 1 "tcp://lrsweep-coordinator:5555" "tcp://lrsweep-coordinator:5556"
broken "service:" workers.yaml 1 "tcp://lrsweep-coordinator:" "tcp://coordinator:"
broken "service:" service.yaml 2 "component: coordinator" "component: worker"
broken "names:" workers.yaml 1 "secretName: lrsweep-keys" "secretName: lrsweep-key"
broken "names:" coordinator.yaml 1 "name: lrsweep-spec" "name: lrsweep-specs"
broken "names:" coordinator.yaml 1 "mountPath: /etc/lrsweep/keys" "mountPath: /etc/lrsweep/key"
broken "names:" coordinator.yaml 1 "path: workers/worker.pub" "path: workers/worker.pem"
broken "names:" coordinator.yaml 1 "/data/lrsweep.db" "/tmp/lrsweep.db"
broken "names:" coordinator.yaml 1 "- name: tmp" "- name: scratch"
broken "keys:" workers.yaml 1 "key: worker.key" "key: coordinator.key"
broken "keys:" workers.yaml 1 "defaultMode: 0440" "defaultMode: 0444"
broken "keys:" workers.yaml 1 "key: coordinator.pub" "key: worker.pub"
broken "network policy:" networkpolicy.yaml 2 "component: coordinator" "component: worker"
broken "network policy:" networkpolicy.yaml 1 "component: worker" "component: workers"
broken "network policy:" networkpolicy.yaml 1 "port: 5555" "port: 5556"
broken "image" coordinator.yaml 1 "imagePullPolicy: IfNotPresent" "imagePullPolicy: Always"
broken "image" kustomization.yaml 1 "newTag: \"$RELEASE\"" 'newTag: "latest"'
broken "workers:" workers.yaml 1 "completionMode: Indexed" "completionMode: NonIndexed"
broken "workers:" parallelism.yaml 2 "value: 4" "value: 3"
broken "workers:" workers.yaml 1 '"900"' '"0"'
broken "workers:" workers.yaml 1 "job-completion-index" "job-index"
broken "workers:" coordinator.yaml 1 "- forever" '- "600"'
broken "security:" coordinator.yaml 1 "runAsNonRoot: true" "runAsNonRoot: false"
broken "security:" workers.yaml 1 "allowPrivilegeEscalation: false" "allowPrivilegeEscalation: true"

# ---- 3. the rendered commands run a sweep --------------------------------
on_cleanup() { [ -n "${COORD_PID:-}" ] && kill -9 "$COORD_PID" 2>/dev/null; }
if [ "$(id -u)" -ne 0 ]; then
    echo "skip (part 3 only): laying files out as the kubelet does (owned by root and the fsGroup) needs root"
    summary
    exit
fi
echo "check: the rendered commands run the sweep, as the pods' user with the pods' files"
P=$TMP/pods
chmod 0755 "$TMP"
mkdir -p "$P"
port=$($PY -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
check
$PY "$CHECK" stage "$TMP/base.yaml" "$P" --port "$port" || fail "stage"
mapfile -t cargv <"$P/coordinator.argv"
mapfile -t wargv <"$P/worker.argv"
read -r uid gid fsgroup <"$P/coordinator.ids"
cargv[0]=$LRSWEEP
wargv[0]=$LRSWEEP
echo "  coordinator: ${cargv[*]}"
(cd "$P" && exec env -i PATH=/usr/bin:/bin \
    setpriv --reuid="$uid" --regid="$gid" --groups="$fsgroup" --inh-caps=-all -- \
    "${cargv[@]}") >"$P/coordinator.out" 2>"$P/coordinator.err" &
COORD_PID=$!
PIDS+=("$COORD_PID")

# start_worker INDEX: one worker pod's command, $(WORKER_INDEX) filled in as
# Kubernetes does from the pod's completion index.
start_worker() {
    local argv=("${wargv[@]//\$(WORKER_INDEX)/$1}")
    (cd "$(cat "$P/worker.cwd")" && exec env -i PATH=/usr/bin:/bin OPENBLAS_NUM_THREADS=1 \
        WORKER_INDEX="$1" \
        setpriv --reuid="$uid" --regid="$gid" --groups="$fsgroup" --inh-caps=-all -- \
        "${argv[@]}") >"$P/worker-$1.out" 2>"$P/worker-$1.err" &
    PIDS+=("$!")
    WPID=$!
}
echo "  worker: ${wargv[*]}"
wpids=()
for i in 0 1 2 3; do start_worker "$i"; wpids+=("$WPID"); done
for i in 0 1 2 3; do
    check
    wait_exit "${wpids[$i]}" 120
    st=$?
    [ $st -eq 0 ] || fail "worker $i exited $st: $(head -2 "$P/worker-$i.err")"
done
check
db=$(printf '%s\n' "${cargv[@]}" | grep -A1 -x -- --db | tail -1)
"$LRSWEEP" export --db "$db" --format jsonl >"$TMP/export.jsonl" 2>"$TMP/export.err" ||
    fail "export: $(cat "$TMP/export.err")"
$PY - "$TMP/export.jsonl" <<'EOF' || fail "the sweep is not complete, or its workers are not lrsweep-worker-0..3"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
done = [r for r in rows if r["status"] in ("complete", "diverged")]
names = sorted({r["worker"] for r in done})
print("  %d trials, %d done, workers %s" % (len(rows), len(done), names))
assert len(rows) == 400 and len(done) == 400
assert set(names) <= {"lrsweep-worker-%d" % i for i in range(4)} and len(names) >= 2
EOF
check
if alive "$COORD_PID"; then
    echo "  coordinator lingers after the sweep (--linger forever)"
else
    wait "$COORD_PID"
    fail "the coordinator exited ($?) after the sweep: $(head -2 "$P/coordinator.err")"
fi
check
start_worker 4
wait_exit "$WPID" 30
st=$?
if [ $st -eq 0 ]; then
    echo "  a late worker (index 4) exited 0"
else
    fail "a late worker exited $st, want 0: $(head -2 "$P/worker-4.err")"
fi
check
kill -TERM "$COORD_PID" 2>/dev/null
wait_exit "$COORD_PID" 45
st=$?
case $st in
    0|130) echo "  coordinator exited $st on SIGTERM" ;;
    *) fail "coordinator exited $st on SIGTERM: $(head -2 "$P/coordinator.err")" ;;
esac
COORD_PID=

summary
