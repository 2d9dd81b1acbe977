#!/usr/bin/env python3
"""train.py — the classic PyTorch learning-rate example, ready for lrsweep.

A linear layer nn.Linear(5, 3) learns a fixed random linear map from 100 fresh
noisy samples per epoch with MSELoss and SGD (or another torch.optim
optimizer) under a torch.optim.lr_scheduler scheduler (StepLR, or any other
scheduler lrsweep knows).  Every command-line option has the name and the
default of the lrsweep parameter of the same name (`lrsweep params`), so the
sweep spec can pass them with `{args}`:

    python3 train.py --lr 0.1 --scheduler step --step_size 3 --epochs 20

Each epoch prints one line lrsweep reads as metrics:

    epoch=E lr=LR train_loss=... val_loss=...

where lr is the learning rate epoch E trained with and val_loss the loss on a
fixed validation set after the epoch's updates.  The seed is --seed, else
LRSWEEP_SEED (set by lrsweep for every trial), else 0; with lrsweep's
`folds:`, LRSWEEP_FOLD picks a different validation set per fold.

--clip_grad_norm is the script's own option, not an lrsweep parameter: the
sweep searches it as a user parameter (docs/own-script.md), and {args}
passes it like the rest (0, the default, clips nothing).
"""
import argparse
import math
import os
import sys
import warnings

import torch
from torch import nn
from torch.optim import lr_scheduler

SCHEDULERS = ["constant", "step", "multistep", "exponential", "cosine", "cosine_warm_restarts",
              "linear", "onecycle", "polynomial", "plateau"]
OPTIMIZERS = ["sgd", "adam", "adamw", "rmsprop", "adagrad"]


def boolean(text):
    if text in ("true", "1", "yes"):
        return True
    if text in ("false", "0", "no"):
        return False
    raise argparse.ArgumentTypeError("expected true or false, not %r" % text)


def int_list(text):
    return [int(x) for x in text.split(",") if x]


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--seed", type=int, default=None, help="default: LRSWEEP_SEED, else 0")
    p.add_argument("--epochs", type=int, default=100)
    p.add_argument("--batch_size", type=int, default=0, help="0: the whole 100-sample epoch")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--optimizer", choices=OPTIMIZERS, default="sgd")
    p.add_argument("--scheduler", choices=SCHEDULERS, default="constant")
    # Optional values: None means "not given", so torch's own default applies,
    # which is lrsweep's default too.
    for name in ("momentum", "dampening", "weight_decay", "beta1", "beta2", "eps", "alpha",
                 "gamma", "eta_min", "start_factor", "end_factor", "max_lr", "pct_start",
                 "div_factor", "final_div_factor", "power", "factor", "threshold", "min_lr",
                 "warmup_start_factor"):
        p.add_argument("--" + name, type=float, default=None)
    for name in ("step_size", "T_max", "T_0", "T_mult", "total_iters", "patience", "cooldown"):
        p.add_argument("--" + name, type=int, default=None)
    p.add_argument("--warmup_epochs", type=int, default=0)
    p.add_argument("--clip_grad_norm", type=float, default=0.0,
                   help="largest gradient norm per step (torch.nn.utils.clip_grad_norm_); 0: none")
    p.add_argument("--milestones", type=int_list, default=None)
    p.add_argument("--nesterov", type=boolean, default=None)
    p.add_argument("--centered", type=boolean, default=None)
    p.add_argument("--anneal_strategy", choices=["cos", "linear"], default=None)
    p.add_argument("--mode", choices=["min", "max"], default=None)
    p.add_argument("--threshold_mode", choices=["rel", "abs"], default=None)
    return p.parse_args(argv)


def given(args, *names):
    """The options among names that were given, as keyword arguments."""
    return {n: getattr(args, n) for n in names if getattr(args, n) is not None}


def make_optimizer(args, params):
    kw = given(args, "weight_decay")
    if args.optimizer == "sgd":
        return torch.optim.SGD(params, lr=args.lr, **kw, **given(args, "momentum", "dampening",
                                                                   "nesterov"))
    if args.optimizer in ("adam", "adamw"):
        if args.beta1 is not None or args.beta2 is not None:
            kw["betas"] = (0.9 if args.beta1 is None else args.beta1,
                           0.999 if args.beta2 is None else args.beta2)
        cls = torch.optim.Adam if args.optimizer == "adam" else torch.optim.AdamW
        return cls(params, lr=args.lr, **kw, **given(args, "eps"))
    if args.optimizer == "rmsprop":
        return torch.optim.RMSprop(params, lr=args.lr, **kw,
                                   **given(args, "alpha", "eps", "momentum", "centered"))
    return torch.optim.Adagrad(params, lr=args.lr, **kw, **given(args, "eps"))


def make_main_scheduler(args, opt):
    """The scheduler alone, with lrsweep's conventions where torch has no default:
    T_max = epochs, max_lr = lr, OneCycleLR over `epochs` steps, constant = LambdaLR(1)."""
    kind = args.scheduler
    if kind == "constant":
        return lr_scheduler.LambdaLR(opt, lambda epoch: 1.0)
    if kind == "step":
        if args.step_size is None:
            sys.exit("train.py: --scheduler step needs --step_size")
        return lr_scheduler.StepLR(opt, args.step_size, **given(args, "gamma"))
    if kind == "multistep":
        if not args.milestones:
            sys.exit("train.py: --scheduler multistep needs --milestones")
        return lr_scheduler.MultiStepLR(opt, args.milestones, **given(args, "gamma"))
    if kind == "exponential":
        if args.gamma is None:
            sys.exit("train.py: --scheduler exponential needs --gamma")
        return lr_scheduler.ExponentialLR(opt, args.gamma)
    if kind == "cosine":
        t_max = args.T_max if args.T_max is not None else args.epochs
        return lr_scheduler.CosineAnnealingLR(opt, T_max=t_max, **given(args, "eta_min"))
    if kind == "cosine_warm_restarts":
        if args.T_0 is None:
            sys.exit("train.py: --scheduler cosine_warm_restarts needs --T_0")
        return lr_scheduler.CosineAnnealingWarmRestarts(opt, args.T_0,
                                                        **given(args, "T_mult", "eta_min"))
    if kind == "linear":
        return lr_scheduler.LinearLR(opt, **given(args, "start_factor", "end_factor",
                                                  "total_iters"))
    if kind == "onecycle":
        max_lr = args.max_lr if args.max_lr is not None else args.lr
        return lr_scheduler.OneCycleLR(opt, max_lr=max_lr, total_steps=args.epochs,
                                       three_phase=False,
                                       **given(args, "pct_start", "anneal_strategy", "div_factor",
                                               "final_div_factor"))
    if kind == "polynomial":
        return lr_scheduler.PolynomialLR(opt, **given(args, "total_iters", "power"))
    return lr_scheduler.ReduceLROnPlateau(opt, **given(args, "mode", "factor", "patience",
                                                       "threshold", "threshold_mode", "cooldown",
                                                       "min_lr"))


def make_scheduler(args, opt):
    """Warm-up is SequentialLR([LinearLR(warmup_start_factor, 1, warmup_epochs), main])."""
    if args.warmup_epochs <= 0:
        return make_main_scheduler(args, opt)
    if args.scheduler == "plateau":
        sys.exit("train.py: --warmup_epochs does not combine with --scheduler plateau")
    warm = lr_scheduler.LinearLR(opt, end_factor=1.0, total_iters=args.warmup_epochs,
                                 **({"start_factor": args.warmup_start_factor}
                                    if args.warmup_start_factor is not None else {}))
    main = make_main_scheduler(args, opt)
    return lr_scheduler.SequentialLR(opt, [warm, main], milestones=[args.warmup_epochs])


def print_metrics(epoch, lr, train_loss, val_loss):
    """The metric line lrsweep reads, flushed so it sees each epoch at once."""
    print("epoch=%d lr=%r train_loss=%r val_loss=%r" % (epoch, lr, train_loss, val_loss),
          flush=True)


def main(argv):
    return fit(parse_args(argv), print_metrics)


def fit(args, emit):
    """Trains with the options in args (parse_args's namespace) and calls
    emit(epoch=, lr=, train_loss=, val_loss=) once per epoch; 0 when done.
    train_params.py calls it with lrsweep.report."""
    # SequentialLR (warm-up) steps its schedulers with an epoch argument and
    # torch 1.13 warns about that on every trial; the warning is not ours.
    warnings.filterwarnings("ignore", message="The epoch parameter")
    seed = args.seed if args.seed is not None else int(os.environ.get("LRSWEEP_SEED", "0"))
    fold = int(os.environ.get("LRSWEEP_FOLD", "0"))
    # lrsweep seeds are 64-bit; torch takes any int but keep it in range.
    gen = torch.Generator().manual_seed(seed % (2**63))
    torch.manual_seed(seed % (2**63))

    # The map to learn: y = x·Wᵀ + b + noise, with W (3,5) and b (3,).
    true_w = torch.randn(3, 5, generator=gen)
    true_b = torch.randn(3, generator=gen)
    val_gen = torch.Generator().manual_seed((seed + 1_000_003 * (fold + 1)) % (2**63))
    val_x = torch.randn(200, 5, generator=val_gen)
    val_y = val_x @ true_w.T + true_b + 0.1 * torch.randn(200, 3, generator=val_gen)

    model = nn.Linear(5, 3)
    loss_fn = nn.MSELoss()
    opt = make_optimizer(args, model.parameters())
    sched = make_scheduler(args, opt)
    plateau = isinstance(sched, lr_scheduler.ReduceLROnPlateau)
    batch = args.batch_size if args.batch_size > 0 else 100

    for epoch in range(1, args.epochs + 1):
        lr = opt.param_groups[0]["lr"]   # the LR this epoch trains with
        x = torch.randn(100, 5, generator=gen)   # 100 fresh samples per epoch, x is (100,5)
        y = x @ true_w.T + true_b + 0.1 * torch.randn(100, 3, generator=gen)
        model.train()
        total = 0.0
        for start in range(0, 100, batch):
            xb, yb = x[start:start + batch], y[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if args.clip_grad_norm > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip_grad_norm)
            opt.step()
            total += loss.item() * len(xb)
        train_loss = total / 100
        model.eval()
        with torch.no_grad():
            val_loss = loss_fn(model(val_x), val_y).item()
        emit(epoch=epoch, lr=lr, train_loss=train_loss, val_loss=val_loss)
        if not math.isfinite(val_loss):
            return 0   # lrsweep records the trial as diverged
        if epoch < args.epochs:   # OneCycleLR refuses a step past its last epoch
            if plateau:
                sched.step(val_loss)
            else:
                sched.step()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
