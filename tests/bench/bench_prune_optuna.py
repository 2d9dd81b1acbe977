#!/usr/bin/python3
"""bench_prune_optuna.py — lrsweep's deterministic pruning against Optuna 3.1's
own pruners, on the same learning curves (run by tests/bench/bench_prune.sh).

usage: /usr/bin/python3 bench_prune_optuna.py NAME UNPRUNED_DB RULE=PRUNED_DB...

  UNPRUNED_DB holds a sweep run without pruning: every trial's whole curve
  (trial_epochs.val_loss, mean over folds).  Each PRUNED_DB holds the same
  sweep run by lrsweep with `pruning:`; its rule and keys are read from the
  stored spec (sweeps.spec), so Optuna gets the same parameters:
    successive_halving  SuccessiveHalvingPruner(min_resource, reduction_factor,
                        min_early_stopping_rate)
    median              MedianPruner(n_startup_trials, n_warmup_steps,
                        interval_steps, n_min_trials)
    percentile          PercentilePruner(percentile, the same four)
    hyperband           HyperbandPruner(min_resource, max_resource,
                        reduction_factor)
  The replay is sequential: an in-memory study (direction minimize,
  RandomSampler(seed=0), nothing sampled), trials asked and told in index
  order; each trial reports its stored val_loss epoch by epoch with
  trial.report(value, epoch) and asks trial.should_prune() after every epoch
  but its last (lrsweep never checks at a trial's last epoch).  A trial Optuna
  prunes is told PRUNED at that epoch; one that diverged in the unpruned run
  stops at its diverged epoch (not reported, not checked) and is told FAIL;
  the rest are told COMPLETE with their score.
  Printed per rule: how many trials lrsweep and Optuna prune, how many
  decisions differ (pruned or not, or pruned at another epoch), and for the
  first few differing trials the bar each side held the trial to and against
  how many values.
"""
import json
import math
import sqlite3
import sys

import numpy as np
import optuna
import yaml
from optuna.trial import TrialState

optuna.logging.set_verbosity(optuna.logging.WARNING)
EXPLAIN = 4  # differing trials explained per rule


def load_unpruned(path):
    con = sqlite3.connect(path)
    trials = {}
    for trial, status, params, score, div in con.execute(
            "SELECT trial, status, params, score, diverged_epoch FROM trials ORDER BY trial"):
        trials[trial] = {"status": status, "epochs": json.loads(params)["epochs"],
                         "score": score, "diverged_epoch": div, "curve": {}}
    for trial, epoch, v in con.execute("SELECT trial, epoch, val_loss FROM trial_epochs"):
        trials[trial]["curve"][epoch] = v
    return trials


def load_pruned(path):
    con = sqlite3.connect(path)
    spec = yaml.safe_load(con.execute("SELECT spec FROM sweeps").fetchone()[0])
    out = {t: (s, pe) for t, s, pe in con.execute("SELECT trial, status, pruned_epoch FROM trials")}
    rungs = {}
    for t, rung, ep, v, best, dec, thr in con.execute(
            "SELECT trial, rung, epoch, value, best, decision, threshold FROM trial_rungs ORDER BY trial, rung"):
        rungs.setdefault(t, []).append((rung, ep, v, best, dec, thr))
    # values lower-index trials stored at each epoch in the pruned run (what lrsweep compares with)
    at = {}
    for t, ep, v in con.execute("SELECT trial, epoch, val_loss FROM trial_epochs"):
        at.setdefault(ep, {})[t] = v
    return spec["pruning"], out, rungs, at


def make_pruner(p):
    rule = p["rule"]
    if rule == "successive_halving":
        return optuna.pruners.SuccessiveHalvingPruner(
            min_resource=p.get("min_resource", "auto"), reduction_factor=p.get("reduction_factor", 4),
            min_early_stopping_rate=p.get("min_early_stopping_rate", 0))
    keys = dict(n_startup_trials=p.get("n_startup_trials", 5), n_warmup_steps=p.get("n_warmup_steps", 0),
                interval_steps=p.get("interval_steps", 1), n_min_trials=p.get("n_min_trials", 1))
    if rule == "median":
        return optuna.pruners.MedianPruner(**keys)
    if rule == "percentile":
        return optuna.pruners.PercentilePruner(p["percentile"], **keys)
    if rule == "hyperband":
        return optuna.pruners.HyperbandPruner(
            min_resource=p.get("min_resource", 1), max_resource=p.get("max_resource", "auto"),
            reduction_factor=p.get("reduction_factor", 3))
    raise SystemExit(f"rule {rule}: not compared")


def replay(name, rule, pruning, trials):
    """Optuna's decisions: {trial: ('pruned', epoch) | status}, plus what it saw."""
    pruner = make_pruner(pruning)
    study = optuna.create_study(study_name=f"bench-prune-{name}-{rule}", direction="minimize",
                                sampler=optuna.samplers.RandomSampler(seed=0), pruner=pruner)
    out, seen, bracket = {}, {}, {}
    for i in sorted(trials):
        t = trials[i]
        ot = study.ask()
        assert ot.number == i
        last = t["diverged_epoch"] if t["status"] == "diverged" and t["diverged_epoch"] else max(t["curve"], default=0)
        res = None
        for e in range(1, last + 1):
            v = t["curve"].get(e)
            if t["status"] == "diverged" and (e == last or v is None):
                break
            ot.report(float("nan") if v is None else v, e)
            if e >= t["epochs"]:
                continue
            if rule in ("median", "percentile"):
                done = study.get_trials(deepcopy=False, states=(TrialState.COMPLETE,))
                vals = [c.intermediate_values[e] for c in done if e in c.intermediate_values]
                seen[(i, e)] = len(vals)
            if ot.should_prune():
                res = ("pruned", e)
                study.tell(ot, state=TrialState.PRUNED)
                break
        if rule == "hyperband" and pruner._n_brackets is not None:
            bracket[i] = pruner._get_bracket_id(study, study._storage.get_trial(ot._trial_id))
        if res is None:
            if t["status"] == "complete":
                res = "complete"
                study.tell(ot, t["score"])
            else:
                res = t["status"]
                study.tell(ot, state=TrialState.FAIL)
        out[i] = res
    return out, seen, bracket, study


def fmt(d):
    return f"pruned at {d[1]}" if isinstance(d, tuple) else d


def lrs_decision(s, pe):
    return ("pruned", pe) if s == "pruned" else s


def main():
    if len(sys.argv) < 4:
        raise SystemExit(__doc__)
    name, udb = sys.argv[1], sys.argv[2]
    trials = load_unpruned(udb)
    print(f"## {name}: lrsweep's pruned set against Optuna {optuna.__version__}'s pruner, "
          f"sequential replay of the unpruned curves ({len(trials)} trials)")
    print()
    print("| rule | lrsweep pruned | Optuna pruned | decisions differ | both pruned, other epoch |")
    print("|---|---|---|---|---|")
    notes = []
    for arg in sys.argv[3:]:
        rule, pdb = arg.split("=", 1)
        pruning, lout, rungs, at = load_pruned(pdb)
        oout, seen, bracket, study = replay(name, rule, pruning, trials)
        lrs = {i: lrs_decision(*lout[i]) for i in lout}
        diff = [i for i in sorted(trials) if lrs.get(i) != oout[i]]
        other_epoch = [i for i in diff if isinstance(lrs.get(i), tuple) and isinstance(oout[i], tuple)]
        npl = sum(isinstance(d, tuple) for d in lrs.values())
        npo = sum(isinstance(d, tuple) for d in oout.values())
        print(f"| {rule} | {npl} | {npo} | {len(diff)} | {len(other_epoch)} |")
        n = [f"{rule} ({', '.join(f'{k} {v}' for k, v in pruning.items() if k != 'rule')}): "
             f"{len(diff)} of {len(trials)} differ"]
        if rule == "hyperband" and bracket:
            mr, rf = pruning.get("min_resource", 1), pruning.get("reduction_factor", 3)
            lb = {}
            for i, rs in rungs.items():
                e0 = rs[0][1]
                lb[i] = round(math.log(e0 / mr, rf))
            agree = sum(1 for i in lb if bracket.get(i) == lb[i])
            sizes_o = np.bincount(list(bracket.values()), minlength=pruner_brackets(bracket)).tolist()
            sizes_l = np.bincount(list(lb.values()), minlength=pruner_brackets(bracket)).tolist()
            n.append(f"  brackets: lrsweep {sizes_l} trials, Optuna (crc32 of study name and trial "
                     f"number) {sizes_o}; the same bracket for {agree} of the {len(lb)} trials with a rung")
        for i in diff[:EXPLAIN]:
            n.append(f"  trial {i}: lrsweep {fmt(lrs.get(i))}, Optuna {fmt(oout[i])}"
                     + explain(rule, i, lrs.get(i), oout[i], rungs.get(i, []), at, seen, bracket, study, trials))
        notes.append(n)
    print()
    for n in notes:
        print("\n".join(n))


def pruner_brackets(bracket):
    return max(bracket.values()) + 1 if bracket else 0


def explain(rule, i, ld, od, rungs, at, seen, bracket, study, trials):
    """Why the two differ, from what each side compared the trial with."""
    parts = []
    # the first epoch where the two disagree: the earlier of the two prune epochs
    e = min(d[1] for d in (ld, od) if isinstance(d, tuple))
    r = next((r for r in rungs if r[1] == e), None)
    if r is not None:
        _, ep, v, best, dec, thr = r
        lower = [t for t, _ in at.get(ep, {}).items() if t < i]
        parts.append(f"lrsweep at epoch {ep}: {'best' if rule in ('median', 'percentile') else 'value'} "
                     f"{(best if rule in ('median', 'percentile') else v):.4g} vs bar "
                     f"{'none' if thr is None else format(thr, '.4g')} ({len(lower)} lower-index trials "
                     f"with epoch {ep}) → {dec}")
    if ld == "diverged" and r is None:
        parts.append(f"lrsweep asked no rung at {e}: in k-fold lock step a later fold diverged before it "
                     f"(the stored curve, the mean over the folds up to the first diverging one in fold "
                     f"order, is finite there), so later trials also miss its rung value")
    if rule in ("median", "percentile") and (i, e) in seen:
        parts.append(f"Optuna at epoch {e}: compares with complete trials only, {seen[(i, e)]} of them")
    if rule == "successive_halving":
        ot = study.trials[i]
        k = [key for key in ot.system_attrs if key.startswith("completed_rung_")]
        parts.append(f"Optuna reached {len(k)} rung(s)")
    if rule == "hyperband" and i in bracket:
        parts.append(f"Optuna put it in bracket {bracket[i]}"
                     + (f", lrsweep's first rung is epoch {rungs[0][1]}" if rungs else ", lrsweep recorded no rung"))
    return ": " + "; ".join(parts) if parts else ""


if __name__ == "__main__":
    main()
