#!/usr/bin/python3
"""gen_lrfind.py — goldens for worker/lrfind.c, the range test's arithmetic with numpy.

Run with /usr/bin/python3:
    /usr/bin/python3 tests/reference/gen_lrfind.py
NaN losses are written as null.
It writes tests/reference/golden/lrfind.json, read by tests/reference/test_lrfind.c.

The rule as fastai's LRFinder states it: lr per step numpy.geomspace(start, end,
iters); avg = beta*avg + (1-beta)*loss, smoothed = avg / (1 - beta**(i+1)); stop
after recording a step whose smoothed loss exceeds diverge x the minimum before
it.  Suggestions: the lr at the most negative np.diff(smoothed)/np.diff(log10 lr)
(steepest descent; on runs over 20 steps the first 10 and the last left out,
as Lightning's skip_begin/skip_end), the lr of the minimum smoothed loss and that / 10.
"""
import json
import os

import numpy as np


def case(name, losses, start, end, iters, beta, diverge):
    lrs = np.geomspace(start, end, iters)
    avg, best, smooth, kept = 0.0, np.inf, [], []
    for i, loss in enumerate(losses[:iters]):
        if not np.isfinite(loss):
            break
        avg = beta * avg + (1 - beta) * loss
        s = avg / (1 - beta ** (i + 1))
        smooth.append(s)
        kept.append(loss)
        if i > 0 and s > diverge * best:
            break
        best = min(best, s)
    n = len(smooth)
    sm = np.array(smooth)
    lr = lrs[:n]
    skip = 10 if n > 20 else 0          # Lightning's skip_begin=10, skip_end=1
    last = n - 2 if skip else n - 1
    slopes = (np.diff(sm) / np.diff(np.log10(lr)))[skip:last]
    return {"name": name, "start": start, "end": end, "iters": iters, "beta": beta,
            "diverge": diverge, "losses": [float(x) if np.isfinite(x) else None for x in losses],
            "lr": [float(x) for x in lrs], "smoothed": [float(x) for x in sm], "steps": n,
            "steep": float(lr[skip + int(np.argmin(slopes))]), "lr_min": float(lr[int(np.argmin(sm))])}


def main():
    rng = np.random.default_rng(20151)
    cases = []
    # a typical curve: flat, falling, then exploding
    t = np.linspace(0, 1, 100)
    curve = 2.0 - 1.5 / (1 + np.exp(-(t - 0.5) * 15)) + np.where(t > 0.8, np.exp((t - 0.8) * 40) - 1, 0)
    cases.append(case("fall_then_explode", list(curve + rng.normal(0, 0.01, 100)), 1e-7, 10, 100, 0.98, 4.0))
    cases.append(case("no_smoothing", list(2.0 + rng.normal(0, 0.5, 50)), 1e-4, 1, 50, 0.0, 4.0))
    cases.append(case("nan_stop", [1.0, 0.9, 0.7, 0.5, float("nan"), 0.1], 1e-3, 1, 6, 0.9, 4.0))
    cases.append(case("monotone", list(np.linspace(3, 1, 30)), 1e-5, 1e-1, 30, 0.5, 1.5))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "golden", "lrfind.json")
    with open(out, "w") as f:
        json.dump({"cases": cases}, f, indent=1, allow_nan=False)
        f.write("\n")


if __name__ == "__main__":
    main()
