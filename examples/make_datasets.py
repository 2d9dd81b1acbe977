#!/usr/bin/python3
"""make_datasets.py — writes the example data sets lrsweep's README and docs use.

Both come from scikit-learn's bundled copies (no download):
  wine.csv      load_wine: 178 rows, 13 numeric features, target column
                `cultivar` holding the string labels class_0, class_1, class_2
                (a 3-class classification problem);
  diabetes.csv  load_diabetes(scaled=False): 442 rows, 10 features in their
                original units, target column `progression` (regression).
Numbers are written in their shortest exact form, the target last.

Run with the system interpreter that has scikit-learn:
    /usr/bin/python3 examples/make_datasets.py
"""
import csv
import os

from sklearn.datasets import load_diabetes, load_wine

HERE = os.path.dirname(os.path.abspath(__file__))


def number(v):
    v = float(v)
    return str(int(v)) if v.is_integer() else repr(v)


def write(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main():
    wine = load_wine()
    write(os.path.join(HERE, "wine.csv"),
          list(wine.feature_names) + ["cultivar"],
          ([number(v) for v in x] + [wine.target_names[t]]
           for x, t in zip(wine.data, wine.target)))

    diabetes = load_diabetes(scaled=False)
    write(os.path.join(HERE, "diabetes.csv"),
          list(diabetes.feature_names) + ["progression"],
          ([number(v) for v in x] + [number(t)]
           for x, t in zip(diabetes.data, diabetes.target)))


if __name__ == "__main__":
    main()
