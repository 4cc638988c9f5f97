-- 110: grain state of the engine's batched store (PostgresGrainStorage, TaskEngine:Database:TaskStore = Batched).
-- Idempotent: IF NOT EXISTS. Orleans' own table (orleans_storage, 020) stays for the AdoNet store.
-- Orleans' ADO.NET storage makes one round trip and one plpgsql call per read or write; this table is read and written
-- many grains at a time (unnest arrays, one statement a kind), which is what lets a silo keep up with the load.

-- One row a grain state of a service; version is the ETag: 1 when inserted, +1 each write, compared on every write
-- and delete (optimistic concurrency). grain_id is Orleans' GrainId as text (e.g. task/0123abcd...), payload the
-- state in Orleans' binary serialization format.
-- fillfactor: a task's row is inserted, then rewritten a few times soon after; room left on its page lets those
-- updates stay on the page (HOT), with no new index entry each.
CREATE TABLE IF NOT EXISTS taskengine_grain_state
(
    service_id  text        NOT NULL,
    grain_id    text        NOT NULL,
    state_name  text        NOT NULL,
    version     integer     NOT NULL,
    payload     bytea       NOT NULL,
    modified_on timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT taskengine_grain_state_pkey PRIMARY KEY (service_id, state_name, grain_id)
) WITH (fillfactor = 80);
