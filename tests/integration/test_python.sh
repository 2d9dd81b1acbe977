#!/usr/bin/env bash
# test_python.sh — the Python package (python/lrsweep) against real sweeps:
# runs tests/python/test_*.py with /usr/bin/python3's unittest, the package
# from the source tree (PYTHONPATH=python) and the lrsweep under test
# (LRSWEEP_BIN); then that `cmake --install` (make install) puts the package
# where /usr/bin/python3 imports it.  Exits 77 (skipped) when /usr/bin/python3 has no pandas
# (deploy/install-deps.sh --with-reference installs python3-pandas).
#
# usage: bash test_python.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
if ! "$PY" -c 'import pandas' 2>/dev/null; then
    echo "test_python: $PY has no pandas (deploy/install-deps.sh --with-reference): skipped"
    exit 77
fi
check
LRSWEEP_BIN=$LRSWEEP PYTHONPATH=$ROOT/python LRS_ROOT=$ROOT TMPDIR=$TMP \
    "$PY" -m unittest discover -s "$ROOT/tests/python" -p 'test_*.py' -v 2>&1 ||
    fail "the Python tests failed (output above)"
# make install puts the package where the system's python3 imports it
BUILD_DIR=$(dirname "$LRSWEEP")
check
if DESTDIR=$TMP/stage cmake --install "$BUILD_DIR" --prefix /usr/local >"$TMP/install.log" 2>&1; then
    dir=$(grep '^LRS_PYTHON_DIR:' "$BUILD_DIR/CMakeCache.txt" | cut -d= -f2)
    got=$(cd "$TMP" && PYTHONPATH=$TMP/stage/usr/local/$dir "$PY" -c \
          'import lrsweep; print(lrsweep.__file__, callable(lrsweep.open))')
    [ "$got" = "$TMP/stage/usr/local/$dir/lrsweep/__init__.py True" ] ||
        fail "installed package: '$got'"
    case $dir in lib/python3.*/dist-packages) ;; *) fail "LRS_PYTHON_DIR is '$dir'" ;; esac
    "$PY" -c 'import sys; sys.exit(0 if "/usr/local/'"$dir"'" in sys.path else 1)' ||
        fail "$PY does not search /usr/local/$dir"
else
    fail "cmake --install failed: $(tail -3 "$TMP/install.log")"
fi
summary
