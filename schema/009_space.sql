-- 009_space.sql — the search space as JSON, version 9.
--
-- Readers without a YAML parser (the Python package) type and bin a
-- sweep's parameters from it: every parameter's name, kind (lrsweep's or
-- the script's own), type, distribution with its bounds or values, log or
-- not, and the branch it lives in (common/space_json.h; docs/schema.md).
-- The coordinator writes it when it creates a sweep, and fills it for a
-- sweep created before version 9 when it next opens that sweep; NULL until
-- then.
ALTER TABLE sweeps ADD COLUMN space TEXT;
