using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// The queue index in the SQLite file (table <c>taskengine_queue_records</c>): saves and removes go through the store's
/// writer (group-committed with the grain states); pages are read on a read connection, which sees every committed write.
/// </summary>
public sealed class SqliteQueueIndex(SqliteDatabase database, IOptions<ClusterOptions> cluster) : IQueueIndex
{
    private const string UpsertSql = """
        INSERT INTO taskengine_queue_records (service_id, task_id, queue, priority, seq, expires_at, task_type)
        VALUES ($s, $t, $queue, $priority, $seq, $expires, $type)
        ON CONFLICT (service_id, task_id) DO UPDATE
        SET queue = excluded.queue, priority = excluded.priority, seq = excluded.seq, expires_at = excluded.expires_at,
            task_type = excluded.task_type
        """;

    private const string DeleteSql = "DELETE FROM taskengine_queue_records WHERE service_id = $s AND task_id = $t";

    // Run order (priority DESC, seq, task_id) after an entry: the rest of its priority, then the lower ones.
    private const string UnfinishedSql = """
        SELECT task_id, priority, seq, task_type FROM taskengine_queue_records
        WHERE service_id = $s AND queue = $queue AND expires_at IS NULL
          AND ($priority IS NULL OR priority < $priority OR (priority = $priority AND (seq, task_id) > ($seq, $t)))
        ORDER BY priority DESC, seq, task_id
        LIMIT $limit
        """;

    private const string ExpiredSql = """
        SELECT task_id FROM taskengine_queue_records
        WHERE service_id = $s AND queue = $queue AND expires_at IS NOT NULL AND expires_at <= $now
        ORDER BY expires_at
        LIMIT $limit
        """;

    private const string QueuesSql = "SELECT DISTINCT queue FROM taskengine_queue_records WHERE service_id = $s";

    private const string QueuesToServeSql = """
        SELECT DISTINCT queue FROM taskengine_queue_records
        WHERE service_id = $s AND (expires_at IS NULL OR expires_at <= $now)
        """;

    private readonly string _serviceId = cluster.Value.ServiceId;

    public Task SaveAsync(QueueIndexRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        return RunAsync(
            $"save the record of task {record.TaskId}",
            w => w.Execute(
                UpsertSql,
                ("$s", _serviceId), ("$t", record.TaskId), ("$queue", record.Queue), ("$priority", (int)record.Priority), ("$seq", record.Sequence),
                ("$expires", record.ExpiresAt?.UtcTicks), ("$type", record.Type)),
            cancellationToken);
    }

    public Task RemoveAsync(string taskId, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(taskId);
        return RunAsync($"remove the record of task {taskId}", w => w.Execute(DeleteSql, ("$s", _serviceId), ("$t", taskId)), cancellationToken);
    }

    public async Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(string queue, QueueEntry? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await ReadAsync(
            $"load the unfinished tasks of queue {queue}",
            c => c.Query(
                UnfinishedSql,
                r => new QueueEntry { TaskId = r.GetString(0), Priority = (TaskPriority)r.GetInt32(1), Sequence = r.GetInt64(2), Type = r.IsDBNull(3) ? null : r.GetString(3) },
                ("$s", _serviceId), ("$queue", queue), ("$limit", limit),
                ("$priority", after is null ? null : (int)after.Priority), ("$seq", after?.Sequence), ("$t", after?.TaskId)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> LoadExpiredAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return await ReadAsync(
            $"load the expired tasks of queue {queue}",
            c => c.Query(ExpiredSql, r => r.GetString(0), ("$s", _serviceId), ("$queue", queue), ("$now", now.UtcTicks), ("$limit", limit)),
            cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<string>> LoadQueuesAsync(CancellationToken cancellationToken = default)
    {
        var queues = await ReadAsync("load the queue names", c => c.Query(QueuesSql, r => r.GetString(0), ("$s", _serviceId)), cancellationToken).ConfigureAwait(false);
        return [.. queues.Order(StringComparer.Ordinal)];
    }

    public async Task<IReadOnlyList<string>> LoadQueuesToServeAsync(DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var queues = await ReadAsync(
            "load the queues to serve", c => c.Query(QueuesToServeSql, r => r.GetString(0), ("$s", _serviceId), ("$now", now.UtcTicks)), cancellationToken).ConfigureAwait(false);
        return [.. queues.Order(StringComparer.Ordinal)];
    }

    private Task<T> ReadAsync<T>(string operation, Func<SqliteConnection, T> read, CancellationToken cancellationToken)
    {
        try
        {
            cancellationToken.ThrowIfCancellationRequested();
            return Task.FromResult(database.Read(read));
        }
        catch (SqliteException ex)
        {
            throw new TaskEngineUnavailableException($"The queue index is unavailable: could not {operation} ({ex.GetType().Name}: {ex.Message}). Try again.");
        }
    }

    private async Task<T> RunAsync<T>(string operation, Func<SqliteWriter, T> work, CancellationToken cancellationToken)
    {
        try
        {
            return await database.WriteAsync(work, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SqliteException or ObjectDisposedException or InvalidOperationException)
        {
            throw new TaskEngineUnavailableException($"The queue index is unavailable: could not {operation} ({ex.GetType().Name}: {ex.Message}). Try again.");
        }
    }
}
