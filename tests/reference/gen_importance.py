#!/usr/bin/python3
"""gen_importance.py — goldens for the report's parameter importance
(common/importance.h).

Writes golden/importance.json next to this script: for numeric cases,
scipy.stats.spearmanr(x, y).correlation over continuous values, values with
many ties (a grid of lr, integer epochs), a monotone transform (log lr
against lr: the same ρ), and constant inputs (NaN, written as null); for
categorical cases, η² = SS_between / SS_total computed with NumPy from the
group means.  tests/reference/test_importance.c checks lrsweep against them.

Run with the system interpreter that has SciPy:
    /usr/bin/python3 tests/reference/gen_importance.py
"""
import json
import math
import os

import numpy as np
import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))


def spearman(x, y):
    r = stats.spearmanr(x, y).correlation
    return None if r is None or math.isnan(r) else float(r)


def eta_squared(groups, y):
    y = np.asarray(y, dtype=float)
    g = np.asarray(groups)
    total = float(((y - y.mean()) ** 2).sum())
    between = 0.0
    for k in np.unique(g):
        sel = y[g == k]
        between += len(sel) * (sel.mean() - y.mean()) ** 2
    if total == 0 or len(np.unique(g)) < 2:
        return None
    return float(between / total)


def main():
    rng = np.random.default_rng(14)
    cases = {"scipy": scipy.__version__, "numpy": np.__version__, "spearman": [], "eta": []}
    def add_s(name, x, y):
        cases["spearman"].append({"name": name, "x": [float(v) for v in x],
                                  "y": [float(v) for v in y], "rho": spearman(x, y)})
    lr = 10 ** rng.uniform(-5, 0, 200)
    score = 0.1 * np.abs(np.log10(lr) + 2.5) + rng.normal(0, 0.05, 200)
    add_s("lr continuous", lr, score)
    add_s("log lr, same ranks", np.log10(lr), score)
    grid = rng.choice([1e-4, 1e-3, 1e-2, 1e-1], 150)
    add_s("lr grid, ties", grid, rng.normal(0, 1, 150) + np.log10(grid))
    ep = rng.integers(5, 12, 90)
    add_s("integer epochs, ties in both", ep, np.round(rng.normal(0, 1, 90) - 0.1 * ep, 1))
    add_s("perfect negative", np.arange(10), -np.arange(10) ** 3)
    add_s("three points", [1.0, 2.0, 3.0], [3.0, 1.0, 2.0])
    add_s("constant x", [2.0] * 8, rng.normal(0, 1, 8))
    add_s("constant y", rng.normal(0, 1, 8), [1.0] * 8)
    def add_e(name, groups, y):
        cases["eta"].append({"name": name, "group": [int(v) for v in groups],
                             "n_groups": int(max(groups)) + 1, "y": [float(v) for v in y],
                             "eta": eta_squared(groups, y)})
    g = rng.integers(0, 5, 300)
    add_e("five schedulers", g, rng.normal(0, 1, 300) + 0.4 * g)
    g = rng.integers(0, 2, 40)
    add_e("two optimizers, no effect", g, rng.normal(0, 1, 40))
    add_e("separated groups", [0, 0, 1, 1, 2, 2], [1.0, 1.0, 2.0, 2.0, 3.0, 3.0])
    add_e("an absent group", [0, 0, 2, 2, 2], [1.0, 2.0, 3.0, 5.0, 4.0])
    add_e("one group only", [1, 1, 1], [1.0, 2.0, 3.0])
    add_e("constant y", [0, 1, 0, 1], [2.0, 2.0, 2.0, 2.0])
    os.makedirs(os.path.join(HERE, "golden"), exist_ok=True)
    with open(os.path.join(HERE, "golden", "importance.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
