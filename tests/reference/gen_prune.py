#!/usr/bin/python3
"""gen_prune.py — goldens for common/prune.c, produced by Optuna 3.1's pruners.

Run with /usr/bin/python3 (it has python3-optuna 3.1 and numpy 1.24):
    /usr/bin/python3 tests/reference/gen_prune.py
It writes tests/reference/golden/prune.json, read by tests/reference/test_prune.c.

Fixed curves (seeded, written into the golden) are replayed trial after
trial, in index order, one epoch (= Optuna step) at a time, with no check at
a trial's last epoch.  Replayed this way, the set Optuna compares with is the
one lrsweep compares with — the lower-index trials — so the decisions must be
equal, trial for trial and epoch for epoch:

  successive_halving, hyperband: a real study (ask, report, should_prune,
      tell).  SuccessiveHalvingPruner compares with every trial that stored a
      value for the rung, which in an in-order replay are the lower-index
      ones.  Hyperband's bracket of a trial is a CRC32 hash of the study id
      and trial number in Optuna and trial number mod the bracket budget in
      lrsweep; the replay assigns Optuna's brackets the lrsweep way (the only
      thing replaced) and keeps everything else: bracket count and budgets,
      one SuccessiveHalvingPruner per bracket, bracket-filtered studies.
  median, percentile, threshold: PercentilePruner compares with COMPLETE
      trials only; lrsweep with every lower-index trial that reached the
      step.  For trial i the replay builds a study whose complete trials are
      exactly trials 0..i-1 with the values they reported (up to the epoch
      they stopped at), and asks the pruner about trial i's values so far.

Each case stores the epoch each trial was pruned at (0: ran to the end).
`percentiles` holds numpy.percentile(values, q) ("linear") for the bits of
lrs_prune_percentile_sorted.
"""
import json
import math
import os
import random

import numpy as np
import optuna
from optuna.pruners import (HyperbandPruner, MedianPruner, PercentilePruner,
                            SuccessiveHalvingPruner, ThresholdPruner)
from optuna.trial import TrialState, create_trial

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "golden", "prune.json")
optuna.logging.set_verbosity(optuna.logging.ERROR)


def curves(seed, n, epochs, maximize, nan_at=None):
    """Loss-like decaying curves (accuracy-like when maximize), some crossing."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b, c = rng.uniform(0.2, 2.0), rng.uniform(0.02, 0.5), rng.uniform(0.05, 0.6)
        row = []
        for e in range(1, epochs + 1):
            v = a * math.exp(-b * e) + c + rng.gauss(0.0, 0.02)
            row.append(round(1.0 - v / 3.0 if maximize else v, 6))
        out.append(row)
    for (i, e) in (nan_at or []):
        out[i][e - 1] = float("nan")
    return out


def bracket_by_index(self, study, trial):
    if len(self._pruners) == 0:
        return 0
    n = trial.number % self._total_trial_allocation_budget
    for b, budget in enumerate(self._trial_allocation_budgets):
        n -= budget
        if n < 0:
            return b
    return len(self._pruners) - 1


HyperbandPruner._get_bracket_id = bracket_by_index


def replay_study(pruner, curve, direction):
    """A real study, trials in index order: the epoch each was pruned at."""
    study = optuna.create_study(direction=direction, pruner=pruner,
                                sampler=optuna.samplers.RandomSampler(seed=0))
    stops = []
    for row in curve:
        trial = study.ask()
        stop = 0
        for e, v in enumerate(row, start=1):
            trial.report(v, e)
            if e < len(row) and trial.should_prune():
                stop = e
                break
        if stop:
            study.tell(trial, state=TrialState.PRUNED)
        else:
            study.tell(trial, row[-1] if not math.isnan(row[-1]) else 0.0)
        stops.append(stop)
    extra = {}
    if isinstance(pruner, HyperbandPruner):
        extra = {"n_brackets": pruner._n_brackets,
                 "budgets": list(pruner._trial_allocation_budgets)}
    return stops, extra


def replay_lower(pruner, curve, direction):
    """Trial i against a study holding trials 0..i-1 as complete."""
    stops = []
    for i, row in enumerate(curve):
        study = optuna.create_study(direction=direction, pruner=pruner)
        for j in range(i):
            upto = stops[j] or len(curve[j])
            study.add_trial(create_trial(
                state=TrialState.COMPLETE, value=0.0,
                intermediate_values={s: curve[j][s - 1] for s in range(1, upto + 1)}))
        stop = 0
        for e in range(1, len(row)):
            frozen = create_trial(state=TrialState.RUNNING,
                                  intermediate_values={s: row[s - 1] for s in range(1, e + 1)})
            frozen.number = i
            if pruner.prune(study, frozen):
                stop = e
                break
        stops.append(stop)
    return stops, {}


def case(name, rule, params, pruner, maximize, curve, replay):
    direction = "maximize" if maximize else "minimize"
    stops, extra = replay(pruner, curve, direction)
    doc = {"name": name, "rule": rule, "params": params, "maximize": maximize,
           "curves": [[v if not math.isnan(v) else None for v in row] for row in curve],
           "pruned_at": stops}
    doc.update(extra)
    return doc


def main():
    cases = []
    c = curves(1, 40, 20, False)
    cases.append(case("median_default", "median", {}, MedianPruner(), False, c, replay_lower))
    cases.append(case("median_warmup_interval", "median",
                      {"n_startup_trials": 3, "n_warmup_steps": 3, "interval_steps": 2,
                       "n_min_trials": 4},
                      MedianPruner(n_startup_trials=3, n_warmup_steps=3, interval_steps=2,
                                   n_min_trials=4), False, c, replay_lower))
    cm = curves(2, 40, 16, True, nan_at=[(7, 5)])
    cases.append(case("percentile_25_max", "percentile", {"percentile": 25.0},
                      PercentilePruner(25.0), True, cm, replay_lower))
    cases.append(case("percentile_70_min", "percentile",
                      {"percentile": 70.0, "n_startup_trials": 2},
                      PercentilePruner(70.0, n_startup_trials=2), False,
                      curves(3, 30, 12, False, nan_at=[(4, 6)]), replay_lower))
    cs = curves(4, 60, 30, False)
    cases.append(case("sh_min2_rf3", "successive_halving",
                      {"min_resource": 2, "reduction_factor": 3},
                      SuccessiveHalvingPruner(min_resource=2, reduction_factor=3), False, cs,
                      replay_study))
    cases.append(case("sh_default_rf4", "successive_halving", {"min_resource": 1},
                      SuccessiveHalvingPruner(min_resource=1), False, cs, replay_study))
    cases.append(case("sh_rate1_max", "successive_halving",
                      {"min_resource": 1, "reduction_factor": 2, "min_early_stopping_rate": 1},
                      SuccessiveHalvingPruner(min_resource=1, reduction_factor=2,
                                              min_early_stopping_rate=1), True,
                      curves(5, 50, 20, True, nan_at=[(9, 4)]), replay_study))
    cases.append(case("hyperband_1_27_rf3", "hyperband",
                      {"min_resource": 1, "max_resource": 27, "reduction_factor": 3},
                      HyperbandPruner(min_resource=1, max_resource=27, reduction_factor=3), False,
                      curves(6, 80, 27, False), replay_study))
    cases.append(case("hyperband_2_60_rf2_max", "hyperband",
                      {"min_resource": 2, "max_resource": 60, "reduction_factor": 2},
                      HyperbandPruner(min_resource=2, max_resource=60, reduction_factor=2), True,
                      curves(7, 70, 30, True), replay_study))
    cases.append(case("threshold_band", "threshold",
                      {"lower": 0.1, "upper": 1.2, "n_warmup_steps": 2},
                      ThresholdPruner(lower=0.1, upper=1.2, n_warmup_steps=2), False,
                      curves(8, 30, 10, False, nan_at=[(3, 5)]), replay_lower))

    rng = np.random.default_rng(9)
    percentiles = []
    for n in (1, 2, 3, 5, 8, 13, 40):
        values = sorted(rng.normal(0.5, 0.3, n).round(7).tolist())
        for q in (0.0, 10.0, 25.0, 33.3, 50.0, 66.7, 75.0, 90.0, 100.0):
            percentiles.append({"values": values, "q": q,
                                "p": float(np.percentile(np.array(values), q))})
    doc = {"generator": "tests/reference/gen_prune.py", "optuna": optuna.__version__,
           "numpy": np.__version__, "cases": cases, "percentiles": percentiles}
    with open(OUT, "w") as f:
        json.dump(doc, f, indent=None, separators=(",", ":"))
        f.write("\n")
    for cdoc in cases:
        n = sum(1 for s in cdoc["pruned_at"] if s)
        print(f"{cdoc['name']}: {n}/{len(cdoc['pruned_at'])} pruned")


if __name__ == "__main__":
    main()
