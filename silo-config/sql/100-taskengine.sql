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

-- The audit log (ITaskHistory, PostgresTaskHistory): written by PostgresGrainStorage in the same statement as the task
-- state that makes it true (data-modifying CTEs joined on the state rows written), kept for TaskEngine:History:Retention.
-- An incarnation is (task_id, created_at): a task id can come back after its task was purged. (taskengine_task_events
-- above was a placeholder that nothing ever wrote; it stays, unused.)

-- One row an incarnation, upserted by every state write of the task, holding the incarnation's summary and its events.
-- task_id in the "C" collation: search pages by (created_at, task_id) in ordinal order, as the in-process history does,
-- whatever the database's collation. status is the TaskState as the API spells it (pending, running, ...); priority the
-- TaskPriority as its integer. events: one JSON object per line, in sequence order; a write appends its new events'
-- lines (text concatenation: nothing parsed) when they go past audited_through, the last sequence the row holds, so a
-- repeated write logs nothing twice. One row per task rather than a row per event: measured, the rows per event were
-- most of the audit log's cost (BENCHMARKS.md). last_error_at: the time of the incarnation's latest failed attempt.
-- outcome: the status once finished (completed, failed, cancelled), NULL before. Searches by status use it rather than
-- status: a write that changes no indexed column (start, progress) is a HOT update that adds no index entry and little
-- WAL, and only the start changes status without finishing (a task's write when it finishes writes every index anyway).
CREATE TABLE IF NOT EXISTS taskengine_task_summaries
(
    service_id         text        NOT NULL,
    task_id            text        COLLATE "C" NOT NULL,
    created_at         timestamptz NOT NULL,
    type               text        NOT NULL,
    queue              text        NOT NULL,
    priority           integer     NOT NULL,
    status             text        NOT NULL,
    outcome            text        NULL,
    attempts           integer     NOT NULL,
    created_by         text        NULL,
    started_at         timestamptz NULL,
    finished_at        timestamptz NULL,
    tags               text[]      NOT NULL DEFAULT '{}',
    last_error_kind    text        NULL,
    last_error_message text        NULL,
    last_error_at      timestamptz NULL,
    events             text        NOT NULL DEFAULT '',
    audited_through    bigint      NOT NULL DEFAULT 0,
    CONSTRAINT taskengine_task_summaries_pkey PRIMARY KEY (service_id, task_id, created_at)
) WITH (fillfactor = 70);

-- Search is newest first by (created_at, task_id), a page after a cursor: each index below returns a filter's rows in
-- that order, so a page is a range scan that stops at the page's end. Unfiltered (and by time only): the first. By one
-- of outcome (status), type, queue, created_by: its own (a search with several uses one and filters the rest); queue and type
-- together, the operators' usual pair, have one of their own (with only the two single ones, a pair that matches
-- nothing reads all of the type's rows). The oldest-first purge walks the first one backwards.
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_newest
    ON taskengine_task_summaries (service_id, created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_outcome
    ON taskengine_task_summaries (service_id, outcome, created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_type
    ON taskengine_task_summaries (service_id, type, created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_queue
    ON taskengine_task_summaries (service_id, queue, created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_queue_type
    ON taskengine_task_summaries (service_id, queue, type, created_at DESC, task_id DESC);
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_created_by
    ON taskengine_task_summaries (service_id, created_by, created_at DESC, task_id DESC)
    WHERE created_by IS NOT NULL;

-- By tag: the tasks holding it (tags @> ARRAY[tag]) from a GIN index, then sorted; a tag is expected to pick out a
-- small share of the tasks. GIN's pending list keeps the insert cheap.
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_tags
    ON taskengine_task_summaries USING gin (tags)
    WHERE tags <> '{}';

-- The execution report (GET /api/stats) reads the incarnations that finished in its window, and those whose latest
-- failed attempt is in it or after it (any failure in the window is then in their events): partial indexes, each
-- holding only the rows that have such a time.
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_finished
    ON taskengine_task_summaries (service_id, finished_at)
    WHERE finished_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS taskengine_task_summaries_failed
    ON taskengine_task_summaries (service_id, last_error_at)
    WHERE last_error_at IS NOT NULL;
