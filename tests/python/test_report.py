"""test_report.py — lrsweep.report() and lrsweep.params() without a sweep:
the line report() prints is what exec mode reads (docs/own-script.md),
values read back as the same doubles, NaN and infinities are written as
nan/inf, bad names and non-numbers are refused, and a script run by hand
prints the same lines and gets its defaults from params()."""
import io
import json
import math
import os
import subprocess
import sys
import unittest

import lrsweep
from lrsweep._report import format_report


class ReportTest(unittest.TestCase):
    def test_line_form(self):
        out = io.StringIO()
        lrsweep.report(epoch=3, val_loss=0.25, accuracy=0.9, file=out)
        self.assertEqual(out.getvalue(), "epoch=3 val_loss=0.25 accuracy=0.9\n")

    def test_values_read_back(self):
        for v in (0.1, 1e-05, 1 / 3, 2.0 ** -1074, 1.7976931348623157e308, -0.0, 60.0):
            (word,) = format_report(x=v).split()
            self.assertEqual(float(word.split("=", 1)[1]), v)
            self.assertEqual(math.copysign(1, float(word.split("=", 1)[1])), math.copysign(1, v))

    def test_nan_and_inf(self):
        self.assertEqual(format_report(epoch=2, val_loss=float("nan"), a=float("inf"),
                                       b=float("-inf")), "epoch=2 val_loss=nan a=inf b=-inf")

    def test_scalars_with_item(self):
        class Scalar:
            def item(self):
                return 0.5
        self.assertEqual(format_report(loss=Scalar()), "loss=0.5")

    def test_refusals(self):
        for bad in ({"1x": 1.0}, {"a b": 1.0}, {"x" * 64: 1.0}):
            with self.assertRaises(ValueError):
                format_report(**bad)
        self.assertEqual(format_report(**{"x" * 63: 1}), "x" * 63 + "=1")
        for bad in ("0.1", None, True, [1.0]):
            with self.assertRaises(TypeError):
                format_report(loss=bad)
        with self.assertRaises(ValueError):
            format_report()

    def test_params(self):
        env = dict(os.environ)
        try:
            os.environ.pop("LRSWEEP_PARAMS", None)
            self.assertEqual(lrsweep.params({"lr": 0.1}), {"lr": 0.1})
            os.environ["LRSWEEP_PARAMS"] = json.dumps(
                {"lr": 0.01, "epochs": 30, "scheduler": "multistep", "milestones": [10, 20],
                 "nesterov": True})
            p = lrsweep.params({"lr": 0.1, "batch_size": 8})
            self.assertEqual(p, {"lr": 0.01, "epochs": 30, "scheduler": "multistep",
                                 "milestones": [10, 20], "nesterov": True, "batch_size": 8})
            self.assertIsInstance(p["epochs"], int)
            self.assertIsInstance(p["lr"], float)
            os.environ["LRSWEEP_PARAMS"] = "[1]"
            with self.assertRaisesRegex(ValueError, "LRSWEEP_PARAMS"):
                lrsweep.params()
            os.environ["LRSWEEP_PARAMS"] = "{"
            with self.assertRaisesRegex(ValueError, "LRSWEEP_PARAMS is not JSON"):
                lrsweep.params()
        finally:
            os.environ.clear()
            os.environ.update(env)

    def test_outside_lrsweep_without_pandas(self):
        # a script run by hand: same line on stdout, flushed, and no pandas
        # imported by report/params
        code = ("import sys, lrsweep\n"
                "p = lrsweep.params({'lr': 0.5})\n"
                "lrsweep.report(epoch=1, lr=p['lr'], val_loss=float('nan'))\n"
                "print('pandas' in sys.modules)\n")
        env = {k: v for k, v in os.environ.items() if k != "LRSWEEP_PARAMS"}
        out = subprocess.run([sys.executable, "-c", code], env=env, check=True,
                             capture_output=True, text=True).stdout
        self.assertEqual(out, "epoch=1 lr=0.5 val_loss=nan\nFalse\n")


if __name__ == "__main__":
    unittest.main()
