#!/usr/bin/python3
"""gen_train.py — goldens for `lrsweep train`: full k-fold cross-validation
run by PyTorch (float64) and scikit-learn exactly as lrsweep defines a trial.

Run from anywhere with /usr/bin/python3 (torch 1.13, scikit-learn 1.2).  It
writes into tests/reference/golden/:
  train_data_reg.csv, train_data_cls.csv   small fixed data sets
  train_init_*.json                        initial weights (the --init format)
  train_*.json                             one golden per case: the lrsweep
                                           argv, and the expected per-epoch
                                           means, per-fold results and score

A trial, as lrsweep defines it: folds from KFold / StratifiedKFold without
shuffling (or the last rows as holdout); StandardScaler fitted on each
training fold and applied to both sides; every fold starts from the same
initial weights with a fresh optimizer and scheduler; per epoch one
full-batch step (train_loss = the loss of that forward pass), then val_loss
on the validation fold, then scheduler.step() (plateau: step(val_loss)).
Per-epoch values are means over folds; score = mean final val_loss, score_std
its population std.  Data values are written with 6 decimals and read back
from the text, so both sides start from identical doubles.
"""
import json
import os
import warnings

import numpy as np
import torch
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler, LabelEncoder

torch.set_default_dtype(torch.float64)
# SequentialLR calls step(0) on the scheduler it switches to (PyTorch 1.13); that
# deprecation warning is expected here.
warnings.filterwarnings("ignore", message="The epoch parameter")
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")


def write_csv(name, header, rows):
    path = os.path.join(GOLDEN, name)
    with open(path, "w") as f:
        f.write(",".join(header) + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")
    return path


def make_regression_data():
    """60 rows, 4 features of very different scales, 2 targets."""
    rng = np.random.RandomState(7)
    n = 60
    X = rng.randn(n, 4) * np.array([1.0, 10.0, 0.1, 3.0]) + np.array([0.0, 5.0, -1.0, 2.0])
    W = np.array([[1.5, -0.2, 4.0, 0.5], [-0.7, 0.1, 2.0, -1.0]])
    Y = X @ W.T + 0.3 * rng.randn(n, 2) + np.array([1.0, -2.0])
    rows = [["%.6f" % v for v in list(x) + list(y)] for x, y in zip(X, Y)]
    write_csv("train_data_reg.csv", ["x1", "x2", "x3", "x4", "y1", "y2"], rows)
    num = np.array([[float(v) for v in r] for r in rows])
    return num[:, :4], num[:, 4:]


def make_classification_data():
    """90 rows, 3 features, 3 string classes (sorted: blue, green, red);
    the target column sits between features to exercise column handling."""
    rng = np.random.RandomState(11)
    names = ["red", "green", "blue"]
    centers = np.array([[0.0, 2.0, 10.0], [1.5, 0.5, 12.0], [-1.0, -0.5, 11.0]])
    rows, X, labels = [], [], []
    for i in range(90):
        c = [0, 1, 2, 1, 0, 2][i % 6] if i % 7 else (i // 7) % 3
        x = centers[c] + rng.randn(3) * np.array([1.0, 1.0, 2.0])
        t = ["%.6f" % v for v in x]
        rows.append([t[0], t[1], names[c], t[2]])
        X.append([float(v) for v in t])
        labels.append(names[c])
    write_csv("train_data_cls.csv", ["f1", "f2", "species", "f3"], rows)
    y = LabelEncoder().fit_transform(labels)   # sorted label order, as lrsweep
    return np.array(X), y


def build_model(sizes, activation, seed):
    torch.manual_seed(seed)
    layers = []
    for i in range(len(sizes) - 1):
        layers.append(torch.nn.Linear(sizes[i], sizes[i + 1]))
        if i < len(sizes) - 2:
            layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
    return torch.nn.Sequential(*layers)


def save_init(model, name):
    linears = [m for m in model if isinstance(m, torch.nn.Linear)]
    doc = {"layers": [{"weight": l.weight.detach().tolist(), "bias": l.bias.detach().tolist()}
                      for l in linears]}
    with open(os.path.join(GOLDEN, name), "w") as f:
        json.dump(doc, f)
    return {k: v.clone() for k, v in model.state_dict().items()}


def run_trial(X, Y, task, splits, model, init_state, make_opt, make_sched, epochs, standardize,
              plateau=False):
    loss_fn = torch.nn.MSELoss() if task == "regression" else torch.nn.CrossEntropyLoss()
    ep_lr = np.zeros((len(splits), epochs))
    ep_train = np.zeros((len(splits), epochs))
    ep_val = np.zeros((len(splits), epochs))
    folds = []
    for f, (tr, va) in enumerate(splits):
        Xtr, Xva = X[tr], X[va]
        if standardize:
            sc = StandardScaler().fit(Xtr)
            Xtr, Xva = sc.transform(Xtr), sc.transform(Xva)
        Xtr, Xva = torch.tensor(Xtr), torch.tensor(Xva)
        if task == "regression":
            Ytr, Yva = torch.tensor(Y[tr]), torch.tensor(Y[va])
        else:
            Ytr, Yva = torch.tensor(Y[tr], dtype=torch.long), torch.tensor(Y[va], dtype=torch.long)
        model.load_state_dict(init_state)
        opt = make_opt(model.parameters())
        sched = make_sched(opt)
        for e in range(epochs):
            ep_lr[f, e] = opt.param_groups[0]["lr"]
            opt.zero_grad()
            loss = loss_fn(model(Xtr), Ytr)
            loss.backward()
            opt.step()
            with torch.no_grad():
                out = model(Xva)
                vl = loss_fn(out, Yva).item()
            ep_train[f, e] = loss.item()
            ep_val[f, e] = vl
            if plateau:
                sched.step(vl)
            else:
                sched.step()
        fold = {"fold": f, "train_loss": ep_train[f, -1], "val_loss": ep_val[f, -1]}
        if task == "classification":
            fold["accuracy"] = float((out.argmax(dim=1) == Yva).double().mean().item())
        folds.append(fold)
    finals = ep_val[:, -1]
    return {
        "status": "complete",
        "score": float(np.mean(finals)),
        "score_std": float(np.std(finals)),
        "folds": folds,
        "epochs": [{"epoch": e + 1, "lr": float(np.mean(ep_lr[:, e])),
                    "train_loss": float(np.mean(ep_train[:, e])),
                    "val_loss": float(np.mean(ep_val[:, e]))} for e in range(epochs)],
    }


def save_golden(name, argv, expected, what):
    doc = {"what": what, "argv": argv}
    doc.update(expected)
    with open(os.path.join(GOLDEN, name), "w") as f:
        json.dump(doc, f, indent=1)
    print("%s: score %.6g ± %.3g" % (name, expected["score"], expected["score_std"]))


def case_linear_sgd_step(X, Y):
    """Linear regression, 4 folds, SGD (nesterov momentum, weight decay), StepLR."""
    model = build_model([4, 2], "relu", 1)
    init = save_init(model, "train_init_linear.json")
    splits = list(KFold(n_splits=4).split(X))
    epochs = 60
    expected = run_trial(
        X, Y, "regression", splits, model, init,
        lambda p: torch.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3),
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=15, gamma=0.5), epochs, True)
    argv = ["--data", "golden/train_data_reg.csv", "--target", "y1,y2", "--model", "linear",
            "--folds", "4", "--no-shuffle", "--init", "golden/train_init_linear.json",
            "optimizer=sgd", "lr=0.05", "momentum=0.9", "nesterov=true", "weight_decay=0.001",
            "scheduler=step", "step_size=15", "gamma=0.5", "epochs=%d" % epochs]
    save_golden("train_linear_sgd_step.json", argv, expected, case_linear_sgd_step.__doc__)


def case_mlp_adam_warmup_cosine(X, y):
    """MLP 3→8→5→3 (relu) classification, 3 stratified folds, Adam, 5 warm-up
    epochs then cosine annealing."""
    model = build_model([3, 8, 5, 3], "relu", 2)
    init = save_init(model, "train_init_mlp.json")
    splits = list(StratifiedKFold(n_splits=3).split(X, y))
    epochs, warm = 70, 5

    def sched(o):
        lr_sched = torch.optim.lr_scheduler
        return lr_sched.SequentialLR(o, [lr_sched.LinearLR(o, start_factor=0.2, end_factor=1.0,
                                                           total_iters=warm),
                                         lr_sched.CosineAnnealingLR(o, T_max=60, eta_min=1e-4)],
                                     milestones=[warm])
    expected = run_trial(X, y, "classification", splits, model, init,
                         lambda p: torch.optim.Adam(p, lr=0.02, betas=(0.9, 0.99)), sched, epochs,
                         True)
    argv = ["--data", "golden/train_data_cls.csv", "--target", "species", "--model", "mlp",
            "--hidden", "8,5", "--activation", "relu", "--folds", "3", "--no-shuffle",
            "--init", "golden/train_init_mlp.json",
            "optimizer=adam", "lr=0.02", "beta1=0.9", "beta2=0.99", "scheduler=cosine",
            "T_max=60", "eta_min=0.0001", "warmup_epochs=%d" % warm, "warmup_start_factor=0.2",
            "epochs=%d" % epochs]
    save_golden("train_mlp_adam_cosine.json", argv, expected, case_mlp_adam_warmup_cosine.__doc__)


def case_holdout_adagrad_plateau(X, Y):
    """Linear regression on a 25 % holdout (the last rows), raw features,
    Adagrad, ReduceLROnPlateau fed the validation loss (it cuts the LR 14 times).
    (RMSprop/Adam on raw features are chaotic here: once gradients near zero,
    their normalised steps amplify rounding, so no float64 golden holds.)"""
    model = build_model([4, 2], "relu", 3)
    init = save_init(model, "train_init_holdout.json")
    n_val = int(round(0.25 * len(X)))
    idx = np.arange(len(X))
    splits = [(idx[:-n_val], idx[-n_val:])]
    epochs = 80
    expected = run_trial(
        X, Y, "regression", splits, model, init,
        lambda p: torch.optim.Adagrad(p, lr=1.0),
        lambda o: torch.optim.lr_scheduler.ReduceLROnPlateau(o, factor=0.5, patience=2,
                                                               threshold=0.01),
        epochs, False, plateau=True)
    argv = ["--data", "golden/train_data_reg.csv", "--target", "y1,y2", "--folds", "1",
            "--holdout", "0.25", "--no-shuffle", "--no-standardize",
            "--init", "golden/train_init_holdout.json",
            "optimizer=adagrad", "lr=1.0", "scheduler=plateau", "factor=0.5",
            "patience=2", "threshold=0.01", "epochs=%d" % epochs]
    save_golden("train_holdout_adagrad_plateau.json", argv, expected,
                case_holdout_adagrad_plateau.__doc__)


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    Xr, Yr = make_regression_data()
    Xc, yc = make_classification_data()
    case_linear_sgd_step(Xr, Yr)
    case_mlp_adam_warmup_cosine(Xc, yc)
    case_holdout_adagrad_plateau(Xr, Yr)


if __name__ == "__main__":
    main()
