-- 004_worker_idle.sql — why a worker gets no trials, version 4.
--
-- idle_reason: NULL while a worker may be given trials; otherwise a short
-- text the coordinator writes when it will send the worker none, shown by
-- `lrsweep status` (today: "started without --allow-commands", for a worker
-- joined to a sweep that runs a user's command).

ALTER TABLE workers ADD COLUMN idle_reason TEXT;
