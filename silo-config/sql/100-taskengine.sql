-- 100: the task engine's own tables (not used by Orleans' providers).
-- taskengine_task_events: append-only history of each task, ordered by a per-task sequence number.
-- taskengine_queue_index: which tasks wait in which queue, so queues can be rebuilt after a crash;
-- the index serves "next task of a queue" in priority order (highest first), then FIFO by seq.
-- Placeholders for now. Idempotent: IF NOT EXISTS everywhere.

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

CREATE TABLE IF NOT EXISTS taskengine_queue_index
(
    queue       text        NOT NULL,
    task_id     text        NOT NULL,
    priority    integer     NOT NULL DEFAULT 0,
    enqueued_at timestamptz NOT NULL DEFAULT now(),
    seq         bigint      NOT NULL,
    CONSTRAINT taskengine_queue_index_pkey PRIMARY KEY (queue, task_id)
);

CREATE INDEX IF NOT EXISTS taskengine_queue_index_order
    ON taskengine_queue_index (queue, priority DESC, seq);
