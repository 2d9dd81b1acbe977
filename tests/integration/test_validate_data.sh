#!/usr/bin/env bash
# test_validate_data.sh — `lrsweep validate` reads a built-in sweep's data as
# the sweep will read it: a target column the file lacks, a label kind the
# model or objective cannot use, and folds some class (or the whole file)
# cannot fill are refused with the file's name and exit 2, nothing on
# stdout; data that trains is described on a `data:` line after the ok line
# (rows, features, target, classes, its size as float64 — each figure
# computed here from the file, not copied from a run).
#
# usage: bash test_validate_data.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"

cd "$TMP" || exit 1
cp "$EXAMPLES/wine.csv" "$EXAMPLES/diabetes.csv" .
printf 'a,b,y\n1,2,x\n3,4,x\n5,6,z\n7,8,x\n9,1,x\n' >tiny.csv
printf 'a,y\n1,2\n2,3\n' >two.csv

# spec NAME DATA TARGET MODEL FOLDS [OBJECTIVE] : a two-trial built-in sweep.
spec() {
    {
        echo "name: $1"
        echo "trials: 2"
        [ -n "${6:-}" ] && echo "objective: {metric: $6, goal: maximize}"
        echo "data: {path: $2, target: $3}"
        echo "model: $4"
        echo "train: {folds: $5}"
        echo "search: {lr: 0.1, epochs: 2}"
    } >"$1.yaml"
}
spec wrong_target wine.csv nope "{type: logistic}" 3
spec linear_classes wine.csv cultivar "{type: linear}" 3
spec accuracy_regression diabetes.csv progression "{type: mlp, hidden: [4]}" 3 accuracy
spec class_too_small tiny.csv y "{type: logistic}" 2
spec folds_over_classes wine.csv cultivar "{type: logistic}" 100
spec too_few_rows two.csv y "{type: linear}" 3
spec wine wine.csv cultivar "{type: logistic}" 3
spec diabetes diabetes.csv progression "{type: linear}" 3

expect_status validate usage 2 'wine.csv:1:1: unknown target column "nope"' wrong_target.yaml
expect_status validate usage 2 "wine.csv: target 'cultivar' is categorical, but model linear is for regression" \
    linear_classes.yaml
expect_status validate usage 2 "diabetes.csv: objective accuracy needs a classification target" \
    accuracy_regression.yaml
expect_status validate usage 2 "tiny.csv: folds: stratified 2-fold needs at least 2 rows of every class; class 2 of 2" \
    class_too_small.yaml
expect_status validate usage 2 "wine.csv: folds: stratified 100-fold needs at least 100 rows of every class" \
    folds_over_classes.yaml
expect_status validate usage 2 "two.csv: folds:" too_few_rows.yaml

# describe CSV TARGET : the data line validate must print, from the file.
describe() {
    "$PY" - "$1" "$2" <<'PY'
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="")))
head, body, target = rows[0], rows[1:], sys.argv[2]
col = head.index(target)
values = [r[col] for r in body]
try:
    [float(v) for v in values]
    kind = "regression"
except ValueError:
    kind = "%d classes" % len(set(values))
size = len(body) * len(head) * 8
for unit in ("bytes", "KiB", "MiB", "GiB"):
    if unit == "bytes" and size < 1024:
        shown = "%d bytes" % size
        break
    if unit != "bytes":
        size_u = size / 1024 ** ("bytes KiB MiB GiB".split().index(unit))
        if size_u < 1024 or unit == "GiB":
            shown = ("%.1f" % size_u).rstrip("0").rstrip(".") + " " + unit
            break
print("data: %d row%s, %d feature%s, target %s (%s), %s as float64"
      % (len(body), "" if len(body) == 1 else "s", len(head) - 1, "" if len(head) == 2 else "s", target, kind, shown))
PY
}
for s in "wine wine.csv cultivar" "diabetes diabetes.csv progression"; do
    set -- $s
    check
    run validate "$1.yaml"
    want=$(describe "$2" "$3")
    [ $rc -eq 0 ] && [ "$(sed -n 2p "$TMP/out")" = "$want" ] && [ "$(wc -l <"$TMP/out")" -eq 2 ] ||
        fail "validate $1.yaml: rc $rc, out '$(cat "$TMP/out")', want line 2 '$want'; err $(cat "$TMP/err")"
done

# A synthetic model reads no data, so validate describes none.
printf 'name: s\ntrials: 2\nmodel: {type: synthetic}\nsearch: {lr: 0.1}\n' >synth.yaml
check
run validate synth.yaml
[ $rc -eq 0 ] && ! grep -q '^data:' "$TMP/out" || fail "synthetic: rc $rc, out '$(cat "$TMP/out")'"

summary
