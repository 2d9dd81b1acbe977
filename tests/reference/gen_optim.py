#!/usr/bin/python3
"""gen_optim.py — goldens for the engine's models and optimizers, produced by
PyTorch itself (torch.optim, foreach=False) in float64.

For each model (linear regression 5→3 MSE, logistic 4→3 CE, MLP relu 5→8→3
MSE, MLP tanh 4→6→3 CE) it fixes a small data set (40 rows) and initial
weights, then trains full-batch for EPOCHS epochs under every optimizer in
several configurations, recording the forward loss before each step and the
final parameters.  Everything the C test needs is written out: the data, the
initial weights (in lrsweep's --init format), the trial words ("name=value",
as lrsweep reads them; unspecified parameters take torch's defaults on this
side and lrsweep's finalized defaults on the other, so those are checked too)
and, for a few cases, a hand-applied LR per epoch.

Run from anywhere with the system Python that has torch 1.13:
    /usr/bin/python3 tests/reference/gen_optim.py
It rewrites tests/reference/golden/optim_*.json.
"""
import json
import math
import os

import numpy as np
import torch

torch.set_default_dtype(torch.float64)

ROWS = 40
EPOCHS = 60
PERTURB = 1e-13
MAX_GAIN = 1e4
HERE = os.path.dirname(os.path.abspath(__file__))
GOLDEN = os.path.join(HERE, "golden")

MODELS = [
    # name, task, n_in, n_out, hidden, activation
    ("linreg", "regression", 5, 3, [], "relu"),
    ("logistic", "classification", 4, 3, [], "relu"),
    ("mlp_relu", "regression", 5, 3, [8], "relu"),
    ("mlp_tanh", "classification", 4, 3, [6], "tanh"),
]

# Optimizer configurations as lrsweep trial words.  LRs are chosen per kind
# so that 60 epochs make visible progress without diverging.
CONFIGS = [
    ("sgd", ["optimizer=sgd", "lr=0.1"]),
    ("sgd_momentum", ["optimizer=sgd", "lr=0.05", "momentum=0.9"]),
    ("sgd_dampening", ["optimizer=sgd", "lr=0.05", "momentum=0.9", "dampening=0.3"]),
    ("sgd_nesterov", ["optimizer=sgd", "lr=0.05", "momentum=0.8", "nesterov=true"]),
    ("sgd_weight_decay", ["optimizer=sgd", "lr=0.1", "weight_decay=0.05"]),
    ("sgd_momentum_wd", ["optimizer=sgd", "lr=0.05", "momentum=0.7", "weight_decay=0.02"]),
    ("adam", ["optimizer=adam", "lr=0.02"]),
    ("adam_wd", ["optimizer=adam", "lr=0.02", "weight_decay=0.1"]),
    ("adam_betas", ["optimizer=adam", "lr=0.03", "beta1=0.8", "beta2=0.95", "eps=1e-6"]),
    ("adamw", ["optimizer=adamw", "lr=0.02"]),
    ("adamw_wd", ["optimizer=adamw", "lr=0.02", "weight_decay=0.3", "beta2=0.99"]),
    ("rmsprop", ["optimizer=rmsprop", "lr=0.005"]),
    ("rmsprop_momentum", ["optimizer=rmsprop", "lr=0.002", "momentum=0.9"]),
    ("rmsprop_centered", ["optimizer=rmsprop", "lr=0.01", "centered=true", "alpha=0.95"]),
    ("rmsprop_centered_momentum_wd", ["optimizer=rmsprop", "lr=0.002", "centered=true",
                                      "momentum=0.5", "weight_decay=0.01"]),
    ("adagrad", ["optimizer=adagrad", "lr=0.1"]),
    ("adagrad_wd", ["optimizer=adagrad", "lr=0.1", "weight_decay=0.05", "eps=1e-6"]),
]


def cosine_lrs(base):
    return [base * 0.5 * (1 + math.cos(math.pi * e / EPOCHS)) for e in range(EPOCHS)]


def warmup_step_lrs(base):
    return [base * min(1.0, (e + 1) / 5) * 0.5 ** (e // 20) for e in range(EPOCHS)]


# Cases with a hand-applied LR per epoch (the LR the step of epoch e uses).
LR_SEQUENCES = [
    ("sgd_momentum_cosine", ["optimizer=sgd", "lr=0.05", "momentum=0.9"], cosine_lrs(0.05)),
    ("adam_warmup_step", ["optimizer=adam", "lr=0.03"], warmup_step_lrs(0.03)),
    ("rmsprop_cosine", ["optimizer=rmsprop", "lr=0.005", "momentum=0.5"], cosine_lrs(0.005)),
]


def make_optimizer(words, params):
    kw = {}
    kind = None
    for word in words:
        name, value = word.split("=", 1)
        if name == "optimizer":
            kind = value
        elif value in ("true", "false"):
            kw[name] = value == "true"
        else:
            kw[name] = float(value)
    if "beta1" in kw or "beta2" in kw:
        kw["betas"] = (kw.pop("beta1", 0.9), kw.pop("beta2", 0.999))
    cls = {"sgd": torch.optim.SGD, "adam": torch.optim.Adam, "adamw": torch.optim.AdamW,
           "rmsprop": torch.optim.RMSprop, "adagrad": torch.optim.Adagrad}[kind]
    return cls(params, foreach=False, **kw)


def build_model(n_in, n_out, hidden, activation):
    layers = []
    width = n_in
    for h in hidden:
        layers.append(torch.nn.Linear(width, h))
        layers.append(torch.nn.ReLU() if activation == "relu" else torch.nn.Tanh())
        width = h
    layers.append(torch.nn.Linear(width, n_out))
    return torch.nn.Sequential(*layers)


def linears(model):
    return [m for m in model if isinstance(m, torch.nn.Linear)]


def flat_params(model):
    out = []
    for lin in linears(model):
        out += lin.weight.detach().reshape(-1).tolist()
        out += lin.bias.detach().tolist()
    return out


def make_data(index, task, n_in, n_out):
    rs = np.random.RandomState(2024 + index)
    X = rs.normal(size=(ROWS, n_in))
    if task == "regression":
        W = rs.normal(size=(n_out, n_in))
        Y = X @ W.T + 0.3 * rs.normal(size=(ROWS, n_out))
        return X, Y
    W = rs.normal(size=(n_out, n_in)) * 2.0
    logits = X @ W.T + rs.normal(size=(ROWS, n_out))
    y = logits.argmax(axis=1)
    y[:n_out] = np.arange(n_out)   # every class present
    return X, y


def train(model, init_state, X, Y, task, words, lrs, perturb=0.0):
    model.load_state_dict(init_state)
    if perturb:
        with torch.no_grad():
            for p in model.parameters():
                p.mul_(1.0 + perturb)
    opt = make_optimizer(words, model.parameters())
    crit = torch.nn.MSELoss() if task == "regression" else torch.nn.CrossEntropyLoss()
    losses = []
    for e in range(EPOCHS):
        opt.zero_grad()
        loss = crit(model(X), Y)
        losses.append(loss.item())
        loss.backward()
        if lrs is not None:
            for group in opt.param_groups:
                group["lr"] = lrs[e]
        opt.step()
    return losses, flat_params(model)


def check_conditioning(model_name, case_name, model, init_state, X, Y, task, words, lrs,
                       losses):
    """A golden is only checkable to 1e-9 if rounding differences (~1e-16 per
    operation, e.g. a different summation order) are not amplified along the
    60 steps.  Rerun with the initial weights scaled by 1 + PERTURB and refuse
    a case whose losses move by more than MAX_GAIN × PERTURB: its result
    depends on rounding, not on the update rule (centered RMSprop with
    alpha=0.9 on the logistic model amplified 1e-15 into 5e-10)."""
    perturbed, _ = train(model, init_state, X, Y, task, words, lrs, perturb=PERTURB)
    moved = max(abs(a - b) / abs(a) for a, b in zip(losses, perturbed))
    if moved > MAX_GAIN * PERTURB:
        raise SystemExit("%s/%s is ill-conditioned: a %.0e change of the initial weights "
                         "moves the loss by %.1e" % (model_name, case_name, PERTURB, moved))


def main():
    os.makedirs(GOLDEN, exist_ok=True)
    for index, (name, task, n_in, n_out, hidden, activation) in enumerate(MODELS):
        Xn, Yn = make_data(index, task, n_in, n_out)
        X = torch.tensor(Xn)
        Y = torch.tensor(Yn) if task == "regression" else torch.tensor(Yn, dtype=torch.long)
        torch.manual_seed(100 + index)
        model = build_model(n_in, n_out, hidden, activation)
        init_state = {k: v.clone() for k, v in model.state_dict().items()}
        init = {"layers": [{"weight": lin.weight.detach().tolist(),
                            "bias": lin.bias.detach().tolist()} for lin in linears(model)]}
        init_name = "optim_%s_init.json" % name
        with open(os.path.join(GOLDEN, init_name), "w") as f:
            json.dump(init, f)
            f.write("\n")

        cases = []
        runs = [(n, w, None) for n, w in CONFIGS] + LR_SEQUENCES
        for case_name, words, lrs in runs:
            losses, final = train(model, init_state, X, Y, task, words, lrs)
            check_conditioning(name, case_name, model, init_state, X, Y, task, words, lrs,
                               losses)
            case = {"name": case_name, "words": words, "loss": losses, "final": final}
            if lrs is not None:
                case["lrs"] = lrs
            cases.append(case)
        golden = {
            "generator": "tests/reference/gen_optim.py",
            "torch": torch.__version__,
            "model": {"task": task, "n_in": n_in, "n_out": n_out, "hidden": hidden,
                      "activation": activation},
            "rows": ROWS,
            "epochs": EPOCHS,
            "X": Xn.tolist(),
            "Y": Yn.tolist() if task == "regression" else [float(c) for c in Yn],
            "init": init_name,
            "cases": cases,
        }
        path = os.path.join(GOLDEN, "optim_%s.json" % name)
        with open(path, "w") as f:
            json.dump(golden, f)
            f.write("\n")
        print("%s: %d cases, first/last loss of %s: %.6g -> %.6g" % (
            path, len(cases), cases[0]["name"], cases[0]["loss"][0], cases[0]["loss"][-1]))


if __name__ == "__main__":
    main()
