#!/usr/bin/env bash
# demo.sh — the README's main job: a real learning-rate sweep on this machine.
# Usage: examples/demo.sh [path/to/lrsweep]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/lrsweep}
db=${LRSWEEP_DEMO_DB:-$here/../build/demo.db}

if "$bin" --help | grep -q '^  run '; then
    echo "== lrsweep run examples/wine-lr.yaml (database: $db)"
    "$bin" run "$here/wine-lr.yaml" --db "$db"   # ends with the best configs
    echo
    echo "== by scheduler"
    "$bin" summary --db "$db" --by scheduler
else
    echo "== lrsweep train: 5-fold cross-validated MLP on examples/wine.csv"
    "$bin" train --data "$here/wine.csv" --target cultivar --model mlp --hidden 32 \
        --folds 5 --seed 1 optimizer=adam lr=0.01 scheduler=cosine epochs=60
fi
