#!/usr/bin/python3
"""bench_lrfind.py — how close `lrsweep lrfind`'s suggestion lands to the best lr of a
fine sweep (not run in CI).

    /usr/bin/python3 tests/bench/bench_lrfind.py BUILD/lrsweep

Per case: 40 log-spaced lrs in [1e-5, 10] run with `lrsweep train --spec SPEC
lr=… PARAMS` (5-fold CV val_loss, diverged = inf); then `lrsweep lrfind SPEC
PARAMS --json` (defaults).  Prints the best sweep lr, both suggestions, their
ratio to the best, and the sweep's score at the lr nearest each suggestion vs
the best score.  The wine case is examples/wine-lr.yaml; the diabetes case a
spec written here on examples/diabetes.csv (linear regression).
"""
import json
import math
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, "examples")
DIABETES = """name: diabetes-lr
seed: 3
trials: 40
objective: {metric: val_loss, goal: minimize}
data: {path: %s, target: [progression]}
model: {type: linear}
train: {folds: 5, shuffle: true, standardize: true}
search:
  lr: {log_uniform: [1.0e-5, 10.0]}
  epochs: 30
""" % os.path.join(EX, "diabetes.csv")


def score(bin_, spec, lr, params):
    out = subprocess.run([bin_, "train", "--spec", spec, "lr=%.6g" % lr, *params, "--json"],
                         capture_output=True, text=True, check=True).stdout
    s = json.loads(out)["score"]
    return s if s is not None and math.isfinite(s) else math.inf


def main():
    bin_ = os.path.abspath(sys.argv[1])
    tmp = tempfile.mkdtemp()
    dspec = os.path.join(tmp, "diabetes.yaml")
    with open(dspec, "w") as f:
        f.write(DIABETES)
    cases = [
        ("wine mlp, sgd m=0.9, batch 32", os.path.join(EX, "wine-lr.yaml"),
         ["optimizer=sgd", "momentum=0.9", "batch_size=32", "scheduler=constant"]),
        ("wine mlp, adam, batch 32", os.path.join(EX, "wine-lr.yaml"),
         ["optimizer=adam", "batch_size=32", "scheduler=constant"]),
        ("diabetes linear, sgd, batch 32", dspec, ["optimizer=sgd", "batch_size=32"]),
    ]
    lrs = [10 ** (-5 + 6 * i / 39) for i in range(40)]
    print("| case | best sweep lr | best score | steep | steep/best | score@steep "
          "| min/10 | min10/best | score@min/10 |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, spec, params in cases:
        scores = [score(bin_, spec, lr, params) for lr in lrs]
        b = min(range(40), key=lambda i: scores[i])
        r = json.loads(subprocess.run([bin_, "lrfind", spec, *params, "--json"],
                                      capture_output=True, text=True, check=True).stdout)

        def at(lr):
            i = min(range(40), key=lambda j: abs(math.log10(lrs[j]) - math.log10(lr)))
            return scores[i]
        print("| %s | %.3g | %.4g | %.3g | %.2f | %.4g | %.3g | %.2f | %.4g |" % (
            name, lrs[b], scores[b], r["steep"], r["steep"] / lrs[b], at(r["steep"]),
            r["min_tenth"], r["min_tenth"] / lrs[b], at(r["min_tenth"])))


if __name__ == "__main__":
    main()
