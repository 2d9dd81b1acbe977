"""test_run.py — lrsweep.run() against real sweeps: a built-in sweep and a
command sweep run through it with a tqdm bar and with tqdm made
unimportable (the text line), a failing run's error text, run's options as
flags, and an interrupt mid-sweep (SIGINT to the Python process running
run()) that leaves a resumable sweep, which a second run() completes with
no trial lost, duplicated or run again.

Needs LRSWEEP_BIN and LRS_ROOT (tests/integration/test_python.sh)."""
import io
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import lrsweep
from lrsweep._run import _option_words

BIN = os.environ["LRSWEEP_BIN"]
ROOT = os.environ["LRS_ROOT"]
WORK = None


def synthetic(name, trials, cost_ms):
    path = os.path.join(WORK, name + ".yaml")
    with open(path, "w") as f:
        f.write("name: %s\nseed: 4\ntrials: %d\nsampler: random\n"
                "objective: {metric: val_loss, goal: minimize}\n"
                "model: {type: synthetic, cost_ms: %d}\n"
                "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n  epochs: 4\n"
                % (name, trials, cost_ms))
    return path


def setUpModule():
    global WORK
    WORK = tempfile.mkdtemp(prefix="lrs_run_")


def tearDownModule():
    shutil.rmtree(WORK, ignore_errors=True)


def export(name, db):
    p = subprocess.run([BIN, "export", name, "--db", db, "--format", "jsonl"],
                       capture_output=True, text=True, check=True)
    return p.stdout.splitlines()


class RunTest(unittest.TestCase):
    def test_tqdm_bar(self):
        import tqdm   # noqa: F401  (/usr/bin/python3 has python3-tqdm)
        db = os.path.join(WORK, "bar.db")
        out = io.StringIO()
        s = lrsweep.run(synthetic("bar", 40, 5), db=db, workers=2, file=out, poll=0.05)
        self.assertEqual((s.name, s.db), ("bar", db))
        t = s.trials()
        self.assertEqual(list(t.index), list(range(40)))
        self.assertEqual(set(t.status), {"complete"})
        self.assertEqual(len(export("bar", db)), 40)
        text = out.getvalue()
        self.assertIn("sweep bar: 100%", text)
        self.assertIn("40/40", text)
        self.assertRegex(text, r"best val_loss [0-9.e-]+")

    def test_text_line_without_tqdm(self):
        saved = {k: sys.modules.get(k) for k in ("tqdm", "tqdm.auto")}
        sys.modules["tqdm"] = sys.modules["tqdm.auto"] = None   # import tqdm fails
        try:
            out = io.StringIO()
            db = os.path.join(WORK, "text.db")
            s = lrsweep.run(synthetic("text", 30, 5), db=db, workers=2, file=out, poll=0.05)
        finally:
            for k, v in saved.items():
                if v is None:
                    sys.modules.pop(k, None)
                else:
                    sys.modules[k] = v
        lines = out.getvalue().splitlines()
        self.assertTrue(lines)
        for line in lines:
            self.assertRegex(line, r"^sweep text: \d+/30 trials, \d+ running(, best val_loss \S+)?$")
        self.assertRegex(lines[-1], r"^sweep text: 30/30 trials, 0 running, best val_loss \S+$")
        self.assertEqual(len(s.trials()), 30)
        with self.assertRaisesRegex(lrsweep.LrsweepError, "tqdm is not importable"):
            sys.modules["tqdm"] = sys.modules["tqdm.auto"] = None
            try:
                lrsweep.run(synthetic("text", 30, 5), db=db, progress="tqdm")
            finally:
                sys.modules.pop("tqdm.auto", None)
                sys.modules.pop("tqdm", None)

    def test_command_sweep(self):
        spec = os.path.join(WORK, "cmd.yaml")
        with open(spec, "w") as f:
            f.write(textwrap.dedent("""\
                name: cmd
                seed: 2
                trials: 4
                command: %s -c "from lrsweep import params, report; report(val_loss=params()['lr'])"
                metric: val_loss
                env: {PYTHONPATH: %s}
                search:
                  lr: {log_uniform: [1.0e-3, 1.0]}
                """ % (sys.executable, os.path.join(ROOT, "python"))))
        s = lrsweep.run(spec, db=os.path.join(WORK, "cmd.db"), workers=2, progress=False)
        t = s.trials()
        self.assertEqual(len(t), 4)
        self.assertTrue((t.score == t.lr).all())
        self.assertEqual(s.best(1).trial.iloc[0], t.score.idxmin())

    def test_failing_run(self):
        bad = os.path.join(WORK, "bad.yaml")
        with open(bad, "w") as f:
            f.write("name: bad\ntrials: 3\nmodel: {type: synthetic}\nsearch:\n  lr: {uniform: [1, 0]}\n")
        with self.assertRaises(lrsweep.LrsweepError) as e:
            lrsweep.run(bad, db=os.path.join(WORK, "bad.db"), progress=False)
        self.assertIn("bad.yaml:5", str(e.exception))
        with self.assertRaisesRegex(lrsweep.LrsweepError, "--workers"):
            lrsweep.run(synthetic("w", 2, 0), db=os.path.join(WORK, "w.db"), workers=0,
                        progress=False)

    def test_option_words(self):
        self.assertEqual(_option_words({"heartbeat_ms": 500, "insecure": True, "bind": None,
                                        "linger": False}),
                         ["--heartbeat-ms", "500", "--insecure"])
        with self.assertRaises(TypeError):
            _option_words({"quiet": True})
        s = lrsweep.run(synthetic("opt", 3, 0), db=os.path.join(WORK, "opt.db"), workers=1,
                        progress=False, heartbeat_ms=200, liveness=5)
        self.assertEqual(len(s.trials()), 3)


class InterruptTest(unittest.TestCase):
    TRIALS = 150

    def test_interrupt_then_resume(self):
        spec = synthetic("live", self.TRIALS, 40)
        db = os.path.join(WORK, "live.db")
        code = textwrap.dedent("""\
            import sys, lrsweep
            try:
                lrsweep.run(sys.argv[1], db=sys.argv[2], workers=2, progress="text", poll=0.05)
            except KeyboardInterrupt:
                print("interrupted")
                sys.exit(5)
            print("finished")
            """)
        p = subprocess.Popen([sys.executable, "-c", code, spec, db], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        done, deadline = 0, time.monotonic() + 60
        while time.monotonic() < deadline and p.poll() is None:
            try:
                con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=3)
                done = con.execute("SELECT COUNT(*) FROM trials").fetchone()[0]
                con.close()
            except sqlite3.Error:
                pass
            if done >= 10:
                break
            time.sleep(0.05)
        self.assertGreaterEqual(done, 10)
        p.send_signal(signal.SIGINT)
        out, err = p.communicate(timeout=60)
        self.assertEqual(p.returncode, 5, err)
        self.assertEqual(out.strip(), "interrupted")
        self.assertIn("sweep live stopped (exit 130); run it again to resume", err)
        con = sqlite3.connect(db)
        before = dict(con.execute("SELECT trial, score FROM trials"))
        (left,) = con.execute("SELECT COUNT(*) FROM leases").fetchone()
        con.close()
        self.assertLess(len(before), self.TRIALS, "the interrupt came after the sweep ended")
        self.assertEqual(left, 0, "a clean stop leaves no lease")
        print("\ninterrupted after %d of %d trials" % (len(before), self.TRIALS), file=sys.stderr)

        s = lrsweep.run(spec, db=db, workers=2, progress=False)
        t = s.trials()
        self.assertEqual(list(t.index), list(range(self.TRIALS)))
        self.assertEqual(set(t.status), {"complete"})
        con = sqlite3.connect(db)
        rows = con.execute("SELECT trial, score, attempts FROM trials").fetchall()
        con.close()
        self.assertEqual(sorted(r[0] for r in rows), list(range(self.TRIALS)))
        for trial, score, attempts in rows:
            if trial in before:   # recorded once, never run again
                self.assertEqual(score, before[trial])
        self.assertTrue(re.search(r"\d+/%d trials" % self.TRIALS, err))


if __name__ == "__main__":
    unittest.main()
