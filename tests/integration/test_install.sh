#!/usr/bin/env bash
# test_install.sh — `make install` as a packager runs it: the install rules of
# the build that made the binary, staged with DESTDIR under PREFIX=/opt/x,
# give exactly bin/lrsweep, share/man/man1/lrsweep.1, share/doc/lrsweep
# (README, docs, schema, examples), lib/python3.N/dist-packages/lrsweep (the
# Python package) and lib/systemd/system's two units (which
# name PREFIX/bin/lrsweep; test_systemd.sh checks them further); the installed binary runs and reads an
# installed example; the man page renders (man -l, when man is installed, else
# its roff is checked) and has a section for every command with that
# command's usage line; and the Makefile's install target hands PREFIX and
# DESTDIR to cmake --install.
#
# usage: bash test_install.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

ROOT=$(cd "$HERE/../.." && pwd)
BUILD_DIR=$(dirname "$LRSWEEP")
STAGE=$TMP/stage
P=$STAGE/opt/x

# The build's install rules, staged (what `make install DESTDIR=… PREFIX=/opt/x`
# runs after its build).
check
if [ ! -f "$BUILD_DIR/cmake_install.cmake" ]; then
    fail "$BUILD_DIR has no cmake_install.cmake: $LRSWEEP is not a CMake build's binary"
    summary
    exit
fi
echo "installing from $BUILD_DIR with DESTDIR=$STAGE --prefix /opt/x"
if ! DESTDIR=$STAGE cmake --install "$BUILD_DIR" --prefix /opt/x >"$TMP/install.log" 2>&1; then
    fail "cmake --install failed: $(tail -5 "$TMP/install.log")"
fi

# Nothing outside DESTDIR/PREFIX, and exactly the four places.
check
outside=$(find "$STAGE" -mindepth 1 -not -path "$STAGE/opt" -not -path "$P" -not -path "$P/*")
[ -z "$outside" ] || fail "installed outside PREFIX: $outside"
check
top=$(cd "$P" && find . -mindepth 2 -maxdepth 3 -not -type d | sort | tr '\n' ' ')
tops=$(cd "$P" && find . -mindepth 1 -maxdepth 2 -type d | sort | sed 's|^\./lib/python3\.[0-9]*$|./lib/python3.N|' |
       tr '\n' ' ')
[ "$tops" = "./bin ./lib ./lib/python3.N ./lib/systemd ./share ./share/doc ./share/man " ] ||
    fail "folders under PREFIX: $tops"
[ "$top" = "./bin/lrsweep " ] || fail "files directly under bin/ or share/*: $top"
check   # the Python package (python/lrsweep) where the system's python3 looks
ls "$P"/lib/python3.*/dist-packages/lrsweep/__init__.py >/dev/null 2>&1 ||
    fail "no lib/python3.N/dist-packages/lrsweep/__init__.py under PREFIX"

check
units=$(cd "$P/lib/systemd" && find . -mindepth 1 | sort | tr '\n' ' ')
[ "$units" = "./system ./system/lrsweep-coordinator@.service ./system/lrsweep-worker@.service " ] ||
    fail "under lib/systemd: $units"
check
[ "$(grep -h '^ExecStart=' "$P"/lib/systemd/system/*.service | awk '{ print $1 }' | sort -u)" = "ExecStart=/opt/x/bin/lrsweep" ] ||
    fail "the units do not run /opt/x/bin/lrsweep: $(grep -h '^ExecStart=' "$P"/lib/systemd/system/*.service)"

# The binary: executable, the build's program, and it runs.
check
if [ ! -x "$P/bin/lrsweep" ]; then
    fail "bin/lrsweep missing or not executable"
else
    # (not byte-equal: CMake drops the build tree's RUNPATH when it installs)
    [ "$("$P/bin/lrsweep" --help)" = "$("$LRSWEEP" --help)" ] || fail "bin/lrsweep is not $LRSWEEP"
    version=$("$P/bin/lrsweep" --version)
    echo "installed: $version"
    [ "$version" = "$("$LRSWEEP" --version)" ] || fail "installed --version printed '$version'"
fi

# Docs and examples: the source tree's files, byte for byte.
DOC=$P/share/doc/lrsweep
for f in README.md docs/deploy.md docs/spec.md docs/security.md docs/distributed.md \
         schema/protocol.md examples/synthetic.yaml examples/wine-lr.yaml examples/wine.csv \
         examples/pytorch/train.py examples/pytorch/sweep.yaml; do
    check
    cmp -s "$ROOT/$f" "$DOC/$f" || fail "share/doc/lrsweep/$f missing or not the source's"
done
check
diff -r "$ROOT/examples" "$DOC/examples" >"$TMP/diff" || fail "examples differ: $(head -5 "$TMP/diff")"
check
[ -x "$DOC/examples/demo.sh" ] || [ ! -x "$ROOT/examples/demo.sh" ] || fail "examples/demo.sh lost its x bit"
check
out=$("$P/bin/lrsweep" validate "$DOC/examples/wine-lr.yaml" 2>&1 | head -1)
[ "$out" = "ok: 500 trials, 13 parameters" ] || fail "validate of the installed wine-lr.yaml: $out"

# The man page.
MAN=$P/share/man/man1/lrsweep.1
commands=$("$LRSWEEP" --help | awk '/^commands:/ { f = 1; next } f && /^$/ { exit } f { print $1 }')
check
[ "$(echo "$commands" | wc -l)" -ge 10 ] || fail "too few commands in --help: $commands"
check
if [ ! -s "$MAN" ]; then
    fail "share/man/man1/lrsweep.1 missing"
elif command -v man >/dev/null 2>&1; then
    echo "man page: rendering with man -l"
    MANWIDTH=100 man --warnings -l "$MAN" >"$TMP/man.txt" 2>"$TMP/man.err"
    [ $? -eq 0 ] || fail "man -l failed: $(head -5 "$TMP/man.err")"
    check
    [ ! -s "$TMP/man.err" ] || fail "man -l warned: $(head -5 "$TMP/man.err")"
    check
    head -1 "$TMP/man.txt" | grep -q '^LRSWEEP(1) ' || fail "rendered page starts '$(head -1 "$TMP/man.txt")'"
    for section in NAME SYNOPSIS DESCRIPTION COMMANDS 'EXIT STATUS'; do
        check
        grep -qx "$section" "$TMP/man.txt" || fail "rendered page has no $section section"
    done
    for c in $commands; do
        check
        grep -qx "   $c" "$TMP/man.txt" || fail "rendered page has no heading for '$c'"
        check
        usage=$("$LRSWEEP" "$c" --help | head -1)
        grep -qF -- "$usage" "$TMP/man.txt" || fail "rendered page lacks '$usage'"
    done
    # options must come out as ASCII hyphens, so they can be copied
    check
    grep -qF -- '--workers N        local worker processes' "$TMP/man.txt" ||
        fail "rendered page lacks run's '--workers N' line as written by --help"
    check
    release=$("$LRSWEEP" --version | awk '{ print $2 }')
    grep -q "^lrsweep $release  " "$TMP/man.txt" || fail "rendered page's footer does not name lrsweep $release"
    check
    grep -q '3 idle timeout' "$TMP/man.txt" || fail "EXIT STATUS lacks the lines after the first"
else
    echo "man page: man is not installed; checking its roff"
    check
    release=$("$LRSWEEP" --version | awk '{ print $2 }')
    head -1 "$MAN" | grep -qE "^\.TH LRSWEEP 1 \"[0-9]{4}-[0-9]{2}-[0-9]{2}\" \"lrsweep ${release//./\\.}\"" ||
        fail "first line is '$(head -1 "$MAN")'"
    for section in NAME SYNOPSIS DESCRIPTION COMMANDS 'EXIT STATUS'; do
        check
        grep -q "^\.SH $section\$" "$MAN" || fail "no .SH $section"
    done
    for c in $commands; do
        check
        grep -qx ".SS \"$c\"" "$MAN" || fail "no .SS for '$c'"
        check
        usage=$("$LRSWEEP" "$c" --help | head -1 | sed 's/-/\\-/g')
        grep -qF -- "$usage" "$MAN" || fail "roff lacks '$usage'"
    done
    check
    [ "$(grep -c '^\.nf$' "$MAN")" -eq "$(grep -c '^\.fi$' "$MAN")" ] || fail ".nf and .fi do not pair"
    check
    ! grep -n "^[.'][^A-Za-z]" "$MAN" | grep -v '^[0-9]*:\.\\"' >"$TMP/bad" ||
        fail "lines that read as bad requests: $(head -3 "$TMP/bad")"
fi

# The Makefile's target: PREFIX and DESTDIR reach cmake --install (a dry run:
# the real one would make a second, release build of the whole tree).
check
line=$(make -s -n -C "$ROOT" install PREFIX=/opt/x DESTDIR="$STAGE" | grep 'cmake --install')
[ "$line" = "DESTDIR=\"$STAGE\" cmake --install build --prefix \"/opt/x\"" ] ||
    fail "make install PREFIX=/opt/x DESTDIR=… runs '$line'"
check
line=$(make -s -n -C "$ROOT" install | grep 'cmake --install')
[ "$line" = 'DESTDIR="" cmake --install build --prefix "/usr/local"' ] ||
    fail "make install (defaults) runs '$line'"
check
make -s -n -C "$ROOT" install | grep -q 'cmake --build build' || fail "make install does not build first"

summary
