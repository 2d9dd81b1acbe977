-- 006_pruning.sql — pruned trials and the decisions at rungs, version 6.
--
-- trials.status gains 'pruned' (stopped early at a rung by the sweep's
-- `pruning:` rule; no score) and trials.pruned_epoch says where.  SQLite
-- cannot change a CHECK constraint, so the table is rebuilt with the same
-- columns in the same order plus pruned_epoch, and the views on it are made
-- again (with pruned counts).
DROP VIEW best_per_sweep;
DROP VIEW per_scheduler;
DROP VIEW per_optimizer;
DROP VIEW sweep_progress;
CREATE TABLE trials_v6 (
    sweep_id        INTEGER NOT NULL REFERENCES sweeps(id),
    trial           INTEGER NOT NULL,
    status          TEXT    NOT NULL CHECK (status IN ('complete', 'diverged', 'failed', 'pruned')),
    score           REAL,
    score_std       REAL,
    params          TEXT    NOT NULL,
    lr              REAL,
    optimizer       TEXT,
    scheduler       TEXT,
    attempts        INTEGER NOT NULL,
    worker          TEXT,
    seconds         REAL,
    diverged_epoch  INTEGER,
    error           TEXT,
    finished_at     REAL    NOT NULL,
    exit_status     INTEGER,
    signal          INTEGER,
    stderr_tail     TEXT,
    log_tail        TEXT,
    metrics         TEXT,
    pruned_epoch    INTEGER,                -- pruned: the rung epoch it stopped at
    PRIMARY KEY (sweep_id, trial)
);
INSERT INTO trials_v6 (sweep_id, trial, status, score, score_std, params, lr, optimizer,
                       scheduler, attempts, worker, seconds, diverged_epoch, error, finished_at,
                       exit_status, signal, stderr_tail, log_tail, metrics)
    SELECT sweep_id, trial, status, score, score_std, params, lr, optimizer, scheduler,
           attempts, worker, seconds, diverged_epoch, error, finished_at, exit_status, signal,
           stderr_tail, log_tail, metrics FROM trials;
DROP TABLE trials;
ALTER TABLE trials_v6 RENAME TO trials;

-- Best complete trial of every sweep (pruned trials are never best).
CREATE VIEW best_per_sweep AS
SELECT sweep, trial, score, score_std, lr, optimizer, scheduler, params
FROM (SELECT s.name AS sweep, t.trial, t.score, t.score_std, t.lr, t.optimizer, t.scheduler,
             t.params,
             ROW_NUMBER() OVER (PARTITION BY s.id
                                ORDER BY CASE WHEN s.goal = 'maximize' THEN -t.score
                                              ELSE t.score END, t.trial) AS rank
      FROM sweeps s JOIN trials t ON t.sweep_id = s.id
      WHERE t.status = 'complete')
WHERE rank = 1;

-- Per sweep and scheduler: trials, how many diverged, failed or were
-- pruned, best and mean score (of complete trials: the others have none).
CREATE VIEW per_scheduler AS
SELECT s.name AS sweep, t.scheduler,
       COUNT(*) AS trials,
       SUM(t.status = 'diverged') AS diverged,
       SUM(t.status = 'failed') AS failed,
       CASE WHEN s.goal = 'maximize' THEN MAX(t.score) ELSE MIN(t.score) END AS best,
       AVG(t.score) AS mean_score,
       SUM(t.status = 'pruned') AS pruned
FROM sweeps s JOIN trials t ON t.sweep_id = s.id
GROUP BY s.id, t.scheduler;

-- Per sweep and optimizer, the same.
CREATE VIEW per_optimizer AS
SELECT s.name AS sweep, t.optimizer,
       COUNT(*) AS trials,
       SUM(t.status = 'diverged') AS diverged,
       SUM(t.status = 'failed') AS failed,
       CASE WHEN s.goal = 'maximize' THEN MAX(t.score) ELSE MIN(t.score) END AS best,
       AVG(t.score) AS mean_score,
       SUM(t.status = 'pruned') AS pruned
FROM sweeps s JOIN trials t ON t.sweep_id = s.id
GROUP BY s.id, t.optimizer;

-- Progress of every sweep: finished trials by state, running, pending.
CREATE VIEW sweep_progress AS
SELECT s.name AS sweep, s.trials AS total,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 'complete') AS complete,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 'diverged') AS diverged,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 'failed') AS failed,
       (SELECT COUNT(*) FROM leases l WHERE l.sweep_id = s.id) AS running,
       s.trials - (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id)
                - (SELECT COUNT(*) FROM leases l WHERE l.sweep_id = s.id) AS pending,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.status = 'pruned') AS pruned
FROM sweeps s;

-- One row per rung a trial reached: its value there (the objective's metric
-- at that epoch; for k-fold CV the mean over folds), the best value so far,
-- and the decision the coordinator took (recorded before it answered), with
-- the bar the trial was held to and the rule.  A retried attempt that
-- reaches the rung again gets this decision back.
CREATE TABLE trial_rungs (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    rung        INTEGER NOT NULL,          -- the rule's rung index (0-based)
    epoch       INTEGER NOT NULL,          -- 1-based
    value       REAL,                      -- NULL for NaN
    best        REAL,
    decision    TEXT    CHECK (decision IN ('continue', 'prune')),
    threshold   REAL,                      -- NULL: none (too few values, or a startup trial)
    rule        TEXT    NOT NULL,
    decided_at  REAL,
    PRIMARY KEY (sweep_id, trial, rung)
) WITHOUT ROWID;
