"""test_notebook.py — the notebook path: tests/python/notebook.ipynb (run()
of a tiny sweep with its progress, trials(), best(), curves(), summary())
executed headlessly by `python3 -m nbconvert --to notebook --execute`
(Debian's python3-nbconvert and python3-ipykernel, which
deploy/install-deps.sh --with-reference installs).  Where nbconvert is not
importable its code cells run as one script instead, the same steps
without a kernel (the test says which).  The executed notebook has no
error output, shows the progress and DataFrames, and the numbers it printed
are those of `lrsweep best` and `summary`.

Needs LRSWEEP_BIN and LRS_ROOT (tests/integration/test_python.sh)."""
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

BIN = os.environ["LRSWEEP_BIN"]
ROOT = os.environ["LRS_ROOT"]
NOTEBOOK = os.path.join(ROOT, "tests", "python", "notebook.ipynb")


def cli_json(*args, cwd):
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, cwd=cwd, check=True)
    return [json.loads(line) for line in p.stdout.splitlines()]


class NotebookTest(unittest.TestCase):
    def setUp(self):
        self.work = tempfile.mkdtemp(prefix="lrs_nb_")
        shutil.copy(NOTEBOOK, self.work)
        self.env = dict(os.environ, PYTHONPATH=os.path.join(ROOT, "python"),
                        PYDEVD_DISABLE_FILE_VALIDATION="1")

    def tearDown(self):
        shutil.rmtree(self.work, ignore_errors=True)

    def execute(self):
        """(how, stdout texts, stderr texts, rich outputs) of the notebook's run."""
        if importlib.util.find_spec("nbconvert") and importlib.util.find_spec("ipykernel"):
            p = subprocess.run([sys.executable, "-m", "nbconvert", "--to", "notebook",
                                "--execute", "--output", "executed.ipynb", "notebook.ipynb"],
                               cwd=self.work, env=self.env, capture_output=True, text=True,
                               timeout=300)
            self.assertEqual(p.returncode, 0, p.stderr[-3000:])
            with open(os.path.join(self.work, "executed.ipynb")) as f:
                nb = json.load(f)
            outputs = [o for c in nb["cells"] if c["cell_type"] == "code" for o in c["outputs"]]
            errors = [o for o in outputs if o["output_type"] == "error"]
            self.assertEqual(errors, [])
            text = {name: "".join("".join(o["text"]) for o in outputs
                                  if o["output_type"] == "stream" and o["name"] == name)
                    for name in ("stdout", "stderr")}
            rich = [o["data"] for o in outputs if o["output_type"] == "execute_result"]
            return "nbconvert", text["stdout"], text["stderr"], rich
        with open(NOTEBOOK) as f:
            nb = json.load(f)
        code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
        p = subprocess.run([sys.executable, "-c", code], cwd=self.work, env=self.env,
                           capture_output=True, text=True, timeout=300)
        self.assertEqual(p.returncode, 0, p.stderr[-3000:])
        return "script", p.stdout, p.stderr, None

    def test_notebook(self):
        how, out, err, rich = self.execute()
        print("\nnotebook executed by %s" % how, file=sys.stderr)
        self.assertIn("sweep nb", err)   # run()'s progress
        self.assertIn("24/24", err)
        got = json.loads(out.strip().splitlines()[-1])
        best = [r for r in cli_json("best", "nb", "--db", "nb.db", "--json", "--top", "3",
                                    cwd=self.work) if "confirmed" not in r]
        self.assertEqual(got["best"], [r["trial"] for r in best])
        self.assertEqual(got["scores"], [r["score"] for r in best])
        self.assertEqual(got["curve_rows"], 3 * 6)
        groups = cli_json("summary", "nb", "--db", "nb.db", "--json", "--by", "scheduler",
                          cwd=self.work)
        self.assertEqual(got["groups"], [g["scheduler"] for g in groups])
        if rich is not None:   # the DataFrames show as tables
            self.assertGreaterEqual(sum("text/html" in d for d in rich), 3)
            self.assertIn("<lrsweep.Sweep 'nb' in nb.db>", rich[0]["text/plain"])


if __name__ == "__main__":
    unittest.main()
