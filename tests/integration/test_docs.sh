#!/usr/bin/env bash
# test_docs.sh — the documentation as a new user tries it: docs_check.py runs
# every fenced sh/bash/console block of README.md, docs/*.md and
# examples/*/README.md on this machine (loopback only), compares the output a
# console block shows, and validates every yaml spec and fragment; blocks
# that need other machines, a cluster or root are marked skip in the page.
# Then the checker itself is run on small drifted pages, each of which must
# fail for its reason, and on a page that is right, which must pass.
#
# The pages run with a sanitized build's plain twin (LRS_PLAIN_LRSWEEP) when
# there is one: they check what commands print and return, which the
# sanitizers do not change, and their four 500-trial sweeps take minutes
# under ASan (the page cases below use the binary given).
#
# usage: bash test_docs.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)
TOOL=$HERE/docs_check.py
BIN=${LRS_PLAIN_LRSWEEP:-$LRSWEEP}

# --- the tree's documentation -------------------------------------------------
check
$PY "$TOOL" --lrsweep "$BIN" --root "$ROOT" >"$TMP/docs.out" 2>&1
docs_rc=$?
cat "$TMP/docs.out"
case $docs_rc in
    0|77) ;;
    *) fail "the documentation drifted from lrsweep (docs_check exited $docs_rc; the FAIL lines above)" ;;
esac

# --- the checker on pages written for it --------------------------------------
# page NAME : a tree of one README.md (stdin) and examples/synthetic.yaml.
page() {
    mkdir -p "$TMP/$1/examples"
    ln -s "$ROOT/examples/synthetic.yaml" "$TMP/$1/examples/synthetic.yaml"
    cat >"$TMP/$1/README.md"
}
# expect_page NAME WANT PATTERN : docs_check on page NAME exits WANT and says PATTERN.
expect_page() {
    check
    $PY "$TOOL" --lrsweep "$LRSWEEP" --root "$TMP/$1" --timeout 5 >"$TMP/$1.out" 2>&1
    local got=$?
    if [ "$got" -ne "$2" ]; then
        fail "page $1: docs_check exited $got, want $2: $(cat "$TMP/$1.out")"
    elif ! grep -qF -- "$3" "$TMP/$1.out"; then
        fail "page $1: the report lacks '$3': $(cat "$TMP/$1.out")"
    fi
}

page right <<'MD'
```console
$ lrsweep validate examples/synthetic.yaml
ok: 256 trials, … parameters
$ lrsweep sample examples/synthetic.yaml -n 3
{"trial": 0, …}
…
```
<!-- docs-test: expect-exit 2 -->
<!-- docs-test: output-has "cannot open spec" -->
```sh
lrsweep validate examples/missing.yaml
```
```yaml
  optimizer: {adam: {}, sgd: {momentum: 0.9}}
```
<!-- docs-test: skip (an illustration: another machine) -->
```sh
lrsweep worker --connect tcp://ELSEWHERE:5555
```
MD
expect_page right 0 "docs_check: 3 blocks run, 1 skipped"

page output <<'MD'
```console
$ lrsweep validate examples/synthetic.yaml
ok: 255 trials, 7 parameters
```
MD
expect_page output 1 "first shown line not matched: 'ok: 255 trials, 7 parameters'"

page lines <<'MD'
```console
$ lrsweep sample examples/synthetic.yaml -n 2
{"trial": 0, …}
```
MD
expect_page lines 1 "printed what the block does not show"

page status <<'MD'
```sh
lrsweep validate examples/missing.yaml
```
MD
expect_page status 1 "exited 2, want 0"

page expect <<'MD'
<!-- docs-test: expect-exit 2 -->
```sh
lrsweep validate examples/synthetic.yaml
```
MD
expect_page expect 1 "exited 0, want 2"

page has <<'MD'
<!-- docs-test: output-has "ok: 500 trials" -->
```sh
lrsweep validate examples/synthetic.yaml
```
MD
expect_page has 1 "output lacks 'ok: 500 trials'"

page unknown-yaml <<'MD'
```yaml
apiVersion: v1
kind: Pod
```
MD
expect_page unknown-yaml 1 "cannot tell what this yaml is (top-level keys: apiVersion, kind)"

page bad-spec <<'MD'
```yaml
budget: {trials: -3}
```
MD
expect_page bad-spec 1 "lrsweep validate (as a fragment) exited 2"

page bad-search <<'MD'
```yaml
  lr: {log_uniform: [0, 1]}
```
MD
expect_page bad-search 1 "lrsweep validate (as a fragment) exited 2"

page no-reason <<'MD'
<!-- docs-test: skip -->
```sh
true
```
MD
expect_page no-reason 1 "'skip' needs a reason in parentheses"

page marker <<'MD'
<!-- docs-test: run-twice -->
```sh
true
```
MD
expect_page marker 1 "marker not understood: <!-- docs-test: run-twice -->"

page gone <<'MD'
<!-- docs-test: skip (a long benchmark) -->
```sh
bash examples/bench_nothing.sh build/lrsweep
```
MD
expect_page gone 1 "names files the tree does not have: examples/bench_nothing.sh"

page build-dir <<'MD'
<!-- docs-test: skip (a long benchmark) -->
```sh
bash examples/synthetic.yaml build-rel/lrsweep
```
MD
expect_page build-dir 1 "names files the tree does not have: build-rel/lrsweep"

page unclosed <<'MD'
```sh
true
MD
expect_page unclosed 1 "README.md:1: the fence is never closed"

page untagged <<'MD'
```
lrsweep validate examples/synthetic.yaml
```
MD
expect_page untagged 1 "README.md:1: an untagged block that starts like a command"

page hang <<'MD'
```sh
sleep 600
```
MD
expect_page hang 1 "did not finish in 5 s"

summary || exit 1
# 77: everything else passed, but blocks that need torch could not run (ctest: skipped)
[ "$docs_rc" -ne 77 ] || exit 77
