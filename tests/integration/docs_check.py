#!/usr/bin/env python3
"""docs_check.py — runs what the documentation shows, so it cannot drift.

Every fenced ```sh, ```bash, ```console and ```yaml block of README.md,
docs/*.md and examples/*/README.md is either run and checked here or marked
as an illustration.  A marker is an HTML comment on the line(s) right above
the fence (several may be stacked):

    <!-- docs-test: skip (why) -->        an illustration: not run (other
                                          machines, Slurm, Kubernetes, podman,
                                          root, long benchmarks); the paths it
                                          names in the tree must still exist,
                                          and its binary is build/lrsweep
    <!-- docs-test: expect-exit N -->     the block (its first failing
                                          command) exits N instead of 0
    <!-- docs-test: output-has "TEXT" --> the block's output contains TEXT
    <!-- docs-test: setup COMMAND -->     COMMAND runs first (e.g. makes the
                                          database the block reads)
    <!-- docs-test: needs torch -->       runs only where the interpreter
                                          given with --python has torch
    <!-- docs-test: spec -->              a yaml block that is a whole spec
    <!-- docs-test: fragment -->          a yaml block that is part of one

How blocks are checked:
  - sh/bash: the block runs as one `bash -e` script; its status must be 0
    (or the expect-exit one).
  - console: each `$ COMMAND` runs (a line ending in a backslash continues
    it); the lines shown after it are its expected output (stdout and
    stderr as one stream, trailing blanks ignored), where `…` stands for any
    text within a line and a line of only `…` for any number of lines.
    A command with no lines shown is checked by its status only.
  - yaml: a whole spec (top-level `search:`) must pass `lrsweep validate`; a
    fragment (indented: a piece of `search:`; or top-level keys only) is
    put into examples/synthetic.yaml — replacing what it redefines — and the
    result must pass.  A block with a top-level key that is not a spec key
    cannot be classified and fails until it is marked.
  - an untagged block that opens like a command (`$ …`, `lrsweep …`) fails:
    it must say what it is (```sh, ```console, or a skip marker).

Each document runs in a temporary folder of its own holding a copy of
examples/, build/lrsweep (the binary under test) and, first on PATH,
lrsweep and python3 (--python); its blocks run in order there, so a later
block sees the files an earlier one made.  Loopback only: commands that
need other machines are marked skip.

usage: docs_check.py --lrsweep BIN --root REPO [--python PY] [--timeout S]
                     [--only FILE] [--list]
exit status: 0 every block passed or is marked, 1 a failure, 2 usage, 77 no
failure but blocks that need torch were not run (--python has none).
"""
import argparse
import glob
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

RUN_LANGS = ("sh", "bash", "console")
CHECK_LANGS = RUN_LANGS + ("yaml",)
MARKER = re.compile(r"^\s*<!--\s*docs-test:\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*([\w+-]*)\s*$")
# The top-level keys a sweep spec may have: asked of the binary under test
# (main: the keys its unknown-key error lists), so they never drift.
SPEC_KEYS = set()


def spec_keys(lrsweep):
    """The top-level keys lrsweep accepts, from its error for an unknown one."""
    with tempfile.TemporaryDirectory() as d:
        path = os.path.join(d, "keys.yaml")
        with open(path, "w") as f:
            f.write("name: k\ntrials: 1\nzz_no_such_key: 1\nmodel: {type: synthetic}\n"
                    "search: {lr: 0.1}\n")
        err = subprocess.run([lrsweep, "validate", path], capture_output=True, text=True).stderr
    m = re.search(r"unknown key 'zz_no_such_key': expected one of ([\w, ]+)", err)
    if not m:
        sys.exit("docs_check: cannot read the spec keys from lrsweep validate: " + err)
    return {k.strip() for k in m.group(1).split(",")}


# A fragment's key that makes a key of the base spec not apply: a spec with
# command: has no data/model/train, and metric: is objective:'s other form.
DISPLACES = {"command": ("data", "model", "train"), "metric": ("objective",)}
# Words of a command that name a file of the tree, checked also when skipped.
TREE_PATH = re.compile(r"^(?:\./)?((?:tests|deploy|examples|docs|schema)/[\w.@/-]*\w)$")

# Markers for documents whose text is being rewritten elsewhere: keyed by
# (document, first line of the block).  Move each into its document (as a
# marker above the block) and delete it here.
PENDING_MARKERS = {}


class Block:
    """One fenced block: where it is, its language, body and markers."""

    def __init__(self, doc, line, lang, body, markers):
        self.doc, self.line, self.lang = doc, line, lang
        self.body, self.markers = body, markers

    def where(self):
        return "%s:%d" % (self.doc, self.line)


def extract_blocks(root, doc):
    """Every fenced block of DOC (a path relative to ROOT), with its markers."""
    lines = open(os.path.join(root, doc), encoding="utf-8").read().split("\n")
    blocks, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = len(m.group(1)), m.group(2), m.group(3).lower()
        markers, j = [], i - 1
        while j >= 0 and MARKER.match(lines[j]):
            markers.insert(0, MARKER.match(lines[j]).group(1))
            j -= 1
        body, k = [], i + 1
        while k < len(lines) and lines[k].strip() != fence:
            body.append(lines[k][indent:] if lines[k][:indent].strip() == "" else lines[k])
            k += 1
        if k == len(lines):
            raise ValueError("%s:%d: the fence is never closed" % (doc, i + 1))
        first = next((b for b in body if b.strip()), "")
        markers += PENDING_MARKERS.get((doc, first.strip()), [])
        blocks.append(Block(doc, i + 1, lang, body, markers))
        i = k + 1
    return blocks


def parse_markers(block):
    """The block's markers as a dict; raises ValueError on one not understood."""
    out = {"setup": [], "output_has": []}
    for text in block.markers:
        word, _, rest = text.partition(" ")
        rest = rest.strip()
        if word == "skip" or word == "todo":
            reason = rest[1:-1].strip() if rest.startswith("(") and rest.endswith(")") else ""
            if not reason:
                raise ValueError("'%s' needs a reason in parentheses: %s (why)" % (word, word))
            out["skip"] = "%s: %s" % (word, reason)
        elif word == "expect-exit" and rest.isdigit():
            out["expect_exit"] = int(rest)
        elif word == "output-has" and len(rest) >= 2 and rest[0] == rest[-1] == '"':
            out["output_has"].append(rest[1:-1])
        elif word == "setup" and rest:
            out["setup"].append(rest)
        elif text == "needs torch":
            out["needs_torch"] = True
        elif text in ("spec", "fragment") and block.lang == "yaml":
            out["kind"] = text
        else:
            raise ValueError("marker not understood: <!-- docs-test: %s -->" % text)
    return out


def glob_regex(line):
    """An expected output line as a regex: `…` is any text, and a run of
    blanks any run of blanks (a table's alignment is not what it states)."""
    def literal(part):
        return "".join(r"\s+" if t.isspace() else re.escape(t)
                       for t in re.split(r"(\s+)", part) if t)
    return re.compile(r"^\s*" + ".*".join(literal(p) for p in line.strip().split("…")) + "$")


def output_matches(expected, actual):
    """Whether ACTUAL lines match EXPECTED ones (a line `…` is any lines).
    Returns None when they match, else the first expected line not found."""
    exp = [e.rstrip() for e in expected]
    act = [a.rstrip() for a in actual]
    while exp and not exp[-1]:
        exp.pop()
    while act and not act[-1]:
        act.pop()

    def match(e, a):        # plain recursion: blocks are short
        if e == len(exp):
            return a == len(act) or None
        if exp[e] == "…":
            for skip in range(a, len(act) + 1):
                if match(e + 1, skip):
                    return True
            return None
        if a < len(act) and glob_regex(exp[e]).match(act[a]):
            return match(e + 1, a + 1)
        return None

    if match(0, 0):
        return None
    # the first expected line that no actual line matches, for the message
    for e in exp:
        if e != "…" and not any(glob_regex(e).match(a) for a in act):
            return e
    return exp[-1] if exp else "(no output)"


def console_commands(body):
    """A console block as [(command, [expected output lines])]."""
    steps = []
    lines = iter(body)
    for line in lines:
        if line.startswith("$ "):
            cmd = line[2:]
            while cmd.endswith("\\"):
                cmd = cmd + "\n" + next(lines, "")
            steps.append((cmd, []))
        elif steps:
            steps[-1][1].append(line)
        elif line.strip():
            raise ValueError("a console block starts with '$ COMMAND', not: %s" % line)
    return steps


class Runner:
    """Runs a document's blocks in its temporary folder."""

    def __init__(self, args, work):
        self.args, self.work = args, work
        self.bin = os.path.join(work, ".bin")
        self.env = dict(os.environ)
        for k in list(self.env):
            if k.startswith("LRSWEEP_") or k.startswith("LRS_"):
                del self.env[k]
        self.env.update(PATH=self.bin + os.pathsep + os.environ.get("PATH", ""),
                        HOME=work, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1",
                        LC_ALL="C.UTF-8", COLUMNS="80")

    def prepare(self):
        root = self.args.root
        shutil.copytree(os.path.join(root, "examples"), os.path.join(self.work, "examples"))
        os.makedirs(os.path.join(self.work, "build"))
        os.makedirs(self.bin)
        os.symlink(self.args.lrsweep, os.path.join(self.work, "build", "lrsweep"))
        os.symlink(self.args.lrsweep, os.path.join(self.bin, "lrsweep"))
        os.symlink(self.args.python, os.path.join(self.bin, "python3"))

    def shell(self, script, timeout):
        """Runs SCRIPT under bash -e in a process group of its own; returns
        (status, output).  On timeout the whole group is killed, so nothing
        it started outlives it, and TimeoutExpired is raised."""
        p = subprocess.Popen(["bash", "-e", "-o", "pipefail", "-c", script], cwd=self.work,
                             env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out, _ = p.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.communicate()
            raise
        finally:
            try:
                os.killpg(p.pid, signal.SIGKILL)     # what the block left running
            except ProcessLookupError:
                pass
        return p.returncode, out.decode("utf-8", "replace")

    def run_sh(self, block, m):
        want = m.get("expect_exit", 0)
        rc, out = self.shell("\n".join(block.body), self.args.timeout)
        if rc != want:
            return "exited %d, want %d; output:\n%s" % (rc, want, tail(out))
        return check_output_has(m, out)

    def run_console(self, block, m):
        want = m.get("expect_exit", 0)
        outputs = []
        for cmd, expected in console_commands(block.body):
            rc, out = self.shell(cmd, self.args.timeout)
            outputs.append(out)
            if rc != want:
                return "$ %s\nexited %d, want %d; output:\n%s" % (cmd, rc, want, tail(out))
            if any(e.strip() for e in expected):
                missing = output_matches(expected, out.split("\n"))
                if missing is not None:
                    return ("$ %s\nprinted what the block does not show; first shown line "
                            "not matched: %r\noutput:\n%s" % (cmd, missing, tail(out, 40)))
        return check_output_has(m, "".join(outputs))

    def run_yaml(self, block, m):
        text = "\n".join(block.body) + "\n"
        kind = m.get("kind") or classify_yaml(block.body)
        if kind is None:
            return ("cannot tell what this yaml is (top-level keys: %s): mark it "
                    "<!-- docs-test: skip (why) --> if it is not a sweep spec"
                    % ", ".join(top_keys(block.body)))
        if kind == "fragment":
            base = open(os.path.join(self.args.root, "examples", "synthetic.yaml"),
                        encoding="utf-8").read()
            text = splice(base, block.body)
        path = os.path.join(self.work, "examples", "docs-block-%d.yaml" % block.line)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        p = subprocess.run([self.args.lrsweep, "validate", path], cwd=self.work, env=self.env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=self.args.timeout)
        out = p.stdout.decode("utf-8", "replace")
        if p.returncode != 0 or not out.startswith("ok: "):
            return "lrsweep validate (as a %s) exited %d:\n%s\nthe spec checked:\n%s" % (
                kind, p.returncode, tail(out + p.stderr.decode("utf-8", "replace")), text)
        return None

    def run(self, block, m):
        for cmd in m["setup"]:
            rc, out = self.shell(cmd, self.args.timeout)
            if rc != 0:
                return "setup '%s' exited %d:\n%s" % (cmd, rc, tail(out))
        if block.lang == "yaml":
            return self.run_yaml(block, m)
        if block.lang == "console":
            return self.run_console(block, m)
        return self.run_sh(block, m)


def check_output_has(m, out):
    for text in m["output_has"]:
        if text not in out:
            return "output lacks %r:\n%s" % (text, tail(out))
    return None


def tail(text, n=20):
    lines = text.rstrip("\n").split("\n")
    return "\n".join("    | " + l for l in lines[-n:])


def content_lines(body):
    return [l for l in body if l.strip() and not l.lstrip().startswith("#")]


def top_keys(body):
    return [re.match(r"^([\w-]+)\s*:", l).group(1) for l in content_lines(body)
            if re.match(r"^[\w-]+\s*:", l)]


def classify_yaml(body):
    """'spec', 'fragment' or None (not recognisably part of a sweep spec)."""
    lines = content_lines(body)
    if not lines:
        return None
    if lines[0][0] == " ":
        return "fragment"                     # a piece of search:
    keys = top_keys(body)
    if not set(keys) <= SPEC_KEYS:
        return None
    return "spec" if "search" in keys else "fragment"


def sections(text_lines):
    """A spec's lines as [(top-level key or None, [lines])]."""
    out = []
    for line in text_lines:
        m = re.match(r"^([\w-]+)\s*:", line)
        if m or not out:
            out.append((m.group(1) if m else None, [line]))
        else:
            out[-1][1].append(line)
    return out


def splice(base, fragment):
    """BASE (a whole spec) with FRAGMENT in it: an indented fragment replaces
    the search space; top-level keys replace the base's own (and those they
    displace)."""
    lines = content_lines(fragment)
    if lines[0][0] == " ":
        width = len(lines[0]) - len(lines[0].lstrip())
        piece = ["search:"] + ["  " + l[width:] if l.strip() else l for l in fragment]
    else:
        piece = list(fragment)
    drop = set(top_keys(piece))
    for key in list(drop):
        drop.update(DISPLACES.get(key, ()))
    kept = [l for key, ls in sections(base.split("\n")) if key not in drop for l in ls]
    return "\n".join(kept + piece) + "\n"


class TorchProbe:
    """Whether the interpreter has torch, asked once and only when a block needs it."""

    def __init__(self, python):
        self.python, self.answer = python, None

    def __bool__(self):
        if self.answer is None:
            self.answer = subprocess.run([self.python, "-c", "import torch"],
                                         stdout=subprocess.DEVNULL,
                                         stderr=subprocess.DEVNULL).returncode == 0
        return self.answer


def missing_tree_paths(root, block):
    """The files of the tree a block names that are not there, and binaries
    of a build folder other than the one `make` builds (build/lrsweep)."""
    words = [w.rstrip(".,:") for w in
             re.findall(r"[^\s'\"()=;|&<>]+", "\n".join(block.body))]
    missing = {m.group(1) for w in words for m in [TREE_PATH.match(w)]
               if m and not os.path.exists(os.path.join(root, m.group(1)))}
    missing |= {w for w in words if re.match(r"^(\./)?build[\w-]*/lrsweep$", w)
                and w.lstrip("./") != "build/lrsweep"}
    return sorted(missing)


def looks_like_command(body):
    """Whether an untagged block opens with a prompt or an lrsweep command
    (`lrsweep run: …` with its colon is a message, not a command)."""
    first = next((l.strip() for l in body if l.strip()), "")
    return bool(re.match(r"^(\$ |lrsweep\s+[a-z-]+(?![:\w-]))", first))


def documents(root):
    docs = ["README.md"]
    docs += sorted(os.path.relpath(p, root) for p in glob.glob(os.path.join(root, "docs", "*.md")))
    docs += sorted(os.path.relpath(p, root)
                   for p in glob.glob(os.path.join(root, "examples", "*", "README.md")))
    return docs


def check_document(args, doc, torch):
    """Runs DOC's blocks; returns (counts, failures)."""
    counts = {"run": 0, "skipped": 0, "no_torch": 0}
    failures = []
    try:
        blocks = extract_blocks(args.root, doc)
    except ValueError as e:
        return counts, [str(e)]
    for b in blocks:
        if not b.lang and not b.markers and looks_like_command(b.body):
            failures.append("%s: an untagged block that starts like a command: tag it "
                            "```sh or ```console (or mark it skip)" % b.where())
    blocks = [b for b in blocks if b.lang in CHECK_LANGS]
    with tempfile.TemporaryDirectory(prefix="docs-check-") as work:
        runner = Runner(args, work)
        runner.prepare()
        for block in blocks:
            try:
                m = parse_markers(block)
            except ValueError as e:
                failures.append("%s: %s" % (block.where(), e))
                continue
            skip = m.get("skip")
            if m.get("needs_torch") and not torch and not skip:
                skip = "needs torch: %s has none" % args.python
                counts["no_torch"] += 1
            if skip:
                counts["skipped"] += 1
                print("skip  %s %s (%s)" % (block.where(), block.lang, skip))
                missing = missing_tree_paths(args.root, block)
                if missing:
                    failures.append("%s: names files the tree does not have: %s"
                                    % (block.where(), ", ".join(missing)))
                continue
            if args.list:
                print("run   %s %s" % (block.where(), block.lang))
                continue
            started = time.monotonic()
            try:
                err = runner.run(block, m)
            except subprocess.TimeoutExpired:
                err = "did not finish in %d s" % args.timeout
            except ValueError as e:
                err = str(e)
            counts["run"] += 1
            print("%s %s %s (%.1f s)" % ("FAIL " if err else "ok   ", block.where(),
                                         block.lang, time.monotonic() - started))
            sys.stdout.flush()
            if err:
                failures.append("%s: %s" % (block.where(), err))
    return counts, failures


def main():
    ap = argparse.ArgumentParser(description="Runs the documentation's shell blocks and "
                                 "validates its specs (see the file's header).")
    ap.add_argument("--lrsweep", required=True, help="the lrsweep binary under test")
    ap.add_argument("--root", required=True, help="the source tree (README.md, docs/, examples/)")
    ap.add_argument("--python", default="/usr/bin/python3",
                    help="the python3 put first on PATH (default /usr/bin/python3)")
    ap.add_argument("--timeout", type=int, default=120, help="seconds per block (default 120)")
    ap.add_argument("--only", action="append", help="check only this document (repeatable)")
    ap.add_argument("--list", action="store_true", help="list the blocks instead of running them")
    args = ap.parse_args()
    args.lrsweep = os.path.abspath(args.lrsweep)
    args.root = os.path.abspath(args.root)
    SPEC_KEYS.update(spec_keys(args.lrsweep))
    torch = TorchProbe(args.python)
    total = {"run": 0, "skipped": 0, "no_torch": 0}
    failures = []
    for doc in args.only or documents(args.root):
        counts, fails = check_document(args, doc, torch)
        for k in total:
            total[k] += counts[k]
        failures += fails
    for f in failures:
        print("FAIL: " + f)
    print("docs_check: %d blocks run, %d skipped (%d for want of torch), %d failures"
          % (total["run"], total["skipped"], total["no_torch"], len(failures)))
    if failures:
        return 1
    return 77 if total["no_torch"] else 0


if __name__ == "__main__":
    sys.exit(main())
