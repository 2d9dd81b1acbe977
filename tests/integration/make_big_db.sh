# make_big_db.sh — sourced by test_report_scale.sh and tests/bench/bench_report.sh:
# make_big_db LRSWEEP DIR TRIALS EPOCHS : DIR/big.db holds sweep "big" with
# TRIALS recorded trials, each with an EPOCHS-epoch curve in trial_epochs.
# A real 4-trial sweep creates the database (schema, sweep row, spec); SQL
# in one transaction then records the rest the way the coordinator would:
# lr log-uniform over 1e-5..1, one of four schedulers and two optimizers,
# every 50th trial diverged at an epoch, every 97th failed with an error
# naming its epoch, the others complete with a score that is best near
# lr = 3e-3; curves decay from 1 towards the score under the trial's lr.
make_big_db() {
    local lrsweep=$1 dir=$2 n=$3 epochs=$4
    cat >"$dir/big.yaml" <<YAML
name: big
trials: 4
seed: 1
objective: {metric: val_loss, goal: minimize}
data: {synthetic: {rows: 64, features: 3}}
model: {type: linear}
train: {folds: 2}
search:
  lr: {log_uniform: [1.0e-5, 1.0]}
  epochs: $epochs
  optimizer:
    sgd: {momentum: {uniform: [0.0, 0.9]}}
    adam: {}
  scheduler:
    constant: {}
    step: {step_size: {int_uniform: [5, 30]}}
    cosine: {}
    exponential: {gamma: {uniform: [0.9, 0.99]}}
YAML
    "$lrsweep" run "$dir/big.yaml" --db "$dir/big.db" --workers 1 --quiet >/dev/null 2>&1 || return 1
    sqlite3 -cmd ".timeout 3000" "$dir/big.db" <<SQL
BEGIN;
UPDATE sweeps SET trials = $n WHERE name = 'big';
CREATE TEMP TABLE gen AS
WITH RECURSIVE t(i) AS (SELECT 4 UNION ALL SELECT i + 1 FROM t WHERE i + 1 < $n)
SELECT i,
       pow(10, -5 + 5 * ((i * 7919) % 10007) / 10007.0) AS lr,
       CASE i % 4 WHEN 0 THEN 'constant' WHEN 1 THEN 'step' WHEN 2 THEN 'cosine'
                  ELSE 'exponential' END AS sched,
       CASE i % 3 WHEN 0 THEN 'adam' ELSE 'sgd' END AS opt,
       CASE WHEN i % 97 = 0 THEN 'failed' WHEN i % 50 = 0 THEN 'diverged'
            ELSE 'complete' END AS status
FROM t;
INSERT INTO trials (sweep_id, trial, status, score, score_std, params, lr, optimizer, scheduler,
                    attempts, worker, seconds, diverged_epoch, error, finished_at, score_n)
SELECT (SELECT id FROM sweeps WHERE name = 'big'), i, status,
       CASE status WHEN 'complete'
            THEN 0.05 + 0.1 * abs(log10(lr) + 2.5) + ((i * 104729) % 1000) / 20000.0 END,
       CASE status WHEN 'complete' THEN 0.01 END,
       json_object('lr', lr, 'optimizer', opt, 'scheduler', sched, 'epochs', $epochs),
       lr, opt, sched, 1, 'bench:' || (i % 8), 0.02,
       CASE status WHEN 'diverged' THEN 1 + i % $epochs END,
       CASE status WHEN 'failed' THEN 'loss is nan at epoch ' || (1 + i % 7)
                   WHEN 'diverged' THEN 'diverged at epoch ' || (1 + i % $epochs) END,
       1.7e9 + i * 0.01, CASE status WHEN 'complete' THEN 2 END
FROM gen;
INSERT INTO trial_epochs (sweep_id, trial, epoch, lr, train_loss, val_loss)
WITH RECURSIVE e(k) AS (SELECT 1 UNION ALL SELECT k + 1 FROM e WHERE k < $epochs)
SELECT (SELECT id FROM sweeps WHERE name = 'big'), g.i, e.k, g.lr,
       0.9 * (0.05 + (1 - 0.05) * exp(-e.k * 0.05)), 0.05 + (1 - 0.05) * exp(-e.k * 0.05)
FROM gen g, e WHERE g.status = 'complete';
COMMIT;
SQL
}
