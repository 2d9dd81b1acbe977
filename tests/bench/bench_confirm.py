#!/usr/bin/python3
"""bench_confirm.py — how good is the config `best` picks, with one seed per
trial, with `repeats: 3` and with `confirm:`, at equal compute (not run in CI).

    /usr/bin/python3 tests/bench/bench_confirm.py BUILD/lrsweep [--budget 120]
        [--seeds 5] [--rescore 20] [--top 4] [--confirm-repeats 5] [--workers 2]

Every strategy spends the same number of training runs (one run = one k-fold
cross-validation with one seed) on examples/wine-lr.yaml, sweep seed s:
  repeats 1   trials = budget, one seed each; pick the best trial
  repeats 3   trials = budget / 3, each the mean of 3 seeds; pick the best
  confirm     trials = budget − top × confirm-repeats, one seed each, then
              confirm: {top, repeats}; pick the best confirmed mean
The picked config is then re-scored with `--rescore` fresh seeds (`lrsweep
train --spec … --trial j --seed S`, seeds no sweep used): its true quality.
Printed per strategy, averaged over the sweep seeds: the score `best`
claimed, the true score, the gap (the optimism of the claim), and the true
score's rank among the strategies.  Lower val_loss is better.
"""
import argparse
import json
import math
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EX = os.path.join(ROOT, "examples")
FRESH = 10**12   # re-scoring seeds: far from any training seed a sweep derives


def spec_text(seed, trials, extra):
    text = open(os.path.join(EX, "wine-lr.yaml")).read()
    text = text.replace("seed: 7", "seed: %d" % seed).replace("trials: 500", "trials: %d" % trials)
    return text + extra


def sweep(bin_, d, name, text, workers):
    path = os.path.join(d, name + ".yaml")
    with open(path, "w") as f:
        f.write(text.replace("name: wine-lr", "name: " + name))
    db = os.path.join(d, name + ".db")
    subprocess.run([bin_, "run", path, "--db", db, "--workers", str(workers), "--quiet"],
                   check=True, capture_output=True)
    return path, sqlite3.connect(db)


def picked(db, confirmed):
    """(search trial, claimed score) of the config best puts first."""
    if confirmed:
        return db.execute("SELECT confirms, score FROM trials WHERE confirms IS NOT NULL"
                          " AND status = 'complete' ORDER BY score, confirms LIMIT 1").fetchone()
    return db.execute("SELECT trial, score FROM trials WHERE status = 'complete'"
                      " AND trial < 1000000000 ORDER BY score, trial LIMIT 1").fetchone()


def rescore(bin_, one_run_spec, trial, n):
    scores = []
    for k in range(n):
        out = subprocess.run([bin_, "train", "--spec", one_run_spec, "--trial", str(trial),
                              "--seed", str(FRESH + k), "--json"],
                             check=True, capture_output=True, text=True).stdout
        s = json.loads(out)["score"]
        scores.append(s if s is not None and math.isfinite(s) else math.inf)
    return statistics.fmean(scores)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("lrsweep")
    ap.add_argument("--budget", type=int, default=120)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--rescore", type=int, default=20)
    ap.add_argument("--top", type=int, default=4)
    ap.add_argument("--confirm-repeats", type=int, default=5)
    ap.add_argument("--workers", type=int, default=2)
    a = ap.parse_args()
    bin_ = os.path.abspath(a.lrsweep)
    n_confirm_search = a.budget - a.top * a.confirm_repeats
    strategies = [
        ("repeats 1", a.budget, "", False),
        ("repeats 3", a.budget // 3, "repeats: 3\n", False),
        ("confirm", n_confirm_search,
         "confirm: {top: %d, repeats: %d}\n" % (a.top, a.confirm_repeats), True),
    ]
    rows = {s[0]: [] for s in strategies}
    with tempfile.TemporaryDirectory() as d:
        shutil.copy(os.path.join(EX, "wine.csv"), d)   # the spec's data, beside it
        for seed in range(1, a.seeds + 1):
            base = os.path.join(d, "one-%d.yaml" % seed)
            with open(base, "w") as f:
                f.write(spec_text(seed, a.budget, ""))
            trues = []
            for label, trials, extra, confirmed in strategies:
                name = "%s-%d" % (label.replace(" ", ""), seed)
                _, db = sweep(bin_, d, name, spec_text(seed, trials, extra), a.workers)
                trial, claimed = picked(db, confirmed)
                true = rescore(bin_, base, trial, a.rescore)
                rows[label].append((claimed, true))
                trues.append(true)
                print("seed %d  %-10s trial %4d  claimed %.4f  true %.4f" %
                      (seed, label, trial, claimed, true), file=sys.stderr)
            order = sorted(range(len(trues)), key=lambda i: trues[i])
            for rank, i in enumerate(order, 1):
                rows[strategies[i][0]][-1] += (rank,)
    print("wine-lr, %d runs per strategy, %d sweep seeds, true = mean of %d fresh seeds"
          % (a.budget, a.seeds, a.rescore))
    print("%-30s %10s %10s %10s %10s" % ("strategy", "claimed", "true", "optimism", "mean rank"))
    for label, trials, extra, confirmed in strategies:
        r = rows[label]
        what = "%s (%d trials%s)" % (label, trials,
                                     ", top %d x %d" % (a.top, a.confirm_repeats) if confirmed else "")
        claimed = statistics.fmean(x[0] for x in r)
        true = statistics.fmean(x[1] for x in r)
        print("%-30s %10.4f %10.4f %+10.4f %10.2f" %
              (what, claimed, true, true - claimed, statistics.fmean(x[2] for x in r)))


if __name__ == "__main__":
    main()
