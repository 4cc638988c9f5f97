using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Silo.Storage;

/// <summary>
/// The queue index in this process's memory (embedded mode and tests). Like <see cref="InProcessGrainStorage"/> it is
/// keyed by service id and lives outside any silo, so it outlives a silo that is killed: the tests' failover
/// rebuilds queues from it exactly as a durable cluster does from PostgreSQL.
/// </summary>
public sealed class InProcessQueueIndex(IOptions<ClusterOptions> cluster) : IQueueIndex
{
    private static readonly ConcurrentDictionary<string, ConcurrentDictionary<string, QueueIndexRecord>> Services = new();

    private ConcurrentDictionary<string, QueueIndexRecord> Records => Services.GetOrAdd(cluster.Value.ServiceId, _ => new(StringComparer.Ordinal));

    public Task SaveAsync(QueueIndexRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        Records[record.TaskId] = record;
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string taskId, CancellationToken cancellationToken = default)
    {
        Records.TryRemove(taskId, out _);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(string queue, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<QueueEntry> entries = [.. Records.Values
            .Where(r => r.Queue == queue && r.ExpiresAt is null)
            .OrderByDescending(r => r.Priority)
            .ThenBy(r => r.Sequence)
            .Select(r => new QueueEntry { TaskId = r.TaskId, Priority = r.Priority, Sequence = r.Sequence })];
        return Task.FromResult(entries);
    }

    public Task<IReadOnlyList<string>> LoadExpiredAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> ids = [.. Records.Values
            .Where(r => r.Queue == queue && r.ExpiresAt <= now)
            .OrderBy(r => r.ExpiresAt)
            .Take(limit)
            .Select(r => r.TaskId)];
        return Task.FromResult(ids);
    }

    public Task<IReadOnlyList<string>> LoadQueuesAsync(CancellationToken cancellationToken = default)
    {
        IReadOnlyList<string> queues = [.. Records.Values.Select(r => r.Queue).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
        return Task.FromResult(queues);
    }
}
