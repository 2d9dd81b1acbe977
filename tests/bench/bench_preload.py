#!/usr/bin/python3
"""bench_preload.py — what `preload: [torch]` saves on the shipped PyTorch example.

The same N trials of examples/pytorch/sweep.yaml (the configs `lrsweep sample`
draws) run three ways, interleaved round by round in one run:
  process   lrsweep run, one worker: a fresh `python3 train.py …` per trial
  preload   the same spec with `preload: [torch]`: one helper forks each trial
  in-proc   Optuna 3 driving examples/pytorch/train.py's fit() in this
            process — the lower bound a Python user has today (no process,
            no import per trial)
and prints each mode's seconds per trial, its overhead per trial over the
in-process mode (the training itself), the ratio to process mode, and this
machine's `import torch` time.  Wall times on a shared machine are noisy:
read the ratios and the minimum over rounds.

usage: bench_preload.py [LRSWEEP] [--trials N] [--rounds R]
"""
import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
EXAMPLE = os.path.join(ROOT, "examples", "pytorch")
PY = "/usr/bin/python3"


def write_specs(tmp, trials):
    with open(os.path.join(EXAMPLE, "sweep.yaml")) as f:
        text = f.read()
    lines = []
    for line in text.splitlines():
        if line.startswith("trials:"):
            line = "trials: %d" % trials
        elif line.startswith("command: python3"):
            line = line.replace("command: python3", "command: " + PY, 1)
        elif line.startswith("workdir:"):
            line = "workdir: " + EXAMPLE
        lines.append(line)
    plain = os.path.join(tmp, "plain.yaml")
    pre = os.path.join(tmp, "preload.yaml")
    with open(plain, "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(pre, "w") as f:
        f.write("\n".join(lines) + "\npreload: [torch]\n")
    return plain, pre


def run_sweep(lrsweep, spec, db):
    if os.path.exists(db):
        os.remove(db)
    t0 = time.perf_counter()
    subprocess.run([lrsweep, "run", spec, "--db", db, "--workers", "1", "--quiet"], check=True,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t0


def text_of(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    return repr(v) if isinstance(v, float) else str(v)


def argv_of(params):
    out = []
    for k, v in params.items():
        out += ["--" + k, text_of(v)]
    return out


def in_process(train, configs):
    import optuna
    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study()

    def objective(trial):
        seed, params = configs[trial.number]
        last = {}
        args = train.parse_args(argv_of(params) + ["--seed", str(seed)])
        train.fit(args, lambda **m: last.update(m))
        return last["val_loss"]

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=len(configs))
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lrsweep", nargs="?", default=shutil.which("lrsweep") or "build/lrsweep")
    ap.add_argument("--trials", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    lrsweep = os.path.abspath(a.lrsweep)
    tmp = tempfile.mkdtemp(prefix="bench_preload_")
    try:
        plain, pre = write_specs(tmp, a.trials)
        sample = subprocess.run([lrsweep, "sample", plain], check=True, capture_output=True,
                                text=True).stdout
        configs = [(r["seed"], r["params"]) for r in map(json.loads, sample.splitlines())]
        spec = importlib.util.spec_from_file_location("train", os.path.join(EXAMPLE, "train.py"))
        train = importlib.util.module_from_spec(spec)
        t0 = time.perf_counter()
        spec.loader.exec_module(train)   # imports torch once, like the helper
        first_import = time.perf_counter() - t0
        imports = []
        for _ in range(3):
            t0 = time.perf_counter()
            subprocess.run([PY, "-c", "import torch"], check=True)
            imports.append(time.perf_counter() - t0)
        times = {"process": [], "preload": [], "in-proc": []}
        modes = list(times)
        for r in range(a.rounds):
            for m in modes[r % 3:] + modes[:r % 3]:   # rotate the order each round
                if m == "process":
                    times[m].append(run_sweep(lrsweep, plain, os.path.join(tmp, "p.db")))
                elif m == "preload":
                    times[m].append(run_sweep(lrsweep, pre, os.path.join(tmp, "q.db")))
                else:
                    times[m].append(in_process(train, configs))
        n = a.trials
        base = min(times["in-proc"]) / n
        proc = min(times["process"]) / n
        print("%d trials of examples/pytorch (20 epochs each), %d rounds, min over rounds" % (n, a.rounds))
        print("python3 -c 'import torch': %.0f ms (min of 3); first import in-process %.0f ms"
              % (1000 * min(imports), 1000 * first_import))
        print("| mode | s/trial | overhead ms/trial over in-process | speed-up over process mode |")
        print("|---|---|---|---|")
        for m in modes:
            per = min(times[m]) / n
            print("| %s | %.4f | %.1f | %.1fx |" % (m, per, 1000 * (per - base), proc / per))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
