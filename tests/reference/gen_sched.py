#!/usr/bin/python3
"""gen_sched.py — goldens for worker/sched.c, produced by torch.optim.lr_scheduler.

Run with /usr/bin/python3 (it has torch 1.13) from anywhere:
    /usr/bin/python3 tests/reference/gen_sched.py
It writes tests/reference/golden/sched.json, read by tests/reference/test_sched.c.

Each case is a list of lrsweep `name=value` words plus an epoch count.  The
script builds the torch scheduler those words mean (DESIGN.md): one dummy
parameter, SGD, the scheduler stepped once per epoch; with warmup_epochs > 0,
SequentialLR([LinearLR(warmup_start_factor, 1.0, warmup_epochs), main],
milestones=[warmup_epochs]).  Only the words given are passed to torch, so
torch's own defaults are what lrsweep's defaults are checked against; the
lrsweep conventions with no torch default are filled here: T_max = epochs,
max_lr = lr, OneCycleLR total_steps = epochs, `constant` = LambdaLR(1.0).

The LR of epoch e (1-based) is the group's lr after e-1 calls of step(); that
is get_last_lr(), which ReduceLROnPlateau lacks before its first step.
plateau cases store the validation losses they feed step() (loss of epoch e
after epoch e).  A case torch refuses stores the exception instead of LRs.
"""
import json
import math
import os
import warnings

import torch
from torch.optim import lr_scheduler as lrs

INT_PARAMS = {"step_size", "T_max", "T_0", "T_mult", "total_iters", "patience", "cooldown",
              "warmup_epochs", "epochs"}
STR_PARAMS = {"scheduler", "anneal_strategy", "mode", "threshold_mode"}


def parse_words(words):
    p = {}
    for w in words:
        k, v = w.split("=", 1)
        if k in INT_PARAMS:
            p[k] = int(v)
        elif k in STR_PARAMS:
            p[k] = v
        elif k == "milestones":
            p[k] = [int(x) for x in v.split(",")]
        else:
            p[k] = float(v)
    return p


def pick(p, *names):
    return {n: p[n] for n in names if n in p}


def build_main(opt, p, epochs):
    kind = p.get("scheduler", "constant")
    lr = p.get("lr", 0.01)
    if kind == "constant":
        return lrs.LambdaLR(opt, lambda epoch: 1.0)
    if kind == "step":
        return lrs.StepLR(opt, p["step_size"], **pick(p, "gamma"))
    if kind == "multistep":
        return lrs.MultiStepLR(opt, p["milestones"], **pick(p, "gamma"))
    if kind == "exponential":
        return lrs.ExponentialLR(opt, p["gamma"])
    if kind == "cosine":
        return lrs.CosineAnnealingLR(opt, T_max=p.get("T_max", epochs), **pick(p, "eta_min"))
    if kind == "cosine_warm_restarts":
        return lrs.CosineAnnealingWarmRestarts(opt, p["T_0"], **pick(p, "T_mult", "eta_min"))
    if kind == "linear":
        return lrs.LinearLR(opt, **pick(p, "start_factor", "end_factor", "total_iters"))
    if kind == "onecycle":
        return lrs.OneCycleLR(opt, max_lr=p.get("max_lr", lr), total_steps=epochs, three_phase=False,
                              **pick(p, "pct_start", "anneal_strategy", "div_factor",
                                     "final_div_factor"))
    if kind == "polynomial":
        return lrs.PolynomialLR(opt, **pick(p, "total_iters", "power"))
    if kind == "plateau":
        return lrs.ReduceLROnPlateau(opt, **pick(p, "mode", "factor", "patience", "threshold",
                                                 "threshold_mode", "cooldown", "min_lr"))
    raise ValueError("unknown scheduler " + kind)


def run(words, epochs, val_losses):
    p = parse_words(words)
    param = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([param], lr=p.get("lr", 0.01))
    warm = p.get("warmup_epochs", 0)
    warm_sched = None
    if warm > 0:
        warm_sched = lrs.LinearLR(opt, end_factor=1.0, total_iters=warm,
                                  **({"start_factor": p["warmup_start_factor"]}
                                     if "warmup_start_factor" in p else {}))
    main = build_main(opt, p, epochs)
    sched = lrs.SequentialLR(opt, [warm_sched, main], milestones=[warm]) if warm else main
    plateau = isinstance(sched, lrs.ReduceLROnPlateau)
    out = []
    for e in range(1, epochs + 1):
        lr = opt.param_groups[0]["lr"]
        if not plateau:
            assert sched.get_last_lr()[0] == lr
        out.append(lr)
        if e == epochs:
            break
        opt.step()
        if plateau:
            sched.step(val_losses[e - 1])
        else:
            sched.step()
    return out


def losses_plateauing(n, start, floor, rate, wobble):
    """A loss curve that falls towards `floor` and then wobbles on it."""
    return [floor + (start - floor) * math.exp(-rate * i) + wobble * math.sin(1.7 * i)
            for i in range(n)]


def case(name, words, epochs, val_losses=None):
    return {"name": name, "words": words, "epochs": epochs, "val_losses": val_losses}


def cases():
    c = []
    add = c.append
    add(case("constant", ["scheduler=constant", "lr=0.1"], 5))
    add(case("constant_warmup", ["lr=0.1", "warmup_epochs=3"], 8))
    add(case("step_3", ["scheduler=step", "lr=0.1", "step_size=3"], 12))
    add(case("step_2_half", ["scheduler=step", "lr=0.05", "step_size=2", "gamma=0.5"], 10))
    add(case("step_1_long", ["scheduler=step", "lr=0.3", "step_size=1", "gamma=0.9"], 30))
    add(case("multistep_default_gamma", ["scheduler=multistep", "lr=0.1", "milestones=3,7"], 12))
    add(case("multistep_many", ["scheduler=multistep", "lr=0.2", "milestones=2,4,5,9",
                                "gamma=0.5"], 12))
    add(case("exponential", ["scheduler=exponential", "lr=0.1", "gamma=0.9"], 20))
    add(case("exponential_long", ["scheduler=exponential", "lr=1", "gamma=0.99"], 400))
    add(case("cosine_exact", ["scheduler=cosine", "lr=0.1", "T_max=10"], 10))
    add(case("cosine_default_tmax", ["scheduler=cosine", "lr=0.05", "eta_min=0.01"], 15))
    add(case("cosine_past_tmax", ["scheduler=cosine", "lr=0.1", "T_max=5"], 23))
    add(case("cosine_past_tmax_eta", ["scheduler=cosine", "lr=0.1", "T_max=4", "eta_min=0.001"], 30))
    add(case("cosine_tmax_1", ["scheduler=cosine", "lr=0.1", "T_max=1"], 6))
    add(case("cosine_eta_big", ["scheduler=cosine", "lr=0.1", "T_max=7", "eta_min=0.05"], 40))
    add(case("cosine_long", ["scheduler=cosine", "lr=0.02", "T_max=50", "eta_min=1e-4"], 300))
    add(case("warm_restarts", ["scheduler=cosine_warm_restarts", "lr=0.1", "T_0=5"], 20))
    add(case("warm_restarts_mult2", ["scheduler=cosine_warm_restarts", "lr=0.1", "T_0=3",
                                     "T_mult=2", "eta_min=0.001"], 25))
    add(case("warm_restarts_t0_1_mult3", ["scheduler=cosine_warm_restarts", "lr=0.5", "T_0=1",
                                          "T_mult=3"], 15))
    add(case("linear_default", ["scheduler=linear", "lr=0.1"], 8))
    add(case("linear_part", ["scheduler=linear", "lr=0.1", "start_factor=0.25", "end_factor=0.75",
                             "total_iters=4"], 8))
    add(case("linear_to_zero", ["scheduler=linear", "lr=0.1", "start_factor=1", "end_factor=0",
                                "total_iters=10"], 12))
    add(case("onecycle_cos", ["scheduler=onecycle", "lr=0.01", "max_lr=0.1"], 20))
    add(case("onecycle_linear", ["scheduler=onecycle", "max_lr=0.5", "pct_start=0.25",
                                 "anneal_strategy=linear"], 16))
    add(case("onecycle_factors", ["scheduler=onecycle", "max_lr=0.1", "pct_start=0.5",
                                  "div_factor=10", "final_div_factor=100"], 11))
    add(case("onecycle_default_max", ["scheduler=onecycle", "lr=0.2", "anneal_strategy=linear"], 10))
    add(case("onecycle_pct0", ["scheduler=onecycle", "max_lr=0.1", "pct_start=0"], 6))
    add(case("onecycle_pct1", ["scheduler=onecycle", "max_lr=0.1", "pct_start=1"], 6))
    add(case("onecycle_1_epoch", ["scheduler=onecycle", "max_lr=0.1"], 1))
    add(case("onecycle_zero_phase", ["scheduler=onecycle", "max_lr=0.1", "pct_start=0.1"], 10))
    add(case("polynomial_default", ["scheduler=polynomial", "lr=0.1"], 8))
    add(case("polynomial_power2", ["scheduler=polynomial", "lr=0.1", "power=2", "total_iters=6"], 10))
    add(case("polynomial_sqrt", ["scheduler=polynomial", "lr=0.3", "power=0.5",
                                 "total_iters=10"], 12))
    add(case("plateau_min_rel", ["scheduler=plateau", "lr=0.1", "patience=2"], 20,
             losses_plateauing(19, 1.0, 0.3, 0.5, 0.002)))
    add(case("plateau_min_abs_cooldown", ["scheduler=plateau", "lr=0.1", "threshold_mode=abs",
                                          "threshold=0.05", "patience=1", "cooldown=2"], 25,
             losses_plateauing(24, 2.0, 0.5, 0.3, 0.01)))
    add(case("plateau_max_rel", ["scheduler=plateau", "lr=0.05", "mode=max", "patience=2",
                                 "factor=0.5", "threshold=0.01"], 20,
             [0.5 + 0.4 * (1 - math.exp(-0.4 * i)) + 0.003 * math.cos(2.1 * i) for i in range(19)]))
    add(case("plateau_max_abs_minlr", ["scheduler=plateau", "lr=0.05", "mode=max",
                                       "threshold_mode=abs", "threshold=0.01", "patience=0",
                                       "cooldown=1", "min_lr=0.002", "factor=0.5"], 20,
             [0.6 + 0.02 * math.sin(0.9 * i) for i in range(19)]))
    # each cut halves the lr until the cut would be below eps = 1e-8
    add(case("plateau_eps", ["scheduler=plateau", "lr=1e-7", "patience=0", "factor=0.5"], 10,
             [1.0] * 9))
    add(case("plateau_defaults_long", ["scheduler=plateau", "lr=0.1"], 60,
             losses_plateauing(59, 1.0, 0.2, 0.3, 0.001)))
    add(case("warmup_step", ["scheduler=step", "lr=0.1", "step_size=2", "warmup_epochs=3"], 12))
    add(case("warmup_cosine", ["scheduler=cosine", "lr=0.1", "warmup_epochs=5"], 20))
    add(case("warmup_cosine_past_tmax", ["scheduler=cosine", "lr=0.1", "T_max=5", "eta_min=0.01",
                                         "warmup_epochs=4"], 20))
    add(case("warmup_exponential", ["scheduler=exponential", "lr=0.1", "gamma=0.8",
                                    "warmup_epochs=2", "warmup_start_factor=0.1"], 10))
    add(case("warmup_onecycle", ["scheduler=onecycle", "lr=0.01", "max_lr=0.1",
                                 "warmup_epochs=3"], 15))
    add(case("warmup_multistep", ["scheduler=multistep", "lr=0.1", "milestones=2,5",
                                  "warmup_epochs=2"], 10))
    add(case("warmup_warm_restarts", ["scheduler=cosine_warm_restarts", "lr=0.1", "T_0=3",
                                      "T_mult=2", "warmup_epochs=4"], 16))
    add(case("warmup_linear", ["scheduler=linear", "lr=0.1", "start_factor=0.5", "total_iters=4",
                               "warmup_epochs=3"], 12))
    add(case("warmup_polynomial", ["scheduler=polynomial", "lr=0.1", "power=2", "total_iters=4",
                                   "warmup_epochs=2"], 10))
    add(case("warmup_1_half", ["scheduler=step", "lr=0.1", "step_size=2", "warmup_epochs=1",
                               "warmup_start_factor=0.5"], 6))
    add(case("warmup_plateau", ["scheduler=plateau", "lr=0.1", "warmup_epochs=2"], 6, [1.0] * 5))
    add(case("linear_start_zero", ["scheduler=linear", "lr=0.1", "start_factor=0"], 6))
    return c


def main():
    warnings.simplefilter("ignore")
    here = os.path.dirname(os.path.abspath(__file__))
    out_cases = []
    for c in cases():
        entry = {"name": c["name"], "words": c["words"], "epochs": c["epochs"]}
        if c["val_losses"] is not None:
            entry["val_losses"] = c["val_losses"]
        try:
            entry["lrs"] = run(c["words"], c["epochs"], c["val_losses"])
        except (ValueError, TypeError, ZeroDivisionError, AttributeError) as exc:
            # SequentialLR + ReduceLROnPlateau fails at the milestone (the
            # plateau scheduler has no get_last_lr); the others fail at once.
            entry["error"] = "%s: %s" % (type(exc).__name__, exc)
        out_cases.append(entry)
    doc = {"generator": "tests/reference/gen_sched.py", "torch": torch.__version__,
           "cases": out_cases}
    path = os.path.join(here, "golden", "sched.json")
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    n_err = sum(1 for e in out_cases if "error" in e)
    print("wrote %s: %d cases (%d refused by torch)" % (path, len(out_cases), n_err))


if __name__ == "__main__":
    main()
