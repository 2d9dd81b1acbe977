-- 005_lifecycle.sql — how sweeps end, who runs them, version 5.
--
-- sweeps.ended: NULL while the sweep has work left; 'complete' (every trial
-- finished), 'stopped' (lrsweep stop) or 'budget' (its budget: was used up).
-- ended_at is when, end_reason the sentence `status` shows.  A sweep
-- stopped or ended by its budget continues only when a later run gives it a
-- larger budget; stop_budget_trials / stop_budget_seconds are the budget in
-- effect when it was stopped (NULL: none), to tell "larger" from "the same".
ALTER TABLE sweeps ADD COLUMN ended TEXT CHECK (ended IN ('complete', 'stopped', 'budget'));
ALTER TABLE sweeps ADD COLUMN ended_at REAL;
ALTER TABLE sweeps ADD COLUMN end_reason TEXT;
ALTER TABLE sweeps ADD COLUMN stop_budget_trials INTEGER;
ALTER TABLE sweeps ADD COLUMN stop_budget_seconds REAL;

-- The coordinator that runs (or last ran) each sweep.  It writes its row at
-- start, beat_at every second while it runs, and exited_at with its exit
-- status when it stops; a row with exited_at NULL whose beat is old (or
-- whose pid is gone, on the same host) belongs to a coordinator that died.
-- `lrsweep stop` signals the pid here.  elapsed: wall seconds coordinators
-- have run the sweep, summed over every session (what budget.time counts).
CREATE TABLE coordinators (
    sweep_id    INTEGER PRIMARY KEY REFERENCES sweeps(id),
    host        TEXT    NOT NULL,
    pid         INTEGER NOT NULL,
    started_at  REAL    NOT NULL,
    beat_at     REAL    NOT NULL,
    exited_at   REAL,
    exit_status INTEGER,
    elapsed     REAL    NOT NULL DEFAULT 0
);

-- Workers: the pid their HELLO gave, and their state as the coordinator
-- last saw it: 'connected', 'lost' (stopped heartbeating), 'left' (ended,
-- reconnected under a new session, or told the sweep stops); left_reason
-- says which.
ALTER TABLE workers ADD COLUMN pid INTEGER;
ALTER TABLE workers ADD COLUMN state TEXT CHECK (state IN ('connected', 'lost', 'left'));
ALTER TABLE workers ADD COLUMN left_reason TEXT;

-- Facts about the file: 'written_by' is the release of the last lrsweep that
-- opened it to write, named when an older lrsweep cannot read it.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
