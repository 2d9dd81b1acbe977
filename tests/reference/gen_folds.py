#!/usr/bin/python3
"""gen_folds.py — goldens for lrsweep's fold assignment and standardization.

Writes, next to this script:
  golden/folds.json   scikit-learn KFold / StratifiedKFold (shuffle=False)
                      validation indices, fold by fold, for several row counts,
                      fold counts and label patterns (balanced, imbalanced,
                      string labels in non-sorted first-appearance order,
                      numeric labels where 2 < 10, n not divisible by k);
  golden/scaler.json  StandardScaler mean_ / scale_ on a small matrix with a
                      constant column, a near-constant one and a large offset,
                      fitted on all rows and on a subset of rows.
tests/reference/test_folds.c checks lrsweep against them.

Run with the system interpreter that has scikit-learn 1.2.1:
    /usr/bin/python3 tests/reference/gen_folds.py
"""
import json
import os

import numpy as np
import sklearn
from sklearn.datasets import load_wine
from sklearn.model_selection import KFold, StratifiedKFold
from sklearn.preprocessing import LabelEncoder, StandardScaler

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "golden")


def kfold_case(name, n, k):
    folds = [test.tolist() for _, test in KFold(n_splits=k).split(np.zeros((n, 1)))]
    return {"name": name, "kind": "kfold", "n": n, "k": k, "folds": folds}


def stratified_case(name, labels, k):
    y = np.asarray(labels)
    folds = [test.tolist()
             for _, test in StratifiedKFold(n_splits=k).split(np.zeros((len(y), 1)), y)]
    classes = LabelEncoder().fit(y).classes_
    return {
        "name": name, "kind": "stratified", "n": len(labels), "k": k,
        "labels": [str(v) if isinstance(v, str) else int(v) for v in labels],
        "classes": [str(c) for c in classes],
        "folds": folds,
    }


def folds_cases():
    rng = np.random.RandomState(7)
    cases = [
        kfold_case("kfold_10_3", 10, 3),
        kfold_case("kfold_7_7", 7, 7),
        kfold_case("kfold_12_4", 12, 4),
        kfold_case("kfold_23_5", 23, 5),
        kfold_case("kfold_5_2", 5, 2),
        kfold_case("kfold_101_10", 101, 10),
    ]
    cases.append(stratified_case("balanced_cyclic", [0, 1, 2] * 6, 3))
    cases.append(stratified_case("sorted_blocks", [0] * 10 + [1] * 7, 5))
    imbalanced = ["a"] * 20 + ["b"] * 5 + ["c"] * 3
    rng.shuffle(imbalanced)
    cases.append(stratified_case("imbalanced_strings", imbalanced, 3))
    fruit = ["pear", "apple", "fig", "apple", "pear", "kiwi, green", "fig", 'say "hi"']
    fruit = [fruit[i] for i in rng.randint(0, len(fruit), 40)]
    fruit = ["pear", "apple", "fig", "kiwi, green", 'say "hi"'] * 2 + fruit
    cases.append(stratified_case("strings_first_seen_order", fruit, 2))
    numeric = [int(v) for v in rng.choice([10, 2, 7], size=29)]
    numeric = [10, 2, 7] * 4 + numeric
    cases.append(stratified_case("numeric_2_before_10", numeric, 4))
    uneven = [int(v) for v in rng.randint(0, 3, 37)] + [0, 1, 2] * 4
    cases.append(stratified_case("uneven_37_k6", uneven, 6))
    wine = [int(v) for v in load_wine().target]
    cases.append(stratified_case("wine_k5", wine, 5))
    cases.append(stratified_case("wine_k10", wine, 10))
    return cases


def scaler_cases():
    rng = np.random.RandomState(3)
    n = 9
    X = np.column_stack([
        rng.normal(size=n),                  # ordinary
        np.full(n, 3.0),                     # constant: scale 1
        1e8 + rng.normal(size=n) * 1e-2,     # large offset, small spread
        np.full(n, 0.1),                     # constant whose mean is inexact
        rng.randint(-5, 6, size=n).astype(float),
        rng.uniform(-1e-3, 1e-3, size=n),    # tiny but not constant
    ])
    out = []
    for name, rows in [("all_rows", list(range(n))), ("subset", [0, 2, 3, 5, 8, 7])]:
        s = StandardScaler().fit(X[rows])
        out.append({"name": name, "rows": rows, "mean": s.mean_.tolist(),
                    "scale": s.scale_.tolist()})
    return {"X": X.tolist(), "cases": out}


def main():
    os.makedirs(OUT, exist_ok=True)
    meta = {"sklearn": sklearn.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, "folds.json"), "w") as f:
        json.dump({"generator": "gen_folds.py", **meta, "cases": folds_cases()}, f)
        f.write("\n")
    with open(os.path.join(OUT, "scaler.json"), "w") as f:
        json.dump({"generator": "gen_folds.py", **meta, **scaler_cases()}, f)
        f.write("\n")


if __name__ == "__main__":
    main()
