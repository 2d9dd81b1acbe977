-- 010_worker_gpus.sql — a worker's devices, version 10.
--
-- A worker started with --gpus 0,1 says so in its HELLO (protocol 8); the
-- coordinator keeps the list with the worker's row ("0,1"; NULL: none, or a
-- worker of a release before it), and `lrsweep status` shows it.
ALTER TABLE workers ADD COLUMN gpus TEXT;
