#!/usr/bin/python3
"""bench_torch.py — the PyTorch peer of tests/bench/bench_engine.sh.

Runs one benchmark case REPS times on one thread (float64, like lrsweep) and
prints the mean seconds per trial.  The loops are what a careful PyTorch user
writes: tensors prepared once, no DataLoader, zero_grad / forward / backward /
step, scheduler.step() per epoch.

  a  nn.Linear(5, 3), MSE, SGD lr 0.01, StepLR(10, 0.1), 100 epochs, each
     epoch 100 fresh N(0, 1) samples (targets from a fixed linear map + noise)
  b  5-fold CV (KFold order) of nn.Linear(5, 3) on 500 rows: per fold
     standardize on the training rows, fresh model from the same init, SGD,
     100 full-batch epochs, validation loss after each epoch
  c  MLP 20→64→64→1 (ReLU), MSE, SGD, 10,000 rows, shuffled batches of 64,
     5 epochs

usage: bench_torch.py CASE REPS
"""
import sys
import time

import torch

torch.set_num_threads(1)
torch.set_default_dtype(torch.float64)


def case_a():
    gen = torch.Generator().manual_seed(0)
    W = torch.randn(3, 5, generator=gen)
    model = torch.nn.Linear(5, 3)
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    sched = torch.optim.lr_scheduler.StepLR(opt, step_size=10, gamma=0.1)
    loss_fn = torch.nn.MSELoss()
    for _ in range(100):
        x = torch.randn(100, 5, generator=gen)
        y = x @ W.T + 0.1 * torch.randn(100, 3, generator=gen)
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        sched.step()
    return loss.item()


def make_b_data():
    gen = torch.Generator().manual_seed(1)
    X = torch.randn(500, 5, generator=gen)
    Y = X @ torch.randn(3, 5, generator=gen).T + 0.1 * torch.randn(500, 3, generator=gen)
    return X, Y


def case_b(X, Y):
    n, k = X.shape[0], 5
    init = torch.nn.Linear(5, 3).state_dict()
    model = torch.nn.Linear(5, 3)
    loss_fn = torch.nn.MSELoss()
    scores = []
    for f in range(k):
        lo, hi = f * n // k, (f + 1) * n // k
        val = torch.zeros(n, dtype=torch.bool)
        val[lo:hi] = True
        Xtr, Ytr, Xva, Yva = X[~val], Y[~val], X[val], Y[val]
        mean, std = Xtr.mean(0), Xtr.std(0, unbiased=False)
        Xtr, Xva = (Xtr - mean) / std, (Xva - mean) / std
        model.load_state_dict(init)
        opt = torch.optim.SGD(model.parameters(), lr=0.01)
        for _ in range(100):
            opt.zero_grad()
            loss = loss_fn(model(Xtr), Ytr)
            loss.backward()
            opt.step()
            with torch.no_grad():
                val_loss = loss_fn(model(Xva), Yva).item()
        scores.append(val_loss)
    return sum(scores) / k


def make_c_data():
    gen = torch.Generator().manual_seed(2)
    X = torch.randn(10000, 20, generator=gen)
    Y = X @ torch.randn(1, 20, generator=gen).T + 0.1 * torch.randn(10000, 1, generator=gen)
    return X, Y


def case_c(X, Y):
    model = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64),
                                torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.01)
    loss_fn = torch.nn.MSELoss()
    n = X.shape[0]
    for _ in range(5):
        perm = torch.randperm(n)
        for start in range(0, n, 64):
            idx = perm[start:start + 64]
            opt.zero_grad()
            loss = loss_fn(model(X[idx]), Y[idx])
            loss.backward()
            opt.step()
    return loss.item()


def main():
    case, reps = sys.argv[1], int(sys.argv[2])
    if case == "a":
        run = case_a
    elif case == "b":
        X, Y = make_b_data()
        run = lambda: case_b(X, Y)   # noqa: E731
    elif case == "c":
        X, Y = make_c_data()
        run = lambda: case_c(X, Y)   # noqa: E731
    else:
        sys.exit("unknown case %r" % case)
    run()   # warm-up: first-call allocations and dispatch caches
    t0 = time.perf_counter()
    for _ in range(reps):
        run()
    print("%.9f" % ((time.perf_counter() - t0) / reps))


if __name__ == "__main__":
    main()
