-- 002_exec.sql — results of sweeps that run the user's own command
-- (`command:` in the spec), version 2.
--
-- Such a command reports metrics under names of its own choosing, per fold
-- and epoch, so its curve is stored as (fold, epoch, name, value) rows
-- instead of trial_epochs' fixed columns (which the built-in engine keeps
-- using).  While the trial runs the rows hold the curve reported so far;
-- its final result replaces them.  The trial row gets the command's exit
-- status and signal, the tail of its stderr and of its output, and the last
-- value of every name it reported.  Columns are NULL for built-in trials.

ALTER TABLE trials ADD COLUMN exit_status INTEGER;   -- last run's exit code (NULL: killed / never ran)
ALTER TABLE trials ADD COLUMN signal INTEGER;        -- last run's killing signal
ALTER TABLE trials ADD COLUMN stderr_tail TEXT;      -- last 20 stderr lines; invalid UTF-8 as \xNN
ALTER TABLE trials ADD COLUMN log_tail TEXT;         -- last 64 KiB of stdout+stderr; same escaping
ALTER TABLE trials ADD COLUMN metrics TEXT;          -- JSON object: last value of every name (mean over folds)

CREATE TABLE trial_metrics (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    fold        INTEGER NOT NULL,          -- 0-based; 0 without folds
    epoch       INTEGER NOT NULL,          -- as the command reported it
    name        TEXT    NOT NULL,          -- e.g. val_loss, lr, train_loss, accuracy
    value       REAL,                      -- NULL for NaN / Inf
    PRIMARY KEY (sweep_id, trial, fold, epoch, name)
) WITHOUT ROWID;
