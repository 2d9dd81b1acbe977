#!/usr/bin/env bash
# test_container.sh — the container image, built and used as docs/deploy.md
# says, with no network at any step:
#  a. deploy/container/context.sh lays out the binary (the unsanitized one of
#     a sanitized build) with its library closure, and `podman build
#     --network=none` makes localhost/lrsweep:VERSION FROM scratch; its size is
#     printed and bounded, its config is user 10001 with lrsweep as the
#     entrypoint, and its files are exactly the binary, /usr/lib/lrsweep,
#     the examples, /etc's three files, /tmp (1777) and /work (uid 10001);
#  b. in the image: `lrsweep --version`, and examples/synthetic.yaml run by
#     `lrsweep run --workers 2` into a mounted folder: every one of its 256
#     trials recorded, by 2 workers, in a database the non-root user wrote;
#  c. two containers, a coordinator and a worker joined to its network,
#     over tcp://localhost (the name resolved inside the image): the sweep
#     completes and both exit 0;
#  d. deploy/container/Containerfile.training-example built on a stand-in
#     for a user's training image (a shell and its own glibc at the usual
#     paths): lrsweep there loads every library from /usr/lib/lrsweep and
#     none of the base's, validates the copied examples/pytorch sweep, and
#     runs a sweep of a command that is the base's own /bin/sh.
# podman runs when it can here; when its runtime cannot start a container,
# b and d run in the image's root file system under chroot instead (c needs
# podman).  The podman store is private to the test (vfs, in $TMP).
#
# usage: bash test_container.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
started=$(date +%s)
if [ "$(id -u)" -ne 0 ]; then
    echo "SKIP: builds and runs images as root (rootful podman, chown, chroot); run as root"
    exit 77
fi
for tool in podman patchelf strip; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        fail "$tool not found: run deploy/install-deps.sh --with-engines"
        summary
        exit
    fi
done

# A private podman: its own store (vfs works on any file system, also inside
# a VM or a container) and settings this kind of host needs: runc (crun
# refuses hybrid cgroup hierarchies), limits no higher than the host's hard
# limits, events to a file (no journald).
mkdir -p "$TMP/podman"
cat >"$TMP/podman/storage.conf" <<EOF
[storage]
driver = "vfs"
graphroot = "$TMP/podman/root"
runroot = "$TMP/podman/run"
EOF
cat >"$TMP/podman/containers.conf" <<EOF
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
EOF
export CONTAINERS_STORAGE_CONF=$TMP/podman/storage.conf CONTAINERS_CONF=$TMP/podman/containers.conf
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
on_cleanup() {
    podman rm -af -t 0 >/dev/null 2>&1
    findmnt -rn -o TARGET | grep "^$TMP/" | sort -r | while read -r m; do umount -l "$m"; done
}

# --- a. the image ---------------------------------------------------------------
BIN=${LRS_PLAIN_LRSWEEP:-$LRSWEEP}   # a sanitized build's plain twin, else the binary
VERSION=$("$BIN" --version | awk '{ print $2 }')   # the image's tag: the release
echo "a: image from $BIN (lrsweep $VERSION)"
# the guide and the training example name the image by this release
check
grep -qF -- "-t localhost/lrsweep:$VERSION -f deploy/container/Containerfile build/container" "$ROOT/docs/deploy.md" ||
    fail "docs/deploy.md does not build localhost/lrsweep:$VERSION"
check
grep -qx "ARG LRSWEEP=localhost/lrsweep:$VERSION" "$ROOT/deploy/container/Containerfile.training-example" ||
    fail "Containerfile.training-example's default LRSWEEP is not localhost/lrsweep:$VERSION"
check
bash "$ROOT/deploy/container/context.sh" "$BIN" "$TMP/ctx" >"$TMP/ctx.log" 2>&1 ||
    fail "context.sh failed: $(cat "$TMP/ctx.log")"
cat "$TMP/ctx.log"
check
t0=$(date +%s.%N)
podman build --network=none -t localhost/lrsweep:$VERSION \
    -f "$ROOT/deploy/container/Containerfile" "$TMP/ctx" >"$TMP/build.log" 2>&1 ||
    fail "podman build failed: $(tail -5 "$TMP/build.log")"
t1=$(date +%s.%N)
size=$(podman image inspect localhost/lrsweep:$VERSION --format '{{.Size}}' 2>/dev/null || echo 0)
printf 'a: built localhost/lrsweep:%s in %s s; image size %d bytes (%s MB)\n' "$VERSION" \
    "$(elapsed "$t0" "$t1")" "$size" "$(awk -v s="$size" 'BEGIN { printf "%.1f", s / 1e6 }')"
check
[ "$size" -gt 1000000 ] && [ "$size" -lt 70000000 ] || fail "image size $size bytes, want 1-70 MB"
check
config=$(podman image inspect localhost/lrsweep:$VERSION \
         --format '{{.Config.User}} {{.Config.Entrypoint}} {{.Config.WorkingDir}}')
[ "$config" = "10001:10001 [/usr/bin/lrsweep] /work" ] || fail "image config: '$config'"

# its files: exactly these
check
ctr=$(podman create localhost/lrsweep:$VERSION)
podman export "$ctr" | tar --numeric-owner -tvf - >"$TMP/files" 2>&1 || fail "podman export failed"
podman rm "$ctr" >/dev/null
awk '{ print $6 }' "$TMP/files" | sed 's#/$##' | grep -v '^usr/lib/lrsweep/.' | sort >"$TMP/names"
cat >"$TMP/want" <<'EOF'
etc
etc/group
etc/nsswitch.conf
etc/passwd
tmp
usr
usr/bin
usr/bin/lrsweep
usr/lib
usr/lib/lrsweep
usr/share
usr/share/lrsweep
usr/share/lrsweep/examples
usr/share/lrsweep/examples/synthetic.yaml
usr/share/lrsweep/examples/wine-lr.yaml
usr/share/lrsweep/examples/wine.csv
work
EOF
# (a runtime may add empty mount points such as dev, proc, sys, run, etc/hosts)
grep -vxE 'dev|proc|sys|run|etc/hosts|etc/hostname|etc/resolv.conf|run/.*|dev/.*' "$TMP/names" >"$TMP/got"
diff "$TMP/want" "$TMP/got" >"$TMP/diff" || fail "image files differ from the expected: $(cat "$TMP/diff")"
check
grep -qE '^drwxrwxrwt .* tmp/$' "$TMP/files" || fail "/tmp is not 1777: $(grep ' tmp/$' "$TMP/files")"
check
grep -qE '^d[rwx-]{9} 10001/10001 .* work/$' "$TMP/files" || fail "/work is not uid 10001's: $(grep ' work/$' "$TMP/files")"
check
nlibs=$(grep -c ' usr/lib/lrsweep/.' "$TMP/files")
[ "$nlibs" -eq "$(ldd "$BIN" | grep -c '/')" ] || fail "$nlibs files in /usr/lib/lrsweep, ldd lists $(ldd "$BIN" | grep -c '/')"
echo "a: $nlibs libraries in /usr/lib/lrsweep"

# How to run in an image: podman run when the runtime works here, else chroot
# into a container's mounted root as the image's user.
mode=podman
if ! podman run --rm --network=none localhost/lrsweep:$VERSION --version >"$TMP/probe" 2>&1; then
    echo "podman run cannot start containers here ($(tail -1 "$TMP/probe")): chroot instead"
    mode=chroot
fi
[ "${LRS_CONTAINER_MODE:-}" = chroot ] && mode=chroot
echo "running in images with: $mode"

# in_image IMAGE HOSTDIR MOUNTPOINT ARGS... : lrsweep ARGS in IMAGE with
# HOSTDIR mounted at MOUNTPOINT and the variables in IMAGE_ENV (NAME=VALUE
# words) set; stdout/stderr in $TMP/out, $TMP/err; status in $rc.
IMAGE_ENV=()
CHROOT=$(command -v chroot)
in_image() {
    local image=$1 hostdir=$2 mountpoint=$3 e
    shift 3
    if [ "$mode" = podman ]; then
        local envflags=()
        for e in "${IMAGE_ENV[@]}"; do envflags+=(-e "$e"); done
        podman run --rm --network=none "${envflags[@]}" -v "$hostdir:$mountpoint" "$image" "$@" \
            >"$TMP/out" 2>"$TMP/err"
        rc=$?
        return
    fi
    local c m user
    c=$(podman create "$image") && m=$(podman mount "$c") || { rc=125; return; }
    user=$(podman image inspect "$image" --format '{{.Config.User}}')
    mkdir -p "$m/proc" "$m/dev" "$m$mountpoint"
    mount -t proc proc "$m/proc" && mount --bind /dev "$m/dev" && mount --bind "$hostdir" "$m$mountpoint"
    local as=()    # (no --userspec for root: chroot would load NSS modules of its own)
    case $user in ''|0|0:0|root) ;; *) as=(--userspec="$user") ;; esac
    env -i PATH=/usr/bin:/bin HOME=/work "${IMAGE_ENV[@]}" \
        "$CHROOT" "${as[@]}" "$m" /usr/bin/lrsweep "$@" >"$TMP/out" 2>"$TMP/err"
    rc=$?
    umount "$m$mountpoint" "$m/dev" "$m/proc"
    podman umount "$c" >/dev/null
    podman rm "$c" >/dev/null
}

# --- b. a sweep in the image ------------------------------------------------------
mkdir -p "$TMP/results" && chown 10001:10001 "$TMP/results"
check
in_image localhost/lrsweep:$VERSION "$TMP/results" /work --version
echo "b: in the image: $(cat "$TMP/out")"
[ $rc -eq 0 ] && grep -qF "lrsweep $VERSION (protocol" "$TMP/out" || fail "b: --version: rc $rc, $(cat "$TMP/out" "$TMP/err")"
check
t0=$(date +%s.%N)
in_image localhost/lrsweep:$VERSION "$TMP/results" /work \
    run /usr/share/lrsweep/examples/synthetic.yaml --workers 2 --db /work/synthetic.db
t1=$(date +%s.%N)
printf 'b: lrsweep run synthetic.yaml --workers 2 in the image: exit %d, %s s\n' "$rc" "$(elapsed "$t0" "$t1")"
[ $rc -eq 0 ] || fail "b: run exited $rc: $(tail -5 "$TMP/err")"
DB=$TMP/results/synthetic.db
check
got=$(q "$DB" "SELECT COUNT(*), COUNT(DISTINCT trial), MIN(trial), MAX(trial), SUM(status IN ('complete','diverged')) FROM trials" 2>&1)
[ "$got" = "256|256|0|255|256" ] || fail "b: trials (count|distinct|min|max|complete+diverged): $got"
check
got=$(q "$DB" "SELECT COUNT(DISTINCT worker) FROM trials" 2>&1)
[ "$got" = 2 ] || fail "b: trials ran on $got workers, want 2"
check
owner=$(stat -c %u "$DB" 2>/dev/null)
[ "$owner" = 10001 ] || fail "b: the database belongs to uid '$owner', not the image's user 10001"
echo "b: $(q "$DB" "SELECT status || ' ' || COUNT(*) FROM trials GROUP BY status" | tr '\n' ' ')"

# --- c. coordinator and worker containers over tcp://localhost ---------------------
if [ "$mode" = podman ]; then
    check
    podman run -d --name lrs-coordinator --network=none -v "$TMP/results:/work" localhost/lrsweep:$VERSION \
        coordinator /usr/share/lrsweep/examples/synthetic.yaml --bind tcp://127.0.0.1:5555 \
        --db /work/tcp.db >/dev/null 2>"$TMP/err" || fail "c: coordinator did not start: $(cat "$TMP/err")"
    timeout 120 podman run --rm --network=container:lrs-coordinator localhost/lrsweep:$VERSION \
        worker --connect tcp://localhost:5555 --jobs 2 >"$TMP/wout" 2>"$TMP/werr"
    wrc=$?
    crc=$(timeout 60 podman wait lrs-coordinator)
    echo "c: worker exit $wrc, coordinator exit $crc"
    [ "$wrc" = 0 ] && [ "$crc" = 0 ] || fail "c: worker exit $wrc ($(tail -3 "$TMP/werr")), coordinator exit $crc"
    check
    got=$(q "$TMP/results/tcp.db" "SELECT COUNT(*) FROM trials" 2>&1)
    [ "$got" = 256 ] || fail "c: $got of 256 trials recorded over tcp"
    podman rm -f lrs-coordinator >/dev/null 2>&1
else
    echo "c: not run (needs podman run)"
fi

# --- d. lrsweep in a user's training image ------------------------------------------
# The stand-in base: /bin/sh (dash) with its own glibc at the usual paths.
mkdir -p "$TMP/base/rootfs/bin" "$TMP/base/rootfs/tmp"
chmod 1777 "$TMP/base/rootfs/tmp"
cp -L /bin/sh "$TMP/base/rootfs/bin/sh"
for lib in $(ldd /bin/sh | grep -o '/[^ ]*'); do
    mkdir -p "$TMP/base/rootfs$(dirname "$lib")"
    cp -L "$lib" "$TMP/base/rootfs$lib"
done
printf 'FROM scratch\nCOPY rootfs/ /\nENV PATH=/usr/bin:/bin\n' >"$TMP/base/Containerfile"
check
podman build --network=none -t localhost/lrsweep-test-base:1 "$TMP/base" >"$TMP/build.log" 2>&1 ||
    fail "d: stand-in base did not build: $(tail -3 "$TMP/build.log")"
check
podman build --network=none -t localhost/lrsweep-training:$VERSION \
    --build-arg BASE=localhost/lrsweep-test-base:1 \
    -f "$ROOT/deploy/container/Containerfile.training-example" "$ROOT/examples/pytorch" >"$TMP/build.log" 2>&1 ||
    fail "d: Containerfile.training-example did not build: $(tail -5 "$TMP/build.log")"
tsize=$(podman image inspect localhost/lrsweep-training:$VERSION --format '{{.Size}}' 2>/dev/null || echo 0)
echo "d: built localhost/lrsweep-training:$VERSION on the stand-in base ($tsize bytes)"

# every library from /usr/lib/lrsweep, none from the base's /lib
check
mkdir -p "$TMP/train" && chmod 777 "$TMP/train"
IMAGE_ENV=(LD_DEBUG=libs)

in_image localhost/lrsweep-training:$VERSION "$TMP/train" /data --version
IMAGE_ENV=()
# (under chroot the loader reports chroot's own libraries first: only the
# lines after it hands over count)
awk '/transferring control: .*chroot$/ { n = 0 } /calling init:/ { lib[n++] = $NF }
     END { for (i = 0; i < n; i++) print lib[i] }' "$TMP/err" | sort -u >"$TMP/inits"
n=$(wc -l <"$TMP/inits")
outside=$(grep -v '^/usr/lib/lrsweep/' "$TMP/inits")
echo "d: lrsweep --version there loaded $n libraries; outside /usr/lib/lrsweep: ${outside:-none}"
[ $rc -eq 0 ] && [ "$n" -ge 10 ] && [ -z "$outside" ] ||
    fail "d: rc $rc, $n libraries initialised, outside /usr/lib/lrsweep: $outside"

check
in_image localhost/lrsweep-training:$VERSION "$TMP/train" /data validate /opt/train/sweep.yaml
[ $rc -eq 0 ] && grep -q '^ok: 40 trials' "$TMP/out" ||
    fail "d: validate /opt/train/sweep.yaml: rc $rc, $(cat "$TMP/out" "$TMP/err")"

# a sweep of a command only the base has: its /bin/sh
cat >"$TMP/train/shell.yaml" <<'EOF'
name: base-shell
seed: 5
trials: 8
sampler: random
command: echo epoch=1 lr={lr} val_loss={lr}
shell: true
metric: {name: val_loss, goal: minimize}
search:
  lr: {log_uniform: [1.0e-3, 1.0]}
  optimizer:
    sgd: {}
  scheduler:
    constant: {}
EOF
check
in_image localhost/lrsweep-training:$VERSION "$TMP/train" /data run /data/shell.yaml --workers 2 --db /data/shell.db
[ $rc -eq 0 ] || fail "d: the command sweep exited $rc: $(tail -5 "$TMP/err")"
check
got=$(q "$TMP/train/shell.db" "SELECT COUNT(*), SUM(status = 'complete'), SUM(abs(score - lr) < 1e-12 * lr) FROM trials" 2>&1)
echo "d: command sweep (trials|complete|score = lr): $got"
[ "$got" = "8|8|8" ] || fail "d: command sweep: $got, want 8|8|8"

printf 'test_container: wall time %d s\n' "$(($(date +%s) - started))"
summary
