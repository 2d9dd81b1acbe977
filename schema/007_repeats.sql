-- 007_repeats.sql — repeats, confirmation runs and the rules a sweep was
-- made under, version 7.
--
-- A trial trained with several seeds (`repeats:` in the spec) keeps one row
-- per repeat in trial_repeats (its training seed and score, the mean over
-- folds), and its per-fold rows say which repeat they belong to.  Its
-- score is the mean of score_n values — the repeats' scores when it has
-- two or more repeats, the folds' otherwise — and score_std their
-- population standard deviation, as before version 7.
--
-- Confirmation runs (`confirm:` in the spec, `lrsweep confirm`) re-run the
-- best configs with fresh seeds.  They are trials too, numbered in a range
-- of their own: the confirmation of search trial j is trial 1000000000 + j
-- (search indices stay below 10^7), and trials.confirms holds j.  The views
-- below count search trials only.
--
-- sweeps.rules: the behaviour rules the sweep was created under, so that a
-- resumed sweep keeps its own even when a newer lrsweep changed a default
-- (docs/schema.md lists them).  NULL: created before version 7 (rules 0).
ALTER TABLE sweeps ADD COLUMN rules INTEGER;
ALTER TABLE trials ADD COLUMN score_n INTEGER;
ALTER TABLE trials ADD COLUMN confirms INTEGER;

CREATE TABLE trial_repeats (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    repeat      INTEGER NOT NULL,          -- 0-based
    seed        INTEGER NOT NULL,          -- the repeat's training seed
    score       REAL,                      -- mean over folds; NULL unless the trial is complete
    PRIMARY KEY (sweep_id, trial, repeat)
) WITHOUT ROWID;

-- Per-fold rows gain the repeat they belong to (0 for every row before
-- version 7).  The primary key changes, so both tables are rebuilt.
CREATE TABLE trial_folds_v7 (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    fold        INTEGER NOT NULL,
    train_loss  REAL,
    val_loss    REAL,
    accuracy    REAL,
    repeat      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sweep_id, trial, repeat, fold)
) WITHOUT ROWID;
INSERT INTO trial_folds_v7 (sweep_id, trial, fold, train_loss, val_loss, accuracy)
    SELECT sweep_id, trial, fold, train_loss, val_loss, accuracy FROM trial_folds;
DROP TABLE trial_folds;
ALTER TABLE trial_folds_v7 RENAME TO trial_folds;

CREATE TABLE trial_metrics_v7 (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    fold        INTEGER NOT NULL,
    epoch       INTEGER NOT NULL,
    name        TEXT    NOT NULL,
    value       REAL,
    repeat      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sweep_id, trial, repeat, fold, epoch, name)
) WITHOUT ROWID;
INSERT INTO trial_metrics_v7 (sweep_id, trial, fold, epoch, name, value)
    SELECT sweep_id, trial, fold, epoch, name, value FROM trial_metrics;
DROP TABLE trial_metrics;
ALTER TABLE trial_metrics_v7 RENAME TO trial_metrics;

DROP VIEW best_per_sweep;
DROP VIEW per_scheduler;
DROP VIEW per_optimizer;
DROP VIEW sweep_progress;

-- Best complete search trial of every sweep (pruned trials are never best;
-- `lrsweep best` ranks confirmed configs by their confirmation instead).
CREATE VIEW best_per_sweep AS
SELECT sweep, trial, score, score_std, lr, optimizer, scheduler, params
FROM (SELECT s.name AS sweep, t.trial, t.score, t.score_std, t.lr, t.optimizer, t.scheduler,
             t.params,
             ROW_NUMBER() OVER (PARTITION BY s.id
                                ORDER BY CASE WHEN s.goal = 'maximize' THEN -t.score
                                              ELSE t.score END, t.trial) AS rank
      FROM sweeps s JOIN trials t ON t.sweep_id = s.id
      WHERE t.status = 'complete' AND t.confirms IS NULL)
WHERE rank = 1;

-- Per sweep and scheduler: search trials, how many diverged, failed or were
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
WHERE t.confirms IS NULL
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
WHERE t.confirms IS NULL
GROUP BY s.id, t.optimizer;

-- Progress of every sweep's search trials: finished by state, running,
-- pending; and its confirmation runs finished and running.
CREATE VIEW sweep_progress AS
SELECT s.name AS sweep, s.trials AS total,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.confirms IS NULL
                                        AND t.status = 'complete') AS complete,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.confirms IS NULL
                                        AND t.status = 'diverged') AS diverged,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.confirms IS NULL
                                        AND t.status = 'failed') AS failed,
       (SELECT COUNT(*) FROM leases l WHERE l.sweep_id = s.id AND l.trial < 1000000000) AS running,
       s.trials - (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.confirms IS NULL)
                - (SELECT COUNT(*) FROM leases l WHERE l.sweep_id = s.id
                                                 AND l.trial < 1000000000) AS pending,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id AND t.confirms IS NULL
                                        AND t.status = 'pruned') AS pruned,
       (SELECT COUNT(*) FROM trials t WHERE t.sweep_id = s.id
                                        AND t.confirms IS NOT NULL) AS confirmed,
       (SELECT COUNT(*) FROM leases l WHERE l.sweep_id = s.id
                                        AND l.trial >= 1000000000) AS confirming
FROM sweeps s;
