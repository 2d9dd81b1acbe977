#!/usr/bin/python3
"""bench_core_optuna.py — the Optuna 3.1 peer of tests/bench/bench_core.sh.

  orchestration N DB
      N trials of Optuna's RandomSampler with SQLite storage (file DB) over the
      space of bench_core.sh's orchestration spec — lr log-uniform, optimizer
      sgd (momentum) or adam (beta1), scheduler step or cosine — with the same
      cheap synthetic objective (a bowl in log10(lr)).  Prints trials/s.

  torch TRIALS_JSONL DATA_CSV K
      Optuna (SQLite storage, the trials enqueued with enqueue_trial so they
      are exactly lrsweep's) + PyTorch: the first K trials of `lrsweep sample`
      output, each an MLP (13→32→3, ReLU) trained by 5-fold cross-validation
      (KFold order, standardized per training fold) for the trial's epochs with
      mini-batches, SGD(momentum 0.9) and the trial's scheduler.  Prints the
      mean seconds per trial.
"""
import json
import math
import sys
import time

import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)


def synthetic(lr, optimizer, scheduler, momentum):
    adaptive = optimizer != "sgd"
    k = {"step": 1, "cosine": 4}[scheduler]
    centre = (-2.7 if adaptive else -1.6) + 0.12 * (k % 5)
    floor = 0.05 + 0.01 * ((k * 7) % 10) + (0.0 if adaptive else 0.02)
    x = math.log10(lr) - centre
    return floor + 0.2 * x * x + 0.02 * abs(momentum - 0.9) * (not adaptive)


def orchestration(n, db):
    study = optuna.create_study(storage="sqlite:///" + db, sampler=optuna.samplers.RandomSampler(seed=1),
                                study_name="bench", direction="minimize")

    def objective(trial):
        lr = trial.suggest_float("lr", 1e-5, 1.0, log=True)
        optimizer = trial.suggest_categorical("optimizer", ["sgd", "adam"])
        momentum = 0.0
        if optimizer == "sgd":
            momentum = trial.suggest_float("momentum", 0.0, 0.99)
        else:
            trial.suggest_float("beta1", 0.8, 0.95)
        scheduler = trial.suggest_categorical("scheduler", ["step", "cosine"])
        return synthetic(lr, optimizer, scheduler, momentum)

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=n)
    print(n / (time.perf_counter() - t0))


def torch_trials(trials_path, data_path, k):
    import csv

    import torch

    torch.set_num_threads(1)
    rows = list(csv.DictReader(open(data_path)))
    target = "cultivar"
    labels = sorted({r[target] for r in rows}, key=lambda v: float(v) if v.replace(".", "").isdigit() else v)
    feats = [c for c in rows[0] if c != target]
    X = torch.tensor([[float(r[c]) for c in feats] for r in rows])
    Y = torch.tensor([labels.index(r[target]) for r in rows])
    trials = [json.loads(l) for l in open(trials_path)][:k]
    study = optuna.create_study(storage="sqlite:////tmp/lrsweep-bench-torch.db",
                                study_name="torch-%d" % time.time_ns(), direction="minimize")
    for t in trials:
        study.enqueue_trial({"index": t["trial"]})
    by_index = {t["trial"]: t for t in trials}

    def make_sched(opt, p, epochs, steps):
        s = p["scheduler"]
        S = torch.optim.lr_scheduler
        if s == "constant":
            return S.LambdaLR(opt, lambda e: 1.0)
        if s == "step":
            return S.StepLR(opt, p["step_size"], p.get("gamma", 0.1))
        if s == "exponential":
            return S.ExponentialLR(opt, p["gamma"])
        if s == "cosine":
            return S.CosineAnnealingLR(opt, p.get("T_max", epochs), p.get("eta_min", 0.0))
        if s == "onecycle":
            return S.OneCycleLR(opt, p.get("max_lr", p["lr"]), total_steps=epochs,
                                pct_start=p.get("pct_start", 0.3))
        raise ValueError(s)

    def objective(trial):
        p = by_index[trial.suggest_int("index", 0, 10**9)]["params"]
        torch.manual_seed(by_index[trial.params["index"]]["seed"] % (2**63))
        epochs, bs, n = p["epochs"], p.get("batch_size", 32), X.shape[0]
        folds = 5
        losses = []
        for f in range(folds):
            lo = f * (n // folds) + min(f, n % folds)
            hi = lo + n // folds + (1 if f < n % folds else 0)
            tr = torch.cat([torch.arange(0, lo), torch.arange(hi, n)])
            va = torch.arange(lo, hi)
            mu, sd = X[tr].mean(0), X[tr].std(0, unbiased=False).clamp_min(1e-12)
            xtr, xva = (X[tr] - mu) / sd, (X[va] - mu) / sd
            model = torch.nn.Sequential(torch.nn.Linear(13, 32), torch.nn.ReLU(), torch.nn.Linear(32, 3))
            opt = torch.optim.SGD(model.parameters(), lr=p["lr"], momentum=p.get("momentum", 0.9))
            sched = make_sched(opt, p, epochs, 1)
            loss_fn = torch.nn.CrossEntropyLoss()
            for _ in range(epochs):
                perm = torch.randperm(len(tr))
                for b in range(0, len(tr), bs):
                    idx = perm[b:b + bs]
                    opt.zero_grad()
                    loss = loss_fn(model(xtr[idx]), Y[tr][idx])
                    loss.backward()
                    opt.step()
                with torch.no_grad():
                    val = loss_fn(model(xva), Y[va]).item()
                sched.step()
            losses.append(val)
        return sum(losses) / folds

    t0 = time.perf_counter()
    study.optimize(objective, n_trials=len(trials))
    print((time.perf_counter() - t0) / len(trials))


if __name__ == "__main__":
    if sys.argv[1] == "orchestration":
        orchestration(int(sys.argv[2]), sys.argv[3])
    elif sys.argv[1] == "torch":
        torch_trials(sys.argv[2], sys.argv[3], int(sys.argv[4]))
    else:
        sys.exit("usage: bench_core_optuna.py orchestration N DB | torch TRIALS DATA K")
