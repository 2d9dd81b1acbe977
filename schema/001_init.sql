-- 001_init.sql — the lrsweep results database, version 1.
--
-- One row per sweep, one row per finished trial (complete, diverged or
-- failed), its per-fold results and per-epoch curve, the leases of trials
-- being run right now, and the workers seen.  The coordinator is the only
-- writer; anyone may read (WAL mode), also while a sweep runs.
-- Trials not in `trials` and not in `leases` are pending.

CREATE TABLE sweeps (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE,
    token       INTEGER NOT NULL,          -- random id that workers echo on the wire
    spec        TEXT    NOT NULL,          -- the YAML text as loaded
    space_hash  TEXT    NOT NULL,          -- hex; a resumed sweep must match it
    seed        INTEGER NOT NULL,
    trials      INTEGER NOT NULL,          -- trial budget (grows when extended)
    metric      TEXT    NOT NULL,          -- val_loss | accuracy
    goal        TEXT    NOT NULL CHECK (goal IN ('minimize', 'maximize')),
    created_at  REAL    NOT NULL,          -- unix seconds
    updated_at  REAL    NOT NULL
);

CREATE TABLE trials (
    sweep_id        INTEGER NOT NULL REFERENCES sweeps(id),
    trial           INTEGER NOT NULL,      -- index i: params are a function of (spec, seed, i)
    status          TEXT    NOT NULL CHECK (status IN ('complete', 'diverged', 'failed')),
    score           REAL,                  -- mean over folds of the final metric; NULL unless complete
    score_std       REAL,
    params          TEXT    NOT NULL,      -- JSON object of the active parameters
    lr              REAL,                  -- copies of params for easy grouping
    optimizer       TEXT,
    scheduler       TEXT,
    attempts        INTEGER NOT NULL,
    worker          TEXT,
    seconds         REAL,                  -- training time on the worker
    diverged_epoch  INTEGER,
    error           TEXT,                  -- failed: the last error
    finished_at     REAL    NOT NULL,      -- unix seconds, when committed
    PRIMARY KEY (sweep_id, trial)
);

CREATE TABLE trial_folds (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    fold        INTEGER NOT NULL,
    train_loss  REAL,
    val_loss    REAL,
    accuracy    REAL,
    PRIMARY KEY (sweep_id, trial, fold)
) WITHOUT ROWID;

CREATE TABLE trial_epochs (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    epoch       INTEGER NOT NULL,          -- 1-based
    lr          REAL,
    train_loss  REAL,                      -- means over folds
    val_loss    REAL,
    PRIMARY KEY (sweep_id, trial, epoch)
) WITHOUT ROWID;

CREATE TABLE leases (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    attempt     INTEGER NOT NULL,          -- 1-based
    worker      TEXT    NOT NULL,
    started_at  REAL    NOT NULL,
    PRIMARY KEY (sweep_id, trial)
) WITHOUT ROWID;

CREATE TABLE workers (
    sweep_id    INTEGER NOT NULL,
    name        TEXT    NOT NULL,          -- host:pid as the worker reports it
    host        TEXT,
    jobs        INTEGER,
    first_seen  REAL    NOT NULL,
    last_seen   REAL    NOT NULL,
    trials_done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sweep_id, name)
) WITHOUT ROWID;

-- No index on score: its random-order inserts made the cost of recording a
-- trial grow with the database (2x at a million trials); ranking a sweep's
-- trials by score is a single scan of its rows instead.

-- Best complete trial of every sweep (lowest score, or highest for goal maximize).
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

-- Per sweep and scheduler: trials, how many diverged, best and mean score.
CREATE VIEW per_scheduler AS
SELECT s.name AS sweep, t.scheduler,
       COUNT(*) AS trials,
       SUM(t.status = 'diverged') AS diverged,
       SUM(t.status = 'failed') AS failed,
       CASE WHEN s.goal = 'maximize' THEN MAX(t.score) ELSE MIN(t.score) END AS best,
       AVG(t.score) AS mean_score
FROM sweeps s JOIN trials t ON t.sweep_id = s.id
GROUP BY s.id, t.scheduler;

-- Per sweep and optimizer, the same.
CREATE VIEW per_optimizer AS
SELECT s.name AS sweep, t.optimizer,
       COUNT(*) AS trials,
       SUM(t.status = 'diverged') AS diverged,
       SUM(t.status = 'failed') AS failed,
       CASE WHEN s.goal = 'maximize' THEN MAX(t.score) ELSE MIN(t.score) END AS best,
       AVG(t.score) AS mean_score
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
                - (SELECT COUNT(*) FROM leases l WHERE l.sweep_id = s.id) AS pending
FROM sweeps s;
