"""test_space.py — the search space the coordinator stores as JSON
(sweeps.space, schema 9) as the package reads it: Sweep.space() against the
spec of a real sweep (built-in engine, branches) and of a command sweep
(the script's own parameters), parameter columns typed by it even where no
row holds the parameter, and a database made before version 9, whose
sweep gets its space when a coordinator opens it again.

Needs LRSWEEP_BIN and LRS_ROOT (tests/integration/test_python.sh)."""
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

import lrsweep

BIN = os.environ["LRSWEEP_BIN"]
ROOT = os.environ["LRS_ROOT"]
WORK = None

SPEC = """\
name: sp
seed: 11
trials: 6
sampler: random
objective: {metric: val_loss, goal: minimize}
data: {path: wine.csv, target: [cultivar], task: classification}
model: {type: logistic}
train: {folds: 2}
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1]}
  epochs: 3
  optimizer:
    sgd: {momentum: {uniform: [0.1, 0.9]}, nesterov: {values: [false, true]}}
    adam: {}
  scheduler:
    constant: {}
    step: {step_size: {int_uniform: [1, 3]}}
    multistep: {milestones: {values: [[1, 2], [2]]}}
"""

USER_SPEC = """\
name: user
seed: 2
trials: 3
command: {python} -c "from lrsweep import params, report; p = params(); report(val_loss=p['dropout'])"
metric: val_loss
env: {{PYTHONPATH: {pythonpath}}}
search:
  lr: {{log_uniform: [1.0e-3, 1.0]}}
  dropout: {{uniform: [0.0, 0.5]}}
  layers: {{int_uniform: [1, 4]}}
  act: {{values: [relu, gelu, tanh]}}
  optimizer:
    sgd: {{bn: {{values: [true, false]}}}}
    adam: {{}}
"""

DTYPES = {"float": "float64", "int": "Int64", "bool": "boolean", "choice": "category",
          "string": "category", "int_list": "object"}


def run(spec, db):
    p = subprocess.run([BIN, "run", spec, "--db", db, "--workers", "2", "--quiet"],
                       capture_output=True, text=True, cwd=WORK)
    if p.returncode != 0:
        raise AssertionError("lrsweep run %s: %s" % (spec, p.stderr))


def setUpModule():
    global WORK
    WORK = tempfile.mkdtemp(prefix="lrs_space_")
    shutil.copy(os.path.join(ROOT, "examples", "wine.csv"), WORK)
    with open(os.path.join(WORK, "sp.yaml"), "w") as f:
        f.write(SPEC)
    with open(os.path.join(WORK, "user.yaml"), "w") as f:
        f.write(USER_SPEC.format(python=sys.executable, pythonpath=os.path.join(ROOT, "python")))
    run("sp.yaml", "sp.db")
    run("user.yaml", "user.db")


def tearDownModule():
    shutil.rmtree(WORK, ignore_errors=True)


class SpaceTest(unittest.TestCase):
    def test_stored_space(self):
        with lrsweep.open(os.path.join(WORK, "sp.db")) as s:
            space = s.space()
        by = {}
        for e in space:
            by.setdefault(e["name"], []).append(e)
        self.assertEqual([e["name"] for e in space],
                         ["lr", "optimizer", "momentum", "nesterov", "scheduler", "step_size",
                          "milestones", "epochs"])
        lr = by["lr"][0]
        self.assertEqual((lr["kind"], lr["type"], lr["distribution"], lr["log"], lr["low"],
                          lr["high"], lr["branch"]),
                         ("lrsweep", "float", "log_uniform", True, 1e-3, 1e-1, []))
        self.assertEqual(by["optimizer"][0]["values"], ["sgd", "adam"])
        self.assertIn("rmsprop", by["optimizer"][0]["choices"])
        self.assertEqual(by["momentum"][0]["branch"], [{"parameter": "optimizer", "value": "sgd"}])
        self.assertEqual(by["nesterov"][0]["values"], [False, True])
        step = by["step_size"][0]
        self.assertEqual((step["type"], step["low"], step["high"]), ("int", 1, 3))
        self.assertEqual(by["milestones"][0]["values"], [[1, 2], [2]])
        self.assertEqual(by["epochs"][0]["values"], [3])

    def test_user_parameters(self):
        with lrsweep.open(os.path.join(WORK, "user.db")) as s:
            space, t = s.space(), s.trials()
        kinds = {e["name"]: (e["kind"], e["type"]) for e in space}
        self.assertEqual(kinds, {"lr": ("lrsweep", "float"), "optimizer": ("lrsweep", "choice"),
                                 "dropout": ("user", "float"), "layers": ("user", "int"),
                                 "act": ("user", "string"), "bn": ("user", "bool")})
        bn = [e for e in space if e["name"] == "bn"][0]
        self.assertEqual(bn["branch"], [{"parameter": "optimizer", "value": "sgd"}])
        for name, (_, kind) in kinds.items():
            self.assertEqual(str(t[name].dtype), DTYPES[kind], name)
        self.assertEqual(list(t.act.cat.categories), ["relu", "gelu", "tanh"])
        self.assertTrue((t.score == t.dropout).all())

    def test_columns_typed_where_no_row_has_them(self):
        # best(1) holds one trial: one optimizer and one scheduler branch, so
        # the other branches' parameters are in no row of the frame
        with lrsweep.open(os.path.join(WORK, "sp.db")) as s:
            b, t, space = s.best(1), s.trials(), s.space()
        self.assertEqual(len(b), 1)
        empty = [e["name"] for e in space if b[e["name"]].isna().all()]
        self.assertTrue(empty, "the best trial leaves some branch out")
        for e in space:
            self.assertEqual(str(b[e["name"]].dtype), DTYPES[e["type"]], e["name"])
            self.assertEqual(str(t[e["name"]].dtype), DTYPES[e["type"]], e["name"])
        self.assertEqual(list(t.optimizer.cat.categories), ["sgd", "adam"])
        self.assertEqual(list(t.scheduler.cat.categories), ["constant", "step", "multistep"])

    def test_database_before_version_9(self):
        old = os.path.join(WORK, "old.db")
        shutil.copy(os.path.join(WORK, "sp.db"), old)
        con = sqlite3.connect(old)
        con.execute("ALTER TABLE sweeps DROP COLUMN space")
        con.execute("ALTER TABLE workers DROP COLUMN gpus")   # back to version 8 as a whole
        con.execute("PRAGMA user_version = 8")
        con.commit()
        con.close()
        with lrsweep.open(old) as s:
            self.assertIsNone(s.space())
            t = s.trials()   # typed by the values the trials hold
        self.assertEqual(str(t.lr.dtype), "float64")
        self.assertEqual(str(t.epochs.dtype), "Int64")
        run("sp.yaml", old)   # the coordinator migrates and fills the space in
        with lrsweep.open(old) as s, lrsweep.open(os.path.join(WORK, "sp.db")) as new:
            self.assertEqual(s.space(), new.space())
        con = sqlite3.connect(old)
        self.assertEqual(con.execute("PRAGMA user_version").fetchone()[0], lrsweep.SCHEMA_VERSION)
        con.close()


if __name__ == "__main__":
    unittest.main()
