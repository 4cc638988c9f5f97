using System.Data.Common;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// The queue index in PostgreSQL (table <c>taskengine_queue_records</c>, see silo-config/sql/100-taskengine.sql).
/// Writes are group-committed (<see cref="GroupCommitQueue{TOperation}"/>): every save or remove joins a queue, and one
/// flush at a time writes all that is queued in one round trip, so the batch grows with the load, with no timer.
/// Connections come from Npgsql's pool for the engine's connection string, the one Orleans' providers use.
/// </summary>
public sealed partial class PostgresQueueIndex : IQueueIndex, IAsyncDisposable, IDisposable
{
    /// <summary>The most operations one round trip carries; a longer queue is written in several.</summary>
    internal const int MaxBatchSize = 2_000;

    private const string UpsertSql = """
        INSERT INTO taskengine_queue_records (service_id, task_id, queue, priority, seq, expires_at, task_type)
        SELECT @service, r.task_id, r.queue, r.priority, r.seq, r.expires_at, r.task_type
        FROM unnest(@ids, @queues, @priorities, @seqs, @expires, @types) AS r (task_id, queue, priority, seq, expires_at, task_type)
        ON CONFLICT (service_id, task_id) DO UPDATE
        SET queue = EXCLUDED.queue, priority = EXCLUDED.priority, seq = EXCLUDED.seq, expires_at = EXCLUDED.expires_at,
            task_type = EXCLUDED.task_type
        """;

    private const string DeleteSql = "DELETE FROM taskengine_queue_records WHERE service_id = @service AND task_id = ANY(@ids)";

    // A page of a queue in run order (priority DESC, seq, task_id), after a given entry: the rest of the entry's own
    // priority, then the lower priorities. Each branch is one range scan of taskengine_queue_records_unfinished that
    // stops at the page's end; one row comparison could not say "after" across a descending and an ascending column.
    internal const string UnfinishedSql = """
        SELECT task_id, priority, seq, task_type FROM taskengine_queue_records
        WHERE service_id = @service AND queue = @queue AND expires_at IS NULL
        ORDER BY priority DESC, seq, task_id
        LIMIT @limit
        """;

    internal const string UnfinishedAfterSql = """
        SELECT task_id, priority, seq, task_type FROM (
            (SELECT task_id, priority, seq, task_type FROM taskengine_queue_records
             WHERE service_id = @service AND queue = @queue AND expires_at IS NULL
               AND priority = @priority AND (seq, task_id) > (@seq, @task)
             ORDER BY priority DESC, seq, task_id
             LIMIT @limit)
            UNION ALL
            (SELECT task_id, priority, seq, task_type FROM taskengine_queue_records
             WHERE service_id = @service AND queue = @queue AND expires_at IS NULL
               AND priority < @priority
             ORDER BY priority DESC, seq, task_id
             LIMIT @limit)
        ) AS page
        ORDER BY priority DESC, seq, task_id
        LIMIT @limit
        """;

    private const string ExpiredSql = """
        SELECT task_id FROM taskengine_queue_records
        WHERE service_id = @service AND queue = @queue AND expires_at IS NOT NULL AND expires_at <= @now
        ORDER BY expires_at
        LIMIT @limit
        """;

    // A loose index scan: each step jumps to the next queue name in (service_id, queue), one index probe a queue.
    private const string QueueWalk = """
        WITH RECURSIVE queues (queue) AS (
            (SELECT queue FROM taskengine_queue_records WHERE service_id = @service ORDER BY queue LIMIT 1)
            UNION ALL
            SELECT (SELECT r.queue FROM taskengine_queue_records r
                    WHERE r.service_id = @service AND r.queue > q.queue ORDER BY r.queue LIMIT 1)
            FROM queues q
            WHERE q.queue IS NOT NULL
        )

        """;

    private const string QueuesSql = QueueWalk + "SELECT queue FROM queues WHERE queue IS NOT NULL";

    // The same walk, keeping the queues with an unfinished record or an expired one: one probe each of the partial
    // indexes (unfinished; expiry) per queue.
    private const string QueuesToServeSql = QueueWalk + """
        SELECT q.queue FROM queues q
        WHERE q.queue IS NOT NULL
          AND (EXISTS (SELECT 1 FROM taskengine_queue_records r
                       WHERE r.service_id = @service AND r.queue = q.queue AND r.expires_at IS NULL)
               OR EXISTS (SELECT 1 FROM taskengine_queue_records r
                          WHERE r.service_id = @service AND r.queue = q.queue AND r.expires_at IS NOT NULL AND r.expires_at <= @now))
        """;

    private readonly string _connectionString;
    private readonly string _serviceId;
    private readonly ILogger<PostgresQueueIndex> _logger;
    private readonly GroupCommitQueue<PendingWrite> _writes;

    public PostgresQueueIndex(IOptions<TaskEngineDatabaseOptions> database, IOptions<ClusterOptions> cluster, ILogger<PostgresQueueIndex> logger)
    {
        ArgumentNullException.ThrowIfNull(database);
        ArgumentNullException.ThrowIfNull(cluster);

        // The same string as Orleans' ADO.NET providers get, so Npgsql hands out connections from the same bounded pool.
        // (An NpgsqlDataSource would be a second pool beside it.)
        _connectionString = database.Value.EffectiveConnectionString();
        _serviceId = cluster.Value.ServiceId;
        _logger = logger;
        _writes = new GroupCommitQueue<PendingWrite>(
            MaxBatchSize, database.Value.MaxQueuedOperations, WriteBatchAsync, () => new TaskEngineUnavailableException("The queue index is unavailable: the silo is shutting down."));
    }

    /// <summary>Round trips that wrote a batch successfully (for tests: many operations, few batches).</summary>
    internal long BatchesWritten => _writes.BatchesWritten;

    public Task SaveAsync(QueueIndexRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return EnqueueAsync(new PendingWrite(record.TaskId, record), cancellationToken);
    }

    public Task RemoveAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return EnqueueAsync(new PendingWrite(taskId, Record: null), cancellationToken);
    }

    public Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(string queue, QueueEntry? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return QueryAsync(
            $"load the unfinished tasks of queue {queue}",
            after is null ? UnfinishedSql : UnfinishedAfterSql,
            p =>
            {
                p.AddWithValue("queue", queue);
                p.AddWithValue("limit", limit);
                if (after is not null)
                {
                    p.AddWithValue("priority", (int)after.Priority);
                    p.AddWithValue("seq", after.Sequence);
                    p.AddWithValue("task", after.TaskId);
                }
            },
            r => new QueueEntry { TaskId = r.GetString(0), Priority = (TaskPriority)r.GetInt32(1), Sequence = r.GetInt64(2), Type = r.IsDBNull(3) ? null : r.GetString(3) },
            cancellationToken);
    }

    public Task<IReadOnlyList<string>> LoadExpiredAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return QueryAsync(
            $"load the expired tasks of queue {queue}",
            ExpiredSql,
            p =>
            {
                p.AddWithValue("queue", queue);
                p.AddWithValue("now", now.UtcDateTime); // a UTC DateTime is what Npgsql writes as timestamptz
                p.AddWithValue("limit", limit);
            },
            r => r.GetString(0),
            cancellationToken);
    }

    public async Task<IReadOnlyList<string>> LoadQueuesAsync(CancellationToken cancellationToken = default)
    {
        var queues = await QueryAsync("load the queue names", QueuesSql, _ => { }, r => r.GetString(0), cancellationToken).ConfigureAwait(false);

        // The database sorts by its collation; callers get the same ordinal order as the in-process index gives.
        return [.. queues.Order(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<string>> LoadQueuesToServeAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var queues = await QueryAsync(
            "load the queues to serve",
            QueuesToServeSql,
            p => p.AddWithValue("now", now.UtcDateTime),
            r => r.GetString(0),
            cancellationToken).ConfigureAwait(false);
        return [.. queues.Order(StringComparer.Ordinal)];
    }

    /// <summary>Takes no more operations and waits until those already queued are written (or have failed).</summary>
    public ValueTask DisposeAsync() => _writes.DisposeAsync();

    /// <summary>
    /// As <see cref="DisposeAsync"/>, for a container disposed synchronously (which refuses a service that is only
    /// IAsyncDisposable). The flush never runs on the caller's scheduler, so blocking on it cannot deadlock.
    /// </summary>
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    // Cancelling the wait leaves the operation queued; writing it anyway is harmless, since a later save or remove of
    // the same task overwrites it.
    private Task EnqueueAsync(PendingWrite write, CancellationToken cancellationToken) => _writes.EnqueueAsync(write, cancellationToken);

    /// <summary>Writes one batch; a failure is logged once and fails each of its operations as unavailable.</summary>
    private async Task WriteBatchAsync(IReadOnlyList<GroupCommitQueue<PendingWrite>.Pending> batch)
    {
        try
        {
            await ExecuteBatchAsync(batch).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            LogBatchFailed(ex, _serviceId, batch.Count);
            throw Unavailable($"write {batch.Count} record(s)", ex);
        }
    }

    /// <summary>One round trip, one implicit transaction: an upsert of all saves and a delete of all removes.</summary>
    private async Task ExecuteBatchAsync(IReadOnlyList<GroupCommitQueue<PendingWrite>.Pending> batch)
    {
        // One task is written by one grain that awaits each write, so a task should never be here twice; if it is,
        // its last operation wins, as it would have written one after another (and ON CONFLICT refuses a row twice).
        var last = new Dictionary<string, PendingWrite>(batch.Count, StringComparer.Ordinal);
        foreach (var (write, _) in batch)
        {
            last[write.TaskId] = write;
        }

        var saves = last.Values.Where(w => w.Record is not null).Select(w => w.Record!).ToArray();
        var removes = last.Values.Where(w => w.Record is null).Select(w => w.TaskId).ToArray();

        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync().ConfigureAwait(false);
        await using var command = new NpgsqlBatch(connection);
        if (saves.Length > 0)
        {
            var upsert = new NpgsqlBatchCommand(UpsertSql);
            upsert.Parameters.AddWithValue("service", _serviceId);
            upsert.Parameters.AddWithValue("ids", saves.Select(r => r.TaskId).ToArray());
            upsert.Parameters.AddWithValue("queues", saves.Select(r => r.Queue).ToArray());
            upsert.Parameters.AddWithValue("priorities", saves.Select(r => (int)r.Priority).ToArray());
            upsert.Parameters.AddWithValue("seqs", saves.Select(r => r.Sequence).ToArray());
            upsert.Parameters.Add(new NpgsqlParameter("types", NpgsqlTypes.NpgsqlDbType.Array | NpgsqlTypes.NpgsqlDbType.Text) { Value = saves.Select(r => (object?)r.Type ?? DBNull.Value).ToArray() });

            // Typed explicitly: an array of nullable UTC DateTimes is timestamptz[] with NULLs for unfinished tasks.
            upsert.Parameters.Add(new NpgsqlParameter<DateTime?[]>("expires", NpgsqlDbType.Array | NpgsqlDbType.TimestampTz)
            {
                TypedValue = saves.Select(r => r.ExpiresAt?.UtcDateTime).ToArray(),
            });
            command.BatchCommands.Add(upsert);
        }

        if (removes.Length > 0)
        {
            var delete = new NpgsqlBatchCommand(DeleteSql);
            delete.Parameters.AddWithValue("service", _serviceId);
            delete.Parameters.AddWithValue("ids", removes);
            command.BatchCommands.Add(delete);
        }

        await command.ExecuteNonQueryAsync().ConfigureAwait(false);
    }

    private async Task<IReadOnlyList<T>> QueryAsync<T>(
        string operation, string sql, Action<NpgsqlParameterCollection> bind, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        try
        {
            return await PostgresRows.QueryAsync(_connectionString, _serviceId, sql, bind, read, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is DbException or InvalidOperationException or TimeoutException)
        {
            LogReadFailed(ex, operation, _serviceId);
            throw Unavailable(operation, ex);
        }
    }

    // The cause goes into the message, not as the inner exception: a driver's exception has no Orleans codec, and this
    // one crosses grain calls (see UnavailableOnFailureGrainStorage). The full exception is logged.
    private static TaskEngineUnavailableException Unavailable(string operation, Exception cause) =>
        new($"The queue index is unavailable: could not {operation} ({cause.GetType().Name}: {cause.Message}). Try again.");

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue index of service {ServiceId}: writing a batch of {Count} operation(s) failed; each fails to its caller")]
    private partial void LogBatchFailed(Exception exception, string serviceId, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue index: could not {Operation} of service {ServiceId}")]
    private partial void LogReadFailed(Exception exception, string operation, string serviceId);

    /// <summary>A save (with its record) or a remove (without).</summary>
    private sealed record PendingWrite(string TaskId, QueueIndexRecord? Record);
}
