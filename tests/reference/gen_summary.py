#!/usr/bin/python3
"""gen_summary.py — goldens for `lrsweep summary --by PARAM` (coordinator/summary.h).

Writes golden/summary.json next to this script: for fixed lists of recorded
trials (a parameter's value, status, score), the table summary prints —
bins of a numeric parameter with edges from numpy.geomspace (log ranges) or
numpy.linspace, each value in the last bin whose low edge is <= it
(numpy.searchsorted, side right), or one group per value of a categorical
one, best group first; per group the counts and, of the complete trials'
scores, the best, numpy.percentile 25/50/75 (its default, linear) and the
IQR.  tests/reference/test_summary.c checks lrsweep against them.

Run with the system interpreter that has numpy:
    /usr/bin/python3 tests/reference/gen_summary.py
"""
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
STATUSES = ["complete", "diverged", "failed", "pruned"]


def trials(rng, n, draw, missing=0.0):
    """n recorded trials: value from draw(rng) (None: lacks the parameter)."""
    out = []
    for _ in range(n):
        value = None if rng.random() < missing else draw(rng)
        status = STATUSES[rng.choice(4, p=[0.7, 0.1, 0.1, 0.1])]
        score = float(rng.normal(0.5, 0.2)) if status == "complete" else None
        out.append({"value": value, "status": status, "score": score})
    return out


def fmt(v, digits):
    return "%.*g" % (digits, v)


def bin_labels(edges):
    """[a, b), the last [a, b]: the fewest digits (from 4) that keep a bin's edges apart."""
    pairs = list(zip(edges[:-1], edges[1:]))
    for d in range(4, 17):
        if all(lo == hi or fmt(lo, d) != fmt(hi, d) for lo, hi in pairs):
            break
    return ["[%s, %s%s" % (fmt(lo, d), fmt(hi, d), "]" if i == len(pairs) - 1 else ")")
            for i, (lo, hi) in enumerate(pairs)]


def stats(rows, maximize):
    scores = np.array(sorted(r["score"] for r in rows if r["status"] == "complete"))
    g = {"count": len(rows), "complete": int(scores.size)}
    for s in STATUSES[1:]:
        g[s] = sum(r["status"] == s for r in rows)
    if scores.size:
        q25, med, q75 = (float(np.percentile(scores, q)) for q in (25, 50, 75))
        g.update(best=float(scores.max() if maximize else scores.min()), median=med,
                 q25=q25, q75=q75, iqr=q75 - q25)
    else:
        g.update(best=None, median=None, q25=None, q75=None, iqr=None)
    return g


def numeric_case(name, rows, bins, maximize, declared):
    values = [r["value"] for r in rows if r["value"] is not None]
    lo, hi, log = declared if declared else (min(values), max(values), False)
    lo, hi = min([lo] + values), max([hi] + values)
    log = log and lo > 0
    if lo == hi:
        edges = [lo, hi]
    elif log:
        edges = [float(e) for e in np.geomspace(lo, hi, bins + 1)]
    else:
        edges = [float(e) for e in np.linspace(lo, hi, bins + 1)]
    nb = len(edges) - 1
    members = [[] for _ in range(nb)]
    for r in rows:
        if r["value"] is not None:
            k = int(np.searchsorted(edges, r["value"], side="right")) - 1
            members[min(max(k, 0), nb - 1)].append(r)
    groups = []
    for k, label in enumerate(bin_labels(edges)):
        groups.append(dict(label=label, low=edges[k], high=edges[k + 1], **stats(members[k], maximize)))
    lacking = [r for r in rows if r["value"] is None]
    if lacking:
        groups.append(dict(label="-", **stats(lacking, maximize)))
    return {"name": name, "numeric": True, "bins": bins, "maximize": maximize,
            "declared": {"lo": declared[0], "hi": declared[1], "log": declared[2]} if declared else None,
            "trials": rows, "groups": groups}


def categorical_case(name, rows, maximize):
    values = sorted({r["value"] for r in rows if r["value"] is not None})
    groups = [dict(label=v, **stats([r for r in rows if r["value"] == v], maximize)) for v in values]

    def key(g):
        if g["complete"] == 0:
            return (1, 0.0, g["label"])
        return (0, -g["best"] if maximize else g["best"], g["label"])
    groups.sort(key=key)
    lacking = [r for r in rows if r["value"] is None]
    if lacking:
        groups.append(dict(label="-", **stats(lacking, maximize)))
    return {"name": name, "numeric": False, "bins": 0, "maximize": maximize, "declared": None,
            "trials": rows, "groups": groups}


def main():
    rng = np.random.default_rng(13)
    log_lr = lambda r: float(10 ** r.uniform(-4, 0))
    lr = trials(rng, 60, log_lr, missing=0.05)
    # values on edges: the range's ends and decades are edges of 8 log bins over 4 decades
    for v in (1e-4, 1e-3, 0.01, 0.1, 1.0):
        lr.append({"value": v, "status": "complete", "score": float(rng.normal(0.5, 0.2))})
    momentum = trials(rng, 40, lambda r: float(r.uniform(0.5, 0.99)), missing=0.3)
    observed = trials(rng, 25, lambda r: float(r.choice([0.1, 0.25, 0.5, 0.9])))
    wide = trials(rng, 20, lambda r: float(r.uniform(0.0, 2.0)))
    ints = trials(rng, 30, lambda r: int(r.integers(1, 65)))
    single = trials(rng, 6, lambda r: 0.9)
    sched = trials(rng, 50, lambda r: str(r.choice(["cosine", "step", "exponential", "onecycle"])),
                   missing=0.1)
    sched.append({"value": "plateau", "status": "failed", "score": None})
    sched.append({"value": "plateau", "status": "diverged", "score": None})
    cases = [
        numeric_case("lr log 8", lr, 8, False, (1e-4, 1.0, True)),
        numeric_case("lr log 3", lr, 3, False, (1e-4, 1.0, True)),
        numeric_case("momentum linear 3, maximize", momentum, 3, True, (0.5, 0.99, False)),
        numeric_case("values list: observed range", observed, 4, False, None),
        numeric_case("declared range widened by a value", wide, 5, False, (0.5, 1.5, False)),
        numeric_case("int log 6", ints, 6, False, (1, 64, True)),
        numeric_case("one value", single, 8, False, None),
        categorical_case("scheduler, minimize", sched, False),
        categorical_case("scheduler, maximize", sched, True),
    ]
    os.makedirs(os.path.join(HERE, "golden"), exist_ok=True)
    with open(os.path.join(HERE, "golden", "summary.json"), "w") as f:
        json.dump({"numpy": np.__version__, "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
