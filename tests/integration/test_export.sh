#!/usr/bin/env bash
# test_export.sh — the stored metrics in `best` and `export`, and `export
# --curves`, end to end with real sweeps:
#  a. a wine classification sweep (logistic, 3 folds, repeats: 2): `best`
#     shows accuracy after the score, the mean of each trial's folds'
#     accuracy (every repeat's, as trial_folds holds them); export CSV and
#     JSON Lines carry it, score_n (2: the repeats) and repeats; --metrics
#     picks, '' and none drop it, an unknown name exits 2 naming it and the
#     known ones, with nothing on stdout;
#  b. its curves are fold means: fold empty (CSV) or null (JSON), one row
#     per trial × repeat × epoch, in trial, repeat, epoch order, the values
#     trial_epochs holds;
#  c. a command sweep (2 folds) reporting acc beside val_loss: best and
#     export show acc (the mean of the folds' last values), and --curves
#     has one row per trial × fold × epoch with the acc the command printed
#     for that fold and epoch; --trial keeps one trial;
#  d. 20000 trials × 50 epochs of curve rows inserted with sqlite3: export
#     --curves streams them all with its peak memory (max RSS) a few MB
#     above a tiny export's, far below the data it writes (measured with a
#     sanitized build's plain twin, LRS_PLAIN_LRSWEEP: ASan's quarantine
#     would decide RSS).
#
# usage: bash test_export.sh /path/to/lrsweep   (ctest passes the binary)
. "$(dirname "$0")/lib.sh"
cd "$TMP" || exit 1
cp "$EXAMPLES/wine.csv" .

# --- a. a classification sweep: accuracy, score_n, --metrics ------------------
cat >cls.yaml <<'EOF'
name: cls
seed: 5
trials: 4
sampler: random
objective: {metric: val_loss, goal: minimize}
data: {path: wine.csv, target: [cultivar], task: classification}
model: {type: logistic}
train: {folds: 3, shuffle: true, standardize: true}
repeats: 2
search:
  lr: {log_uniform: [1.0e-3, 1.0e-1]}
  epochs: 5
EOF
run run cls.yaml --db c.db --workers 1 --quiet
[ "$rc" -eq 0 ] || fail "a: run exited $rc: $(tail -3 "$TMP/err")"
check
[ "$(sqlite3 c.db "SELECT COUNT(*) FROM trials WHERE status = 'complete'")" = 4 ] ||
    fail "a: not every trial is complete: $(sqlite3 c.db 'SELECT trial, status FROM trials')"
"$LRSWEEP" best --db c.db >best.txt 2>&1 || fail "a: best failed: $(cat best.txt)"
"$LRSWEEP" best --db c.db --json >best.jsonl 2>&1 || fail "a: best --json failed"
"$LRSWEEP" export --db c.db --format csv >c.csv || fail "a: export csv failed"
"$LRSWEEP" export --db c.db --format jsonl >c.jsonl || fail "a: export jsonl failed"
check
$PY - c.db best.txt best.jsonl c.csv c.jsonl <<'EOF' || fail "a: accuracy, score_n or repeats wrong"
import csv, json, sqlite3, statistics, sys
db, table, best, csv_path, jsonl = sys.argv[1:]
con = sqlite3.connect(db)
acc = {t: statistics.fmean(a for (a,) in con.execute(
           "SELECT accuracy FROM trial_folds WHERE trial = ? ORDER BY repeat, fold", (t,)))
       for (t,) in con.execute("SELECT trial FROM trials")}
assert all(con.execute("SELECT COUNT(*) FROM trial_folds WHERE trial = ?", (t,)).fetchone()[0] == 6
           for t in acc), "3 folds x 2 repeats"
lines = open(table).read().splitlines()
assert lines[0].split() == ["rank", "trial", "score", "std", "accuracy", "params"], lines[0]
for l in lines[1:]:
    w = l.split()
    assert abs(float(w[4]) - acc[int(w[1])]) <= 5e-6 * acc[int(w[1])], (l, acc)   # 6 digits
worst = 0.0
for l in open(best):
    r = json.loads(l)
    worst = max(worst, abs(r["metrics"]["accuracy"] - acc[r["trial"]]))
rows = list(csv.DictReader(open(csv_path)))
assert list(rows[0])[-1] == "accuracy" and list(rows[0])[4:6] == ["score_n", "repeats"], list(rows[0])
for r in rows:
    worst = max(worst, abs(float(r["accuracy"]) - acc[int(r["trial"])]))
    assert r["score_n"] == "2" and r["repeats"] == "2", r
for l in open(jsonl):
    r = json.loads(l)
    worst = max(worst, abs(r["metrics"]["accuracy"] - acc[r["trial"]]))
    assert r["score_n"] == 2 and r["repeats"] == 2, r
assert worst <= 1e-15, worst
print(f"a: accuracy of {len(acc)} trials, worst difference from the folds' mean {worst:.3g}")
EOF
check
"$LRSWEEP" export --db c.db --format csv --metrics none | head -1 | grep -q "accuracy" &&
    fail "a: --metrics none kept accuracy"
"$LRSWEEP" best --db c.db --metrics '' | head -1 | grep -q "accuracy" &&
    fail "a: --metrics '' kept accuracy"
expect_status best usage 2 "--metrics: no metric 'acc' in sweep 'cls'; its metrics: accuracy" \
    --db c.db --metrics acc
expect_status export usage 2 "no metric 'f1' in sweep 'cls'; its metrics: accuracy" \
    --db c.db --format jsonl --metrics accuracy,f1
expect_status export usage 2 "--trial 4: sweep 'cls' has trials 0..3" \
    --db c.db --format jsonl --trial 4

# --- b. the engine's curves: fold means ---------------------------------------
"$LRSWEEP" export --db c.db --format csv --curves >cc.csv || fail "b: export --curves csv failed"
"$LRSWEEP" export --db c.db --format jsonl --curves >cc.jsonl || fail "b: --curves jsonl failed"
check
$PY - c.db cc.csv cc.jsonl <<'EOF' || fail "b: the engine's curves are not its fold means"
import csv, json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
want = [(t, r, e, lr, tl, vl) for t, r, e, lr, tl, vl in con.execute(
    "SELECT trial, repeat, epoch, lr, train_loss, val_loss FROM trial_epochs"
    " ORDER BY trial, repeat, epoch")]
assert len(want) == 4 * 2 * 5, len(want)   # trials x repeats x epochs
rows = list(csv.DictReader(open(sys.argv[2])))
assert list(rows[0]) == ["trial", "repeat", "fold", "epoch", "lr", "train_loss", "val_loss"], list(rows[0])
got = [(int(r["trial"]), int(r["repeat"]), int(r["epoch"]), float(r["lr"]), float(r["train_loss"]),
        float(r["val_loss"])) for r in rows]
assert got == want and all(r["fold"] == "" for r in rows)
js = [json.loads(l) for l in open(sys.argv[3])]
assert [(r["trial"], r["repeat"], r["epoch"], r["lr"], r["train_loss"], r["val_loss"]) for r in js] == want
assert all(r["fold"] is None and r["metrics"] == {} for r in js)
print(f"b: {len(want)} fold-mean rows, as trial_epochs holds them")
EOF

# --- c. a command sweep with a metric of its own ------------------------------
cat >cmd.yaml <<'EOF'
name: cmd
seed: 1
trials: 2
command: sh -c 'for e in 1 2 3; do echo "epoch=$e val_loss=0.$e acc=0.$LRSWEEP_FOLD$e"; done'
metric: val_loss
folds: 2
search:
  lr: {log_uniform: [1.0e-3, 1.0]}
EOF
run run cmd.yaml --db x.db --workers 1 --quiet
[ "$rc" -eq 0 ] || fail "c: run exited $rc: $(tail -3 "$TMP/err")"
"$LRSWEEP" best --db x.db >xbest.txt || fail "c: best failed"
"$LRSWEEP" export --db x.db --format csv >x.csv || fail "c: export failed"
"$LRSWEEP" export --db x.db --format csv --curves >xc.csv || fail "c: --curves failed"
"$LRSWEEP" export --db x.db --format jsonl --curves --trial 1 >xc1.jsonl || fail "c: --trial failed"
check
$PY - xbest.txt x.csv xc.csv xc1.jsonl <<'EOF' || fail "c: the command's metric is missing or wrong"
import csv, json, sys
lines = open(sys.argv[1]).read().splitlines()
assert lines[0].split() == ["rank", "trial", "score", "std", "acc", "val_loss", "params"], lines[0]
assert all(l.split()[4] == "0.08" for l in lines[1:]), lines   # mean of 0.03 and 0.13
rows = list(csv.DictReader(open(sys.argv[2])))
assert [r["acc"] for r in rows] == ["0.08", "0.08"] and [r["val_loss"] for r in rows] == ["0.3"] * 2, rows
assert [r["score_n"] for r in rows] == ["2", "2"], rows   # the mean over its 2 folds' runs
cur = list(csv.DictReader(open(sys.argv[3])))
assert list(cur[0]) == ["trial", "repeat", "fold", "epoch", "lr", "train_loss", "val_loss", "acc"], list(cur[0])
want = [(t, f, e) for t in range(2) for f in range(2) for e in range(1, 4)]
assert [(int(r["trial"]), int(r["fold"]), int(r["epoch"])) for r in cur] == want
for r in cur:
    assert float(r["acc"]) == float(f"0.{r['fold']}{r['epoch']}"), r
    assert float(r["val_loss"]) == float(f"0.{r['epoch']}") and r["lr"] == "" and r["train_loss"] == "", r
one = [json.loads(l) for l in open(sys.argv[4])]
assert [(r["trial"], r["fold"], r["epoch"]) for r in one] == [w for w in want if w[0] == 1], one
assert all(r["metrics"] == {"acc": float(f"0.{r['fold']}{r['epoch']}")} for r in one), one
print(f"c: {len(cur)} per-fold rows with acc")
EOF
expect_status export usage 2 "no metric 'val_loss' in the curves of sweep 'cmd'; its metrics: acc" \
    --db x.db --format csv --curves --metrics val_loss

# --- d. bounded memory over 1,000,000 curve rows ------------------------------
check
cp c.db big.db
sqlite3 big.db "
WITH RECURSIVE t(i) AS (SELECT 100000 UNION ALL SELECT i + 1 FROM t WHERE i < 119999),
               e(j) AS (SELECT 1 UNION ALL SELECT j + 1 FROM e WHERE j < 50)
INSERT INTO trial_epochs (sweep_id, trial, epoch, lr, train_loss, val_loss, repeat)
SELECT 1, i, j, 0.01, 1.0 / j, 1.5 / j, 0 FROM t, e;" || fail "d: inserting the rows failed"
$PY - "${LRS_PLAIN_LRSWEEP:-$LRSWEEP}" <<'EOF' || fail "d: export --curves did not stream in bounded memory"
import os, subprocess, sys, time
lrsweep = sys.argv[1]
def peak(db, fmt):   # max RSS (KiB) of one export --curves, its bytes and lines
    t0 = time.monotonic()
    p = subprocess.Popen([lrsweep, "export", "--db", db, "--format", fmt, "--curves"],
                         stdout=subprocess.PIPE)
    size = lines = 0
    for chunk in iter(lambda: p.stdout.read(1 << 20), b""):
        size += len(chunk)
        lines += chunk.count(b"\n")
    _, status, usage = os.wait4(p.pid, 0)
    assert status == 0, status
    return usage.ru_maxrss, size, lines, time.monotonic() - t0
small = peak("c.db", "csv")
for fmt in ("csv", "jsonl"):
    rss, size, lines, secs = peak("big.db", fmt)
    assert lines == (1 if fmt == "csv" else 0) + 40 + 20000 * 50, lines
    print(f"d: {fmt}: {lines} lines, {size / 2**20:.1f} MiB in {secs:.1f} s, max RSS {rss / 1024:.1f} MiB"
          f" (a 40-row export {small[0] / 1024:.1f} MiB)")
    assert rss - small[0] < 16 * 1024 and rss * 1024 < size / 2, (rss, small[0], size)
EOF

summary
