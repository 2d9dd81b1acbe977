#!/usr/bin/env bash
# run.sh — builds the libFuzzer harnesses of tests/fuzz with clang and runs
# each for a fixed time from its seed corpus; what `make test` runs (through
# ctest) and how to fuzz longer by hand.
#
#   tests/fuzz/run.sh [SECONDS] [HARNESS...]   build, then run each harness
#                                              (proto csv spec by default)
#                                              SECONDS (default 20) each
#   tests/fuzz/run.sh --build                  build only
#   tests/fuzz/run.sh --no-build SECONDS [HARNESS...]   run only
#
# The build goes to $LRS_FUZZ_BUILD_DIR (default build-fuzz/ at the top of
# the repository; ctest uses build-test/fuzz), compiled by $LRS_FUZZ_CC
# (default clang, else clang-14).  Each run works on a copy of
# tests/fuzz/corpus/HARNESS in a temporary folder (the committed corpus is
# never written), with -timeout=2 (one input may take at most 2 s),
# -rss_limit_mb=2048 and -max_total_time=SECONDS.  Any crash, sanitizer
# report, leak, timeout or out-of-memory fails the run: the input is kept
# (its path printed, and its bytes in base64, so a CI log is enough to
# reproduce it) and the status is 1.  No clang or no libFuzzer runtime is a
# failure too, naming deploy/install-deps.sh: a fuzz test never passes
# without having fuzzed.
set -uo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
BUILD=${LRS_FUZZ_BUILD_DIR:-$ROOT/build-fuzz}
ALL_HARNESSES=(proto csv spec)

usage() {
    sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'
}

build=1
run=1
case ${1:-} in
    --build) run=0; shift ;;
    --no-build) build=0; shift ;;
    -h|--help) usage; exit 0 ;;
esac
seconds=${1:-20}
[ $# -gt 0 ] && shift
case $seconds in
    ''|*[!0-9]*) echo "run.sh: SECONDS must be a whole number, not '$seconds' (see --help)" >&2; exit 2 ;;
esac
harnesses=("$@")
[ ${#harnesses[@]} -eq 0 ] && harnesses=("${ALL_HARNESSES[@]}")
for h in "${harnesses[@]}"; do
    case " ${ALL_HARNESSES[*]} " in
        *" $h "*) ;;
        *) echo "run.sh: unknown harness '$h' (known: ${ALL_HARNESSES[*]})" >&2; exit 2 ;;
    esac
done

TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# find_clang: sets CC_FUZZ to a clang that links a libFuzzer program, or fails.
find_clang() {
    local c candidates=()
    if [ -n "${LRS_FUZZ_CC:-}" ]; then
        candidates=("$LRS_FUZZ_CC")
    else
        candidates=(clang clang-14)
    fi
    for c in "${candidates[@]}"; do
        command -v "$c" >/dev/null 2>&1 || continue
        printf 'int LLVMFuzzerTestOneInput(const unsigned char *d, unsigned long n)\n{ return 0; }\n' \
            >"$TMP/probe.c"
        if "$c" -fsanitize=fuzzer,address,undefined "$TMP/probe.c" -o "$TMP/probe" \
            >"$TMP/probe.log" 2>&1; then
            CC_FUZZ=$(command -v "$c")
            return 0
        fi
        echo "run.sh: $c cannot link a libFuzzer program:" >&2
        sed 's/^/    /' "$TMP/probe.log" | head -5 >&2
    done
    echo "run.sh: FAIL: the fuzz tests need clang with its libFuzzer runtime (Debian packages" \
         "clang and libclang-rt-14-dev); install them with: bash deploy/install-deps.sh" >&2
    return 1
}

if [ "$build" = 1 ]; then
    find_clang || exit 1
    echo "run.sh: building the harnesses with $CC_FUZZ into $BUILD"
    if ! cmake -S "$HERE" -B "$BUILD" -DCMAKE_C_COMPILER="$CC_FUZZ" >"$TMP/cmake.log" 2>&1 ||
        ! cmake --build "$BUILD" -j "$(nproc 2>/dev/null || echo 2)" >>"$TMP/cmake.log" 2>&1; then
        cat "$TMP/cmake.log" >&2
        echo "run.sh: FAIL: the fuzz build failed" >&2
        exit 1
    fi
fi
[ "$run" = 1 ] || exit 0

export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
export UBSAN_OPTIONS=${UBSAN_OPTIONS:+$UBSAN_OPTIONS:}print_stacktrace=1:halt_on_error=1

# show_input FILE: its path, size and bytes (base64) for the log.
show_input() {
    echo "run.sh: input: $1 ($(wc -c <"$1") bytes); base64:"
    base64 -w 76 "$1" | head -200
    echo "run.sh: reproduce with: $BUILD/fuzz_$h $1"
}

status=0
for h in "${harnesses[@]}"; do
    bin=$BUILD/fuzz_$h
    if [ ! -x "$bin" ]; then
        echo "run.sh: FAIL: $bin is not built (run tests/fuzz/run.sh --build)" >&2
        status=1
        continue
    fi
    work=$TMP/$h
    mkdir -p "$work/corpus"
    cp "$HERE/corpus/$h/"* "$work/corpus/"
    # crashes are kept after the run, in a folder of their own
    artifacts=$(mktemp -d "${TMPDIR:-/tmp}/lrs-fuzz-$h.XXXXXX")
    start=$(date +%s)
    # The wall-clock guard only catches what libFuzzer's own -timeout cannot.
    timeout -k 10 $((seconds * 2 + 60)) "$bin" "$work/corpus" \
        -max_total_time="$seconds" -timeout=2 -rss_limit_mb=2048 \
        -artifact_prefix="$artifacts/" -print_final_stats=1 >"$work/log" 2>&1
    rc=$?
    took=$(($(date +%s) - start))
    found=$(find "$artifacts" -type f | sort)
    if [ "$rc" -eq 0 ] && [ -z "$found" ]; then
        runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
        cov=$(grep -o 'cov: [0-9]*' "$work/log" | tail -1)
        echo "run.sh: fuzz_$h: ok, ${runs:-?} inputs in ${took} s (${cov:-cov: ?})"
        rmdir "$artifacts" 2>/dev/null
        continue
    fi
    status=1
    what=$(grep -o -m1 -E 'ERROR: (libFuzzer|AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer): [a-z-]+' "$work/log" ||
           grep -o -m1 'runtime error: .*' "$work/log")
    [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ] && what="no end after $((seconds * 2 + 60)) s (killed)"
    echo "run.sh: FAIL: fuzz_$h: ${what:-exit status $rc} (status $rc, after ${took} s); the log's end:"
    tail -n 60 "$work/log" | sed 's/^/    /'
    if [ -z "$found" ]; then
        echo "run.sh: no input was saved"
        rmdir "$artifacts" 2>/dev/null
    fi
    for f in $found; do
        show_input "$f"
    done
done
exit "$status"
