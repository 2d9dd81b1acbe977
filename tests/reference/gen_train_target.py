#!/usr/bin/python3
"""gen_train_target.py — goldens for `lrsweep train --standardize-target`:
k-fold cross-validation on the diabetes data (examples/diabetes.csv) with
the regression target scaled by scikit-learn's TransformedTargetRegressor
and StandardScaler, the model trained by PyTorch (float64).

Run from anywhere with /usr/bin/python3 (torch 1.13, scikit-learn 1.2).  It
writes into tests/reference/golden/:
  train_init_target.json    initial weights (the --init format)
  train_target_*.json       the lrsweep argv and the expected per-epoch
                            means, per-fold results and score

Per fold, as lrsweep defines a trial (see gen_train.py): StandardScaler on
the training fold's features; TransformedTargetRegressor(regressor=the torch
model, transformer=StandardScaler()) fitted on the training fold, so the
model trains on (y − mean)/std of that fold; each epoch one full-batch step.
Every loss is in the target's own units: train_loss is the MSE of that
forward pass's predictions mapped back by the fold's scaler, val_loss the
MSE of the validation predictions after the epoch, and a fold's final
val_loss is sklearn's mean_squared_error of TransformedTargetRegressor's
predict — the number another tool would report.
"""
import json
import os

import numpy as np
import torch
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import mean_squared_error
from sklearn.model_selection import KFold
from sklearn.preprocessing import StandardScaler

torch.set_default_dtype(torch.float64)
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")
DATA = os.path.join(HERE, "..", "..", "examples", "diabetes.csv")


class TorchLinear(BaseEstimator, RegressorMixin):
    """A linear model trained by full-batch SGD from fixed initial weights;
    records, per epoch, the forward pass's predictions (before the step)
    and the validation predictions (after it), in the scaled units it sees."""

    def __init__(self, init=None, lr=0.1, momentum=0.0, epochs=10, X_val=None):
        self.init, self.lr, self.momentum, self.epochs, self.X_val = init, lr, momentum, epochs, X_val

    def fit(self, X, y):
        y = y.reshape(len(y), -1)
        self.outputs_ = y.shape[1]
        self.model_ = torch.nn.Linear(X.shape[1], self.outputs_)
        self.model_.load_state_dict(self.init)
        opt = torch.optim.SGD(self.model_.parameters(), lr=self.lr, momentum=self.momentum)
        Xt, yt = torch.tensor(X), torch.tensor(y)
        Xv = torch.tensor(self.X_val)
        self.train_out_, self.val_out_ = [], []
        for _ in range(self.epochs):
            opt.zero_grad()
            out = self.model_(Xt)
            loss = torch.nn.functional.mse_loss(out, yt)
            loss.backward()
            opt.step()
            self.train_out_.append(out.detach().numpy().copy())
            with torch.no_grad():
                self.val_out_.append(self.model_(Xv).numpy().copy())
        return self

    def predict(self, X):
        with torch.no_grad():
            out = self.model_(torch.tensor(X)).numpy()
            return out.ravel() if self.outputs_ == 1 else out


def load():
    with open(DATA) as f:
        header = f.readline().strip().split(",")
    num = np.loadtxt(DATA, delimiter=",", skiprows=1)
    return header, num[:, :-1], num[:, -1]


def run_case(X, y, seed, init_name, epochs, lr, momentum, n_folds):
    """The expected result of one trial (see the module docstring)."""
    torch.manual_seed(seed)
    init_model = torch.nn.Linear(X.shape[1], 1 if y.ndim == 1 else y.shape[1])
    init = {k: v.clone() for k, v in init_model.state_dict().items()}
    with open(os.path.join(GOLDEN, init_name), "w") as f:
        json.dump({"layers": [{"weight": init_model.weight.detach().tolist(),
                               "bias": init_model.bias.detach().tolist()}]}, f)
    splits = list(KFold(n_splits=n_folds).split(X))
    ep_train = np.zeros((len(splits), epochs))
    ep_val = np.zeros((len(splits), epochs))
    folds = []
    for f, (tr, va) in enumerate(splits):
        sc = StandardScaler().fit(X[tr])
        Xtr, Xva = sc.transform(X[tr]), sc.transform(X[va])
        ttr = TransformedTargetRegressor(
            regressor=TorchLinear(init=init, lr=lr, momentum=momentum, epochs=epochs, X_val=Xva),
            transformer=StandardScaler())
        ttr.fit(Xtr, y[tr])
        ysc = ttr.transformer_
        back = lambda out: ysc.inverse_transform(out).reshape((len(out),) + y.shape[1:])
        reg = ttr.regressor_
        for e in range(epochs):
            ep_train[f, e] = mean_squared_error(y[tr], back(reg.train_out_[e]))
            ep_val[f, e] = mean_squared_error(y[va], back(reg.val_out_[e]))
        final = mean_squared_error(y[va], ttr.predict(Xva))
        assert abs(final - ep_val[f, -1]) <= 1e-12 * final
        folds.append({"fold": f, "train_loss": ep_train[f, -1], "val_loss": final})
    finals = np.array([fd["val_loss"] for fd in folds])
    return {
        "status": "complete", "score": float(finals.mean()), "score_std": float(finals.std()),
        "folds": folds,
        "epochs": [{"epoch": e + 1, "lr": lr, "train_loss": float(ep_train[:, e].mean()),
                    "val_loss": float(ep_val[:, e].mean())} for e in range(epochs)],
    }


def save(name, what, argv, expected):
    doc = {"what": what, "argv": argv}
    doc.update(expected)
    with open(os.path.join(GOLDEN, name), "w") as f:
        json.dump(doc, f, indent=1)
    print("%s: score %.6g ± %.3g" % (name, expected["score"], expected["score_std"]))


def case_linear_sgd_momentum(X, y):
    """Linear regression on the diabetes data, 4 folds in row order, SGD with
    momentum 0.9 at lr 0.05 on the standardized target, 60 epochs (the raw
    target scores 3008 here, the standardized one 2958)."""
    epochs, lr, momentum = 60, 0.05, 0.9
    expected = run_case(X, y, 5, "train_init_target.json", epochs, lr, momentum, 4)
    argv = ["--data", "../../examples/diabetes.csv", "--target", "progression", "--model",
            "linear", "--folds", "4", "--no-shuffle", "--standardize-target",
            "--init", "golden/train_init_target.json", "optimizer=sgd", "lr=%g" % lr,
            "momentum=%g" % momentum, "epochs=%d" % epochs]
    save("train_target_diabetes.json", case_linear_sgd_momentum.__doc__, argv, expected)


def case_two_targets(X, Y):
    """Two regression targets of different scales (gen_train.py's data set,
    y1 and y2), each standardized by its own training-fold mean and std; the
    loss is the mean over outputs of each one's MSE in its own units
    (sklearn's mean_squared_error).  3 folds, SGD, 50 epochs."""
    epochs, lr, momentum = 50, 0.1, 0.5
    expected = run_case(X, Y, 6, "train_init_target2.json", epochs, lr, momentum, 3)
    argv = ["--data", "golden/train_data_reg.csv", "--target", "y1,y2", "--model", "linear",
            "--folds", "3", "--no-shuffle", "--standardize-target",
            "--init", "golden/train_init_target2.json", "optimizer=sgd", "lr=%g" % lr,
            "momentum=%g" % momentum, "epochs=%d" % epochs]
    save("train_target_two.json", case_two_targets.__doc__, argv, expected)


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    _, X, y = load()
    case_linear_sgd_momentum(X, y)
    reg = np.loadtxt(os.path.join(GOLDEN, "train_data_reg.csv"), delimiter=",", skiprows=1)
    case_two_targets(reg[:, :4], reg[:, 4:])


if __name__ == "__main__":
    main()
