"""test_example.py — examples/pytorch/train_params.py, the training script
that takes its parameters with lrsweep.params() and reports with
lrsweep.report(): it prints exactly what train.py (the argparse way) prints
for the same parameters and seed, and the same by hand outside lrsweep (the
defaults); and in a real exec sweep of examples/pytorch/sweep_params.yaml
run through lrsweep.run() every trial completes with the curve the script
reported, trained with the parameters the trial was given (its first
epoch's lr is the trial's lr).  Skipped without torch.

Needs LRSWEEP_BIN and LRS_ROOT (tests/integration/test_python.sh)."""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest

import lrsweep

ROOT = os.environ["LRS_ROOT"]
EXAMPLE = os.path.join(ROOT, "examples", "pytorch")

try:
    import torch  # noqa: F401
    HAVE_TORCH = True
except ImportError:
    HAVE_TORCH = False


def script(name, args=(), env=None):
    full = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"), **(env or {}))
    for k in ("LRSWEEP_PARAMS", "LRSWEEP_SEED", "LRSWEEP_FOLD"):
        if k not in (env or {}):
            full.pop(k, None)
    p = subprocess.run([sys.executable, os.path.join(EXAMPLE, name)] + list(args), env=full,
                       capture_output=True, text=True, cwd=EXAMPLE)
    if p.returncode != 0:
        raise AssertionError("%s exited %d: %s" % (name, p.returncode, p.stderr))
    return p.stdout


@unittest.skipUnless(HAVE_TORCH, "%s has no torch" % sys.executable)
class ExampleTest(unittest.TestCase):
    def test_same_lines_as_the_argparse_script(self):
        trial = {"lr": 0.05, "optimizer": "sgd", "momentum": 0.5, "nesterov": True,
                 "scheduler": "multistep", "milestones": [2, 4], "gamma": 0.3, "epochs": 6,
                 "clip_grad_norm": 1.0}
        seed = {"LRSWEEP_SEED": "9"}
        got = script("train_params.py", env=dict(seed, LRSWEEP_PARAMS=json.dumps(trial)))
        want = script("train.py", ["--lr", "0.05", "--optimizer", "sgd", "--momentum", "0.5",
                                   "--nesterov", "true", "--scheduler", "multistep",
                                   "--milestones", "2,4", "--gamma", "0.3", "--epochs", "6",
                                   "--clip_grad_norm", "1.0"], env=seed)
        self.assertEqual(got, want)
        lines = got.splitlines()
        self.assertEqual(len(lines), 6)
        self.assertRegex(lines[0], r"^epoch=1 lr=0\.05 train_loss=\S+ val_loss=\S+$")
        self.assertRegex(lines[-1], r"^epoch=6 lr=0\.0045\d* ")   # 0.05 * 0.3^2 from epoch 5
        # outside lrsweep: the defaults, as train.py without options
        self.assertEqual(script("train_params.py"), script("train.py"))

    def test_in_an_exec_sweep(self):
        work = tempfile.mkdtemp(prefix="lrs_example_")
        try:
            for name in ("train.py", "train_params.py"):
                shutil.copy(os.path.join(EXAMPLE, name), work)
            with open(os.path.join(EXAMPLE, "sweep_params.yaml")) as f:
                spec = f.read()
            spec, n = re.subn(r"^command: python3 ", "command: %s " % sys.executable, spec,
                              flags=re.M)
            self.assertEqual(n, 1, "the example's command line changed")
            spec = re.sub(r"^trials: .*", "trials: 6", spec, flags=re.M)
            spec = re.sub(r"^  epochs: .*", "  epochs: 5", spec, flags=re.M)
            spec = spec.replace("PYTHONPATH: ../../python",
                                "PYTHONPATH: %s" % os.path.join(ROOT, "python"))
            with open(os.path.join(work, "sweep.yaml"), "w") as f:
                f.write(spec)
            s = lrsweep.run(os.path.join(work, "sweep.yaml"), db=os.path.join(work, "r.db"),
                            workers=2, progress=False)
            t, c = s.trials(), s.curves()
            s.close()
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self.assertEqual(len(t), 6)
        self.assertEqual(set(t.status), {"complete"})
        self.assertEqual(str(t.nesterov.dtype), "boolean")
        self.assertEqual(str(t.clip_grad_norm.dtype), "float64")
        self.assertEqual(sorted(set(c.columns) - {"trial", "repeat", "fold", "epoch"}),
                         ["lr", "train_loss", "val_loss"])
        for trial, curve in c.groupby("trial"):
            self.assertEqual(list(curve.epoch), [1, 2, 3, 4, 5])
            self.assertEqual(curve.lr.iloc[0], t.lr[trial])   # params() gave the trial's lr
            self.assertEqual(curve.val_loss.iloc[-1], t.score[trial])


if __name__ == "__main__":
    unittest.main()
