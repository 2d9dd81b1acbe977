#!/usr/bin/python3
"""gen_stats.py — goldens for lrsweep's Student t functions (common/stats.h).

Writes golden/stats.json next to this script: scipy.stats.t.cdf and
t.ppf at several degrees of freedom (1 to 1000, one fractional) and
probabilities (tails included), and the half-width of the 95% and 99% t
intervals of a mean of n values with a given population std, computed as
t.ppf(0.5 + level/2, n-1) * std * sqrt(n/(n-1)) / sqrt(n).
tests/reference/test_stats.c checks lrsweep against them.

Run with the system interpreter that has SciPy:
    /usr/bin/python3 tests/reference/gen_stats.py
"""
import json
import math
import os

import scipy
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))

DFS = [1, 2, 3, 4, 5, 7, 9, 10, 15, 29, 30, 100, 1000, 2.5]
PS = [1e-6, 0.001, 0.025, 0.05, 0.3, 0.5, 0.6, 0.9, 0.95, 0.975, 0.99, 0.999, 1 - 1e-6]
TS = [-40.0, -3.0, -1.0, 0.0, 0.5, 1.96, 2.5, 10.0, 100.0]


def main():
    cases = {"scipy": scipy.__version__, "ppf": [], "cdf": [], "ci": []}
    for df in DFS:
        for p in PS:
            cases["ppf"].append({"df": df, "p": p, "q": float(stats.t.ppf(p, df))})
        for t in TS:
            cases["cdf"].append({"df": df, "t": t, "p": float(stats.t.cdf(t, df))})
    for n in [2, 3, 5, 10, 30]:
        for std in [0.01, 0.5, 3.0]:
            for level in [0.95, 0.99]:
                half = stats.t.ppf(0.5 + level / 2, n - 1) * std * math.sqrt(n / (n - 1)) / math.sqrt(n)
                cases["ci"].append({"n": n, "std": std, "level": level, "half": float(half)})
    os.makedirs(os.path.join(HERE, "golden"), exist_ok=True)
    with open(os.path.join(HERE, "golden", "stats.json"), "w") as f:
        json.dump(cases, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
