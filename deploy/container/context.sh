#!/usr/bin/env bash
# context.sh — lays out the build context of deploy/container/Containerfile
# from an lrsweep binary built on this machine, so that `podman build` needs
# no network and no base image: the image is FROM scratch.
#
#   deploy/container/context.sh BIN DIR      e.g. build/lrsweep build/container
#
# DIR/rootfs/ becomes the image's root:
#   /usr/bin/lrsweep        BIN, stripped, with its loader set to the copy
#                           below and an RPATH of /usr/lib/lrsweep
#   /usr/lib/lrsweep/       every shared library BIN loads here (its ldd
#                           closure: libzmq, SQLite, OpenBLAS, glibc, …) and
#                           the dynamic loader, exactly these files
#   /usr/share/lrsweep/examples/   example sweeps (synthetic.yaml needs no data)
#   /etc/passwd, /etc/group, /etc/nsswitch.conf   root and lrsweep (10001)
#   /tmp (1777)             where `lrsweep run` makes its private folder
# and DIR/work/ the empty working folder, owned by 10001 in the image.
#
# The libraries live in their own folder, and the binary finds them there
# through its loader and RPATH (which apply to the whole closure), not through
# the system's paths: /usr/bin/lrsweep and /usr/lib/lrsweep/ can be copied
# into any other glibc image (docs/deploy.md) and neither use nor replace that
# image's own libraries.  Needs ldd, strip (binutils) and patchelf.
set -euo pipefail

if [ $# -ne 2 ]; then
    echo "usage: context.sh BIN DIR" >&2
    exit 2
fi
bin=$1 dir=$2
here=$(cd "$(dirname "$0")" && pwd)
examples=$here/../../examples
libdir=/usr/lib/lrsweep
uid=10001

[ -x "$bin" ] || { echo "context.sh: $bin is not an executable" >&2; exit 2; }
for tool in ldd strip patchelf; do
    command -v "$tool" >/dev/null 2>&1 ||
        { echo "context.sh: $tool not found (deploy/install-deps.sh --with-engines)" >&2; exit 1; }
done

# ldd's lines: "libzmq.so.5 => /lib/x86_64-linux-gnu/libzmq.so.5 (0x…)", the
# loader as "/lib64/ld-linux-x86-64.so.2 (0x…)", the kernel's vdso with no path.
ldd_out=$(ldd "$bin")
if printf '%s\n' "$ldd_out" | grep -q 'not found'; then
    echo "context.sh: $bin has libraries that are not found here:" >&2
    printf '%s\n' "$ldd_out" | grep 'not found' >&2
    exit 1
fi
libs=$(printf '%s\n' "$ldd_out" | awk '$2 == "=>" && $3 ~ /^\// { print $3 }')
loader=$(printf '%s\n' "$ldd_out" | awk '$1 ~ /^\// && $2 ~ /^\(0x/ { print $1 }')
[ -n "$loader" ] || { echo "context.sh: no dynamic loader in ldd's output for $bin" >&2; exit 1; }

root=$dir/rootfs
rm -rf "$root" "$dir/work"
mkdir -p "$root/usr/bin" "$root$libdir" "$root/usr/share/lrsweep/examples" "$root/etc" \
         "$root/tmp" "$dir/work"
chmod 1777 "$root/tmp"
chmod 0755 "$dir/work"

for lib in $libs "$loader"; do
    cp -L "$lib" "$root$libdir/$(basename "$lib")"
done
chmod 0755 "$root$libdir"/*

strip --strip-unneeded -o "$root/usr/bin/lrsweep" "$bin"
patchelf --set-interpreter "$libdir/$(basename "$loader")" \
         --force-rpath --set-rpath "$libdir" "$root/usr/bin/lrsweep"
chmod 0755 "$root/usr/bin/lrsweep"

cp "$examples/synthetic.yaml" "$examples/wine-lr.yaml" "$examples/wine.csv" \
   "$root/usr/share/lrsweep/examples/"

cat >"$root/etc/passwd" <<EOF
root:x:0:0:root:/root:/nonexistent
lrsweep:x:$uid:$uid:lrsweep:/work:/nonexistent
EOF
cat >"$root/etc/group" <<EOF
root:x:0:
lrsweep:x:$uid:
EOF
cat >"$root/etc/nsswitch.conf" <<'EOF'
passwd: files
group: files
hosts: files dns
EOF

size=$(du -sk "$root" | awk '{ print $1 }')
echo "context.sh: $dir: lrsweep and $(ls "$root$libdir" | wc -l) libraries, ${size} KiB"
