-- 008_curves.sql — per-repeat epoch curves and the one curve view, version 8.
--
-- A trial of `repeats: R` trains R times; trial_epochs keeps each repeat's
-- curve (the means over that repeat's folds), so its key gains the repeat
-- (0 for every row before version 8) and the table is rebuilt.
CREATE TABLE trial_epochs_v8 (
    sweep_id    INTEGER NOT NULL,
    trial       INTEGER NOT NULL,
    epoch       INTEGER NOT NULL,          -- 1-based
    lr          REAL,
    train_loss  REAL,                      -- means over the repeat's folds
    val_loss    REAL,
    repeat      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (sweep_id, trial, repeat, epoch)
) WITHOUT ROWID;
INSERT INTO trial_epochs_v8 (sweep_id, trial, epoch, lr, train_loss, val_loss)
    SELECT sweep_id, trial, epoch, lr, train_loss, val_loss FROM trial_epochs;
DROP TABLE trial_epochs;
ALTER TABLE trial_epochs_v8 RENAME TO trial_epochs;

-- Every trial's per-epoch curve, the one place readers take curves from
-- (`lrsweep export --curves`, the report, the Python package).  Per fold
-- where the folds' values are stored — a user's command's reported values
-- (trial_metrics): fold is the fold, metrics a JSON object of every other
-- name reported at that epoch, NULL when none — and the mean over folds otherwise (the
-- built-in engine: fold is NULL, metrics NULL).  A value in metrics is
-- written with 17 significant digits (SQLite's JSON writes 15, which does not
-- read back as the stored double).
CREATE VIEW trial_curves AS
SELECT e.sweep_id, e.trial, e.repeat, NULL AS fold, e.epoch, e.lr, e.train_loss, e.val_loss,
       NULL AS metrics
FROM trial_epochs e
WHERE NOT EXISTS (SELECT 1 FROM trial_metrics m
                  WHERE m.sweep_id = e.sweep_id AND m.trial = e.trial)
UNION ALL
SELECT m.sweep_id, m.trial, m.repeat, m.fold, m.epoch,
       MAX(CASE WHEN m.name = 'lr' THEN m.value END) AS lr,
       MAX(CASE WHEN m.name = 'train_loss' THEN m.value END) AS train_loss,
       MAX(CASE WHEN m.name = 'val_loss' THEN m.value END) AS val_loss,
       CASE WHEN SUM(m.name NOT IN ('lr', 'train_loss', 'val_loss')) > 0
            THEN json_group_object(m.name, CASE WHEN m.value IS NOT NULL
                                                THEN json(printf('%!.17g', m.value)) END)
                     FILTER (WHERE m.name NOT IN ('lr', 'train_loss', 'val_loss')) END AS metrics
FROM trial_metrics m
GROUP BY m.sweep_id, m.trial, m.repeat, m.fold, m.epoch;
