-- 100: the task engine's own tables (not used by Orleans' providers). Idempotent: IF NOT EXISTS everywhere.
-- taskengine_task_events: append-only history of each task, ordered by a per-task sequence number (placeholder).
-- taskengine_queue_records: the tasks each queue owns (IQueueIndex), so queues can be rebuilt after a crash.

CREATE TABLE IF NOT EXISTS taskengine_task_events
(
    task_id   text        NOT NULL,
    seq       bigint      NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    kind      text        NOT NULL,
    status    text        NULL,
    attempt   integer     NULL,
    worker_id text        NULL,
    silo      text        NULL,
    message   text        NULL,
    CONSTRAINT taskengine_task_events_pkey PRIMARY KEY (task_id, seq)
);

-- The first placeholder of the queue index; it was never written, so it goes (its shape differs from the real one).
DROP TABLE IF EXISTS taskengine_queue_index;

-- One row a task of a service: unfinished while expires_at is NULL (a rebuilt queue takes it), finished otherwise
-- (kept until expires_at, then purged). Written in batches of upserts and deletes by task id, hence the key.
-- priority is the TaskPriority enum as its integer (higher runs first); seq orders a priority FIFO (ticks).
CREATE TABLE IF NOT EXISTS taskengine_queue_records
(
    service_id text        NOT NULL,
    task_id    text        NOT NULL,
    queue      text        NOT NULL,
    priority   integer     NOT NULL,
    seq        bigint      NOT NULL,
    expires_at timestamptz NULL,
    CONSTRAINT taskengine_queue_records_pkey PRIMARY KEY (service_id, task_id)
);

-- The task's type (added with agents): a rebuilt queue gives a task only to a worker or agent that declares its type.
-- NULL in rows written before it existed; such a task may go to any worker.
ALTER TABLE taskengine_queue_records ADD COLUMN IF NOT EXISTS task_type text NULL;

-- Rebuilding a queue reads its unfinished tasks in the order they run: this index returns them already sorted, and
-- holds no finished rows (which, with retention, can far outnumber the unfinished ones). task_id last makes the
-- order total and the scan index-only.
CREATE INDEX IF NOT EXISTS taskengine_queue_records_unfinished
    ON taskengine_queue_records (service_id, queue, priority DESC, seq, task_id)
    WHERE expires_at IS NULL;

-- The sweeper asks for a queue's finished tasks whose expiry has passed, oldest first, a page at a time: a range scan
-- here that stops at the page's end, never touching unfinished rows.
CREATE INDEX IF NOT EXISTS taskengine_queue_records_expiry
    ON taskengine_queue_records (service_id, queue, expires_at)
    WHERE expires_at IS NOT NULL;

-- Listing a service's queues after a restart: the query skips from one queue to the next through this index (a loose
-- index scan by recursive CTE), so it costs one probe a queue, not a read of every row.
CREATE INDEX IF NOT EXISTS taskengine_queue_records_queues
    ON taskengine_queue_records (service_id, queue);
