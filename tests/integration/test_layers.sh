#!/usr/bin/env bash
# test_layers.sh — the layers of docs/architecture.md, read off the includes.
#
# Every `#include "..."` of the production sources (common/, coordinator/,
# worker/, cli/) is an edge.  The rules: common/ includes only common/;
# coordinator/ and worker/ include common/ (and themselves), never each
# other nor cli/; a cli/ file other than main.c sees one side only; and no
# two modules (x.h + x.c) depend on each other through any chain.  Each
# violation is printed as `file -> header: reason`, each cycle as
# `cycle: a -> b -> a`.  The checker first runs on a small tree made here
# with one planted violation and one planted cycle, so it cannot pass by
# reading nothing.
. "$(dirname "$0")/lib.sh"
ROOT=$(cd "$HERE/../.." && pwd)

# check_tree DIR : prints violations and cycles of DIR, then "edges N".
check_tree() {
    "$PY" - "$1" <<'PY'
import os, re, sys
root = sys.argv[1]
sides = ("common", "coordinator", "worker", "cli")
inc = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)
deps, edges, bad = {}, 0, []
for side in sides:
    top = os.path.join(root, side)
    for dirpath, _, names in os.walk(top):
        for name in sorted(names):
            if not name.endswith((".c", ".h")):
                continue
            path = os.path.relpath(os.path.join(dirpath, name), root)
            module = path[:-2]
            seen = set()
            for target in inc.findall(open(os.path.join(root, path), errors="replace").read()):
                if "/" not in target:
                    target = os.path.join(os.path.dirname(path), target)
                target = os.path.normpath(target)
                edges += 1
                tside = target.split("/")[0]
                if tside not in sides:
                    continue
                seen.add(tside)
                reason = None
                if side == "common" and tside != "common":
                    reason = "common/ may include only common/"
                elif side in ("coordinator", "worker") and tside not in (side, "common"):
                    reason = "%s/ may include only %s/ and common/" % (side, side)
                if reason:
                    bad.append("%s -> %s: %s" % (path, target, reason))
                if target.endswith(".h") and target[:-2] != module:
                    deps.setdefault(module, set()).add(target[:-2])
            if side == "cli" and name != "main.c" and {"coordinator", "worker"} <= seen:
                bad.append("%s -> coordinator/ and worker/: a command file sees one side only" % path)
# cycles: depth-first search, reporting each back edge's loop once
state, stack, cycles = {}, [], set()
def visit(m):
    state[m] = 1
    stack.append(m)
    for d in sorted(deps.get(m, ())):
        if state.get(d) == 1:
            loop = stack[stack.index(d):]
            k = loop.index(min(loop))
            cycles.add(" -> ".join(loop[k:] + loop[:k] + [min(loop)]))
        elif d not in state:
            visit(d)
    stack.pop()
    state[m] = 2
sys.setrecursionlimit(10000)
for m in sorted(deps):
    if m not in state:
        visit(m)
for b in bad:
    print(b)
for c in sorted(cycles):
    print("cycle: " + c)
print("edges %d" % edges)
PY
}

# The checker finds a planted violation and a planted cycle.
mkdir -p "$TMP/t/common" "$TMP/t/worker" "$TMP/t/coordinator" "$TMP/t/cli"
printf '#include "worker/engine.h"\n' >"$TMP/t/common/base.h"
printf '#include "common/base.h"\n#include "worker/b.h"\n' >"$TMP/t/worker/a.c"
printf '#include "a.h"\n' >"$TMP/t/worker/b.h"
printf '\n' >"$TMP/t/worker/a.h" && : >"$TMP/t/worker/engine.h"
check
check_tree "$TMP/t" >"$TMP/planted"
grep -qx 'common/base.h -> worker/engine.h: common/ may include only common/' "$TMP/planted" ||
    fail "the planted layer violation was not reported: $(cat "$TMP/planted")"
check
grep -qx 'cycle: worker/a -> worker/b -> worker/a' "$TMP/planted" ||
    fail "the planted cycle was not reported: $(cat "$TMP/planted")"

# The real tree: many edges read, no violation, no cycle.
check
check_tree "$ROOT" >"$TMP/real"
n=$(sed -n 's/^edges //p' "$TMP/real")
if [ "${n:-0}" -lt 50 ]; then
    fail "read only ${n:-0} include edges from $ROOT"
fi
if grep -v '^edges ' "$TMP/real" | grep -q .; then
    fail "layer rules broken:
$(grep -v '^edges ' "$TMP/real")"
fi
echo "$TEST_NAME: $n include edges read"
summary
