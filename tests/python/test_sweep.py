"""test_sweep.py — lrsweep.open and the Sweep readers against real sweeps run
here: a wine classification sweep of the built-in engine (3 folds, two
optimizer branches) and a command sweep (2 folds) whose script takes its
parameters with lrsweep.params() and reports with lrsweep.report(), both in
one database.  trials() equals `lrsweep export --format jsonl` row by row,
curves() equals `export --curves`, best()/summary() equal the CLI's --json,
folds() agrees with export's fold-mean accuracy; choosing a sweep, a newer
schema and a sweep read while it runs; curves() of a 20,000-trial synthetic
sweep in chunks within a memory bound; the README's "From Python" example.

Needs LRSWEEP_BIN (the lrsweep under test) and LRS_ROOT (the source tree);
tests/integration/test_python.sh sets both."""
import glob
import json
import math
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
import unittest

import pandas as pd

import lrsweep

BIN = os.environ["LRSWEEP_BIN"]
ROOT = os.environ["LRS_ROOT"]
WORK = None

CLS_SPEC = """\
name: cls
seed: 5
trials: 6
sampler: random
objective: {metric: val_loss, goal: minimize}
data: {path: wine.csv, target: [cultivar], task: classification}
model: {type: logistic}
train: {folds: 3, shuffle: true, standardize: true}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1]}
  epochs: 5
  optimizer:
    sgd: {momentum: {uniform: [0.1, 0.9]}, nesterov: {values: [false, true]}}
    adam: {}
  scheduler:
    constant: {}
    step: {step_size: {int_uniform: [1, 3]}}
"""

CMD_SPEC = """\
name: cmd
seed: 3
trials: 5
command: {python} train_cmd.py
metric: val_loss
folds: 2
env: {{PYTHONPATH: {pythonpath}}}
search:
  lr: {{log_uniform: [1.0e-3, 1.0]}}
  epochs: {{int_uniform: [2, 9]}}
  optimizer:
    sgd: {{momentum: {{uniform: [0.1, 0.9]}}, nesterov: {{values: [false, true]}}}}
    adam: {{}}
"""

# The user's script: parameters from params() with their JSON types (a
# wrong type fails the trial), metrics by report(); odd is NaN at epoch 2.
TRAIN_CMD = """\
import os
from lrsweep import params, report
p = params({"lr": 0.1, "epochs": 4, "optimizer": "sgd"})
assert isinstance(p["lr"], float) and isinstance(p["epochs"], int), p
assert isinstance(p["optimizer"], str) and isinstance(p.get("nesterov", False), bool), p
fold = int(os.environ["LRSWEEP_FOLD"])
for e in range(1, 4):
    loss = p["lr"] * p["epochs"] / e + fold
    report(epoch=e, lr=p["lr"], train_loss=loss * 1.1, val_loss=loss,
           acc=1 - 1 / (e + fold + 1), odd=float("nan") if e == 2 else e)
report(epochs_seen=p["epochs"])
"""


def cli(*args, check=True):
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, cwd=WORK)
    if check and p.returncode != 0:
        raise AssertionError("lrsweep %s exited %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p


def json_lines(*args):
    return [json.loads(line) for line in cli(*args).stdout.splitlines()]


def setUpModule():
    global WORK
    WORK = tempfile.mkdtemp(prefix="lrs_py_")
    shutil.copy(os.path.join(ROOT, "examples", "wine.csv"), WORK)
    with open(os.path.join(WORK, "cls.yaml"), "w") as f:
        f.write(CLS_SPEC)
    with open(os.path.join(WORK, "cmd.yaml"), "w") as f:
        f.write(CMD_SPEC.format(python=sys.executable, pythonpath=os.path.join(ROOT, "python")))
    with open(os.path.join(WORK, "train_cmd.py"), "w") as f:
        f.write(TRAIN_CMD)
    for spec in ("cls.yaml", "cmd.yaml"):
        cli("run", spec, "--db", "r.db", "--workers", "2", "--quiet")
        cli("run", spec, "--db", spec[:3] + ".db", "--workers", "2", "--quiet")


def tearDownModule():
    shutil.rmtree(WORK, ignore_errors=True)


def same(a, b):
    """a DataFrame cell equals a JSON value (NaN/NA where JSON has null)."""
    if b is None:
        return a is None or pd.isna(a)
    if isinstance(b, float) and not isinstance(a, str):
        return float(a) == b
    if isinstance(b, list):
        return list(a) == b
    return a == b


class ReadTest(unittest.TestCase):
    def open(self, name, **kw):
        return lrsweep.open(os.path.join(WORK, "r.db"), name, **kw)

    def test_trials_equal_export(self):
        for name in ("cls", "cmd"):
            with self.subTest(sweep=name), self.open(name) as s:
                frame = s.trials()
                rows = json_lines("export", name, "--db", "r.db", "--format", "jsonl")
                self.assertEqual(list(frame.index), [r["trial"] for r in rows])
                self.assertEqual(frame.index.name, "trial")
                for r in rows:
                    got = frame.loc[r["trial"]]
                    for k in ("status", "score", "score_std", "score_n", "repeats",
                              "attempts", "worker", "seconds", "error"):
                        self.assertTrue(same(got[k], r[k]), (name, r["trial"], k, got[k], r[k]))
                    names = (set(frame.columns) - set(r) - set(r["metrics"])
                             - {"metrics." + k for k in r["metrics"]})
                    for k in names:   # parameters: present where active, missing elsewhere
                        self.assertTrue(same(got[k], r["params"].get(k)), (name, k, got[k]))
                    for k, v in r["metrics"].items():
                        col = "metrics." + k if k in r["params"] else k
                        self.assertTrue(same(got[col], v), (name, k, got[col], v))
                self.assertEqual(set(frame.status), {"complete"})

    def test_parameter_dtypes(self):
        with self.open("cls") as s:
            t = s.trials()
        self.assertEqual(str(t.lr.dtype), "float64")
        self.assertEqual(str(t.epochs.dtype), "Int64")
        self.assertEqual(str(t.optimizer.dtype), "category")
        self.assertEqual(str(t.nesterov.dtype), "boolean")
        adam = t.optimizer == "adam"
        self.assertTrue(adam.any() and (~adam).any(), "both branches must be sampled")
        self.assertTrue(t.momentum[adam].isna().all())
        self.assertTrue(t.momentum[~adam].notna().all())
        self.assertTrue(t.step_size[t.scheduler != "step"].isna().all())

    def test_params_and_report_in_exec_sweep(self):
        with self.open("cmd") as s:
            t = s.trials()
        # each trial's script saw its own parameters with their types
        self.assertTrue((t.epochs_seen == t.epochs.astype(float)).all())
        self.assertTrue((t["metrics.lr"] == t.lr).all())
        self.assertTrue(((t.score - (t.lr * t.epochs / 3 + 0.5)).abs() < 1e-12).all())
        self.assertTrue((t.odd == 3.0).all())

    def test_curves_equal_export(self):
        for name in ("cls", "cmd"):
            with self.subTest(sweep=name), self.open(name) as s:
                c = s.curves()
                rows = json_lines("export", name, "--db", "r.db", "--format", "jsonl", "--curves")
                self.assertEqual(len(c), len(rows))
                self.assertGreater(len(rows), 0)
                for i, r in enumerate(rows):
                    got = c.iloc[i]
                    for k in ("trial", "repeat", "fold", "epoch", "lr", "train_loss", "val_loss"):
                        self.assertTrue(same(got[k], r[k]), (name, i, k, got[k], r[k]))
                    for k, v in (r["metrics"] or {}).items():
                        self.assertTrue(same(got[k], v), (name, i, k))
                small = s.curves(chunk=7)
                pd.testing.assert_frame_equal(small, c)
                one = s.curves(trials=[2])
                pd.testing.assert_frame_equal(one, c[c.trial == 2].reset_index(drop=True))
        with self.open("cmd") as s:
            c = s.curves()
        self.assertEqual(str(c.fold.dtype), "Int64")
        self.assertTrue(c.odd[c.epoch == 2].isna().all())
        self.assertTrue((c.odd[c.epoch != 2] == c.epoch[c.epoch != 2]).all())

    def test_folds(self):
        with self.open("cls") as s:
            f, t = s.folds(), s.trials()
        self.assertEqual(len(f), 3 * len(t))
        mean = f.groupby("trial").accuracy.mean()
        self.assertTrue(((mean - t.accuracy).abs() < 1e-12).all(), (mean, t.accuracy))
        self.assertEqual(list(f.columns),
                         ["trial", "repeat", "fold", "train_loss", "val_loss", "accuracy"])

    def test_best_equals_cli(self):
        for name in ("cls", "cmd"):
            with self.subTest(sweep=name), self.open(name) as s:
                b = s.best(3)
                rows = [r for r in json_lines("best", name, "--db", "r.db", "--json", "--top", "3")
                        if "confirmed" not in r]
                self.assertEqual(list(b.index), [r["rank"] for r in rows])
                self.assertEqual(list(b.trial), [r["trial"] for r in rows])
                self.assertEqual(list(b.score), [r["score"] for r in rows])
                for r in rows:
                    for k, v in r["params"].items():
                        self.assertTrue(same(b.loc[r["rank"], k], v))
                self.assertEqual(len(b), 3)
                self.assertTrue(b.score.is_monotonic_increasing)

    def test_summary_equals_cli(self):
        for by, bins in (("scheduler", None), ("lr", 3), ("momentum", None)):
            with self.subTest(by=by), self.open("cls") as s:
                got = s.summary(by=by, bins=bins)
                args = ["summary", "cls", "--db", "r.db", "--json", "--by", by]
                rows = json_lines(*args + (["--bins", str(bins)] if bins else []))
                self.assertEqual(len(got), len(rows))
                for i, r in enumerate(rows):
                    for k, v in r.items():
                        self.assertTrue(same(got.iloc[i][k], v), (by, i, k))
        with self.open("cls") as s, self.assertRaisesRegex(lrsweep.LrsweepError, "nosuch"):
            s.summary(by="nosuch")


class OpenTest(unittest.TestCase):
    def test_choosing(self):
        db = os.path.join(WORK, "r.db")
        with self.assertRaises(lrsweep.LrsweepError) as e:
            lrsweep.open(db)
        err = cli("best", "--db", db, check=False)
        self.assertEqual(err.returncode, 2)
        self.assertIn(str(e.exception), err.stderr)
        self.assertIn("'cls', 'cmd'", str(e.exception))
        with self.assertRaises(lrsweep.LrsweepError) as e:
            lrsweep.open(db, "nope")
        self.assertIn(str(e.exception), cli("best", "nope", "--db", db, check=False).stderr)
        with lrsweep.open(os.path.join(WORK, "cls.db")) as s:
            self.assertEqual(s.name, "cls")
        with self.assertRaisesRegex(lrsweep.LrsweepError, "no such database"):
            lrsweep.open(os.path.join(WORK, "absent.db"))

    def test_schema_version(self):
        versions = [int(os.path.basename(p)[:3])
                    for p in glob.glob(os.path.join(ROOT, "schema", "[0-9][0-9][0-9]_*.sql"))]
        self.assertEqual(lrsweep.SCHEMA_VERSION, max(versions))
        newer = os.path.join(WORK, "newer.db")
        shutil.copy(os.path.join(WORK, "cls.db"), newer)
        con = sqlite3.connect(newer)
        con.execute("PRAGMA user_version = %d" % (lrsweep.SCHEMA_VERSION + 1))
        con.execute("UPDATE meta SET value = '9.9.9' WHERE key = 'written_by'")
        con.commit()
        con.close()
        with self.assertRaisesRegex(lrsweep.LrsweepError,
                                    r"schema version %d, written by lrsweep 9\.9\.9.*up to %d"
                                    % (lrsweep.SCHEMA_VERSION + 1, lrsweep.SCHEMA_VERSION)):
            lrsweep.open(newer)

    def test_while_running(self):
        spec = os.path.join(WORK, "live.yaml")
        with open(spec, "w") as f:
            f.write("name: live\nseed: 1\ntrials: 400\nsampler: random\n"
                    "objective: {metric: val_loss, goal: minimize}\n"
                    "model: {type: synthetic, cost_ms: 20}\n"
                    "search:\n  lr: {log_uniform: [1.0e-4, 1.0]}\n  epochs: 5\n")
        db = os.path.join(WORK, "live.db")
        p = subprocess.Popen([BIN, "run", spec, "--db", db, "--workers", "1", "--quiet"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            t, deadline = None, time.monotonic() + 60
            while time.monotonic() < deadline:
                try:
                    with lrsweep.open(db) as s:
                        t = s.trials()
                    if (t.status == "complete").sum() >= 5:
                        break
                except lrsweep.LrsweepError:
                    pass
                time.sleep(0.1)
            self.assertIsNotNone(t)
            self.assertEqual(len(t), 400)
            self.assertGreater((t.status == "pending").sum(), 0, "read after the sweep ended")
            self.assertGreaterEqual((t.status == "complete").sum(), 5)
        finally:
            p.terminate()
            p.wait(30)


class ChunkTest(unittest.TestCase):
    TRIALS, EPOCHS = 20000, 50

    def test_curves_memory(self):
        # a 20,000-trial x 50-epoch synthetic sweep: the rows are written
        # straight into trial_epochs of a real sweep's database
        db = os.path.join(WORK, "big.db")
        shutil.copy(os.path.join(WORK, "cls.db"), db)
        con = sqlite3.connect(db)
        (sid,) = con.execute("SELECT id FROM sweeps").fetchone()
        con.execute("DELETE FROM trial_epochs")
        con.executemany("INSERT INTO trial_epochs (sweep_id, trial, epoch, lr, train_loss, "
                        "val_loss, repeat) VALUES (?, ?, ?, ?, ?, ?, 0)",
                        ((sid, t, e, 1e-3 * (t % 7 + 1), 1.0 / e, 1.0 / e + t * 1e-6)
                         for t in range(self.TRIALS) for e in range(1, self.EPOCHS + 1)))
        con.commit()
        con.close()
        code = textwrap.dedent("""\
            import resource, sys, pandas, lrsweep
            base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            c = lrsweep.open(sys.argv[1]).curves(chunk=int(sys.argv[2]))
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
            print(len(c), int(c.memory_usage(deep=True).sum()), (peak - base) * 1024,
                  c.trial.iloc[-1], c.epoch.iloc[-1], repr(c.val_loss.iloc[-1]))
            """)
        out = subprocess.run([sys.executable, "-c", code, db, "65536"], check=True,
                             capture_output=True, text=True).stdout.split()
        rows, frame_bytes, grown = int(out[0]), int(out[1]), int(out[2])
        self.assertEqual(rows, self.TRIALS * self.EPOCHS)
        self.assertEqual((int(out[3]), int(out[4])), (self.TRIALS - 1, self.EPOCHS))
        self.assertEqual(float(out[5]), 1.0 / self.EPOCHS + (self.TRIALS - 1) * 1e-6)
        print("\ncurves: %d rows, frame %.1f MB, peak growth %.1f MB"
              % (rows, frame_bytes / 1e6, grown / 1e6), file=sys.stderr)
        # fetching every row as Python tuples first takes ~4x the frame
        self.assertLess(grown, 1.5 * frame_bytes + 24e6)


class ReadmeTest(unittest.TestCase):
    def test_from_python_example(self):
        with open(os.path.join(ROOT, "README.md")) as f:
            text = f.read()
        section = re.search(r"^## From Python\n(.*?)(?=^## )", text, re.S | re.M)
        self.assertIsNotNone(section, "README.md has no 'From Python' section")
        block = re.search(r"```python\n(.*?)```", section.group(1), re.S).group(1)
        self.assertEqual(len(block.strip().splitlines()), 5, block)
        here = os.path.join(WORK, "readme")   # a fresh folder with the examples, as a user has
        shutil.copytree(os.path.join(ROOT, "examples"), os.path.join(here, "examples"))
        p = subprocess.run([sys.executable, "-c", block], cwd=here, capture_output=True,
                           text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertIn("val_loss", p.stdout)
        self.assertIn("sweep wine-lr", p.stderr)   # the progress
        with lrsweep.open(os.path.join(here, "lrsweep.db")) as s:
            self.assertEqual(len(s.trials()), 500)


if __name__ == "__main__":
    unittest.main()
