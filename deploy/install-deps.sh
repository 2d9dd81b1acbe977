#!/usr/bin/env bash
# install-deps.sh — installs what lrsweep needs to build and test, from
# Debian's / Ubuntu's packages.  Idempotent: installs only what is missing and
# prints nothing when everything is present.
#
#   deploy/install-deps.sh                    build + test dependencies
#   deploy/install-deps.sh --with-reference   also python3-torch, python3-sklearn,
#                                             python3-optuna (goldens, benchmarks,
#                                             the PyTorch example) and
#                                             python3-pandas, python3-tqdm,
#                                             python3-nbconvert, python3-ipykernel
#                                             (python/lrsweep, its notebook test), and
#                                             chromium, chromium-driver,
#                                             python3-selenium (the
#                                             report's browser tests)
#   deploy/install-deps.sh --with-engines     also what the tests of deploy/ need:
#                                             slurm-wlm and munge (test_slurm),
#                                             podman, runc, patchelf (test_container),
#                                             kubectl, python3-kubernetes (test_k8s),
#                                             systemd-analyze (test_systemd),
#                                             iproute2, nftables (test_netns)
set -euo pipefail

usage() {
    sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
}

with_reference=0
with_engines=0
for arg in "$@"; do
    case "$arg" in
        --with-reference) with_reference=1 ;;
        --with-engines) with_engines=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "install-deps.sh: unknown option '$arg' (see --help)" >&2; exit 2 ;;
    esac
done

# clang and its libFuzzer runtime build tests/fuzz (make test runs it); the
# runtime is only a Recommends of clang, which --no-install-recommends skips.
packages=(gcc make cmake pkg-config git
          libzmq3-dev libmsgpack-dev libsqlite3-dev libfyaml-dev libjansson-dev
          libcmocka-dev libopenblas-dev sqlite3 python3
          clang libclang-rt-14-dev
          libjs-chart.js    # embedded into `lrsweep report`'s pages at build time
          libmicrohttpd-dev openssl)   # `lrsweep serve`; its TLS test's certificate
if [ "$with_reference" = 1 ]; then
    packages+=(python3-torch python3-sklearn python3-optuna python3-numpy python3-pandas)
    # python/lrsweep: run()'s progress bar, and tests/python/notebook.ipynb
    # executed headlessly (37 packages, 24 MB, without recommends)
    packages+=(python3-tqdm python3-nbconvert python3-ipykernel)
    # headless Chromium driven by selenium: tests/integration/test_report*.sh
    packages+=(chromium chromium-driver python3-selenium)
fi
if [ "$with_engines" = 1 ]; then
    # a one-node Slurm cluster for tests/integration/test_slurm.sh
    packages+=(slurm-wlm munge)
    # the container image: podman with runc (crun refuses hybrid cgroup
    # hierarchies) and catatonit; patchelf for deploy/container/context.sh
    packages+=(podman runc catatonit patchelf)
    # test_k8s.sh: kubectl and the Kubernetes API types.  kubernetes-client
    # only where no other package already gives a kubectl (both would own
    # /usr/bin/kubectl).  test_systemd.sh: systemd-analyze.
    command -v kubectl >/dev/null 2>&1 || packages+=(kubernetes-client)
    packages+=(python3-kubernetes python3-yaml systemd)
    # test_netns.sh: hosts in network namespaces (ip netns, veth, bridge)
    # and link cuts with nft
    packages+=(iproute2 nftables)
fi

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [ "$status" = "install ok installed" ] || missing+=("$p")
done
[ "${#missing[@]}" -eq 0 ] && exit 0

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps.sh: apt-get not found; install these packages by hand: ${missing[*]}" >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        sudo=(sudo)
    else
        echo "install-deps.sh: missing packages: ${missing[*]}" >&2
        echo "install-deps.sh: run this script as root (or install sudo) to install them" >&2
        exit 1
    fi
fi
echo "install-deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install-deps.sh: done"
