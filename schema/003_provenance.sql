-- 003_provenance.sql — what a sweep's results were made from, and how its
-- workers got in, version 3.
--
-- data_hash: the content hash of the data set as decoded (values and
-- labels; common/dataset.h lrs_dataset_content_hash), 16 hex digits, set
-- when the sweep is created.  A resume whose data now hashes differently is
-- refused, so one sweep never mixes results of two data sets.  NULL for
-- synthetic data or model (the spec, covered by space_hash, defines them)
-- and for sweeps created before version 3, whose next resume records it.
--
-- transport: how the coordinator that last ran the sweep accepted workers —
-- 'curve' (CURVE keys and an allow list), 'local' (ipc:// or loopback TCP
-- only, no keys) or 'insecure' (a reachable TCP endpoint without keys,
-- --insecure).  NULL for sweeps not run since version 3.

ALTER TABLE sweeps ADD COLUMN data_hash TEXT;
ALTER TABLE sweeps ADD COLUMN transport TEXT CHECK (transport IN ('curve', 'local', 'insecure'));
