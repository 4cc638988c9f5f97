namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The single-file store's tables, created on first start and applied again at every start (every statement is
/// idempotent). They mirror the PostgreSQL ones (silo-config/sql/100-taskengine.sql, 110-taskengine-grain-state.sql)
/// column for column, so <c>migrate</c> copies rows as they are. Times are UTC ticks (100 ns) in INTEGER columns:
/// ordered, compared and read back exactly.
/// </summary>
internal static class SqliteSchema
{
    /// <summary>Bumped when a statement below changes in a way an existing file needs; stored as <c>user_version</c>.</summary>
    public const int Version = 1;

    public const string Sql = """
        CREATE TABLE IF NOT EXISTS taskengine_grain_state
        (
            service_id  TEXT    NOT NULL,
            state_name  TEXT    NOT NULL,
            grain_id    TEXT    NOT NULL,
            version     INTEGER NOT NULL,
            payload     BLOB    NOT NULL,
            modified_on INTEGER NOT NULL,
            PRIMARY KEY (service_id, state_name, grain_id)
        );

        CREATE TABLE IF NOT EXISTS taskengine_queue_records
        (
            service_id TEXT    NOT NULL,
            task_id    TEXT    NOT NULL,
            queue      TEXT    NOT NULL,
            priority   INTEGER NOT NULL,
            seq        INTEGER NOT NULL,
            expires_at INTEGER NULL,
            task_type  TEXT    NULL,
            PRIMARY KEY (service_id, task_id)
        );
        CREATE INDEX IF NOT EXISTS taskengine_queue_records_unfinished
            ON taskengine_queue_records (service_id, queue, priority DESC, seq, task_id) WHERE expires_at IS NULL;
        CREATE INDEX IF NOT EXISTS taskengine_queue_records_queues ON taskengine_queue_records (service_id, queue);
        CREATE INDEX IF NOT EXISTS taskengine_queue_records_expiry
            ON taskengine_queue_records (service_id, queue, expires_at) WHERE expires_at IS NOT NULL;

        CREATE TABLE IF NOT EXISTS taskengine_reminders
        (
            service_id    TEXT    NOT NULL,
            grain_id      TEXT    NOT NULL,
            reminder_name TEXT    NOT NULL,
            start_time    INTEGER NOT NULL,
            period        INTEGER NOT NULL,
            grain_hash    INTEGER NOT NULL,
            version       INTEGER NOT NULL,
            PRIMARY KEY (service_id, grain_id, reminder_name)
        );
        CREATE INDEX IF NOT EXISTS taskengine_reminders_hash ON taskengine_reminders (service_id, grain_hash);

        CREATE TABLE IF NOT EXISTS taskengine_task_summaries
        (
            service_id         TEXT    NOT NULL,
            task_id            TEXT    NOT NULL,
            created_at         INTEGER NOT NULL,
            type               TEXT    NOT NULL,
            queue              TEXT    NOT NULL,
            priority           INTEGER NOT NULL,
            status             TEXT    NOT NULL,
            outcome            TEXT    NULL,
            attempts           INTEGER NOT NULL,
            created_by         TEXT    NULL,
            started_at         INTEGER NULL,
            finished_at        INTEGER NULL,
            tags               TEXT    NOT NULL DEFAULT '[]',
            last_error_kind    TEXT    NULL,
            last_error_message TEXT    NULL,
            last_error_at      INTEGER NULL,
            events             TEXT    NOT NULL DEFAULT '',
            audited_through    INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (service_id, task_id, created_at)
        );
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
            ON taskengine_task_summaries (service_id, created_by, created_at DESC, task_id DESC) WHERE created_by IS NOT NULL;
        CREATE INDEX IF NOT EXISTS taskengine_task_summaries_finished
            ON taskengine_task_summaries (service_id, finished_at) WHERE finished_at IS NOT NULL;
        CREATE INDEX IF NOT EXISTS taskengine_task_summaries_failed
            ON taskengine_task_summaries (service_id, last_error_at) WHERE last_error_at IS NOT NULL;

        -- A tag search's index (SQLite has no GIN): a row per tag of an incarnation, written with its first summary.
        CREATE TABLE IF NOT EXISTS taskengine_task_tags
        (
            service_id TEXT    NOT NULL,
            tag        TEXT    NOT NULL,
            created_at INTEGER NOT NULL,
            task_id    TEXT    NOT NULL,
            PRIMARY KEY (service_id, tag, created_at, task_id)
        ) WITHOUT ROWID;
        """;
}
