using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// The queue index in this process's memory (embedded mode and tests). Like <see cref="InProcessGrainStorage"/> it is
/// keyed by service id and lives outside any silo, so it outlives a silo that is killed: the tests' failover
/// rebuilds queues from it exactly as a durable cluster does from PostgreSQL.
/// </summary>
public sealed class InProcessQueueIndex(IOptions<ClusterOptions> cluster) : IQueueIndex
{
    private static readonly ConcurrentDictionary<string, InProcessQueueRecords> Services = new(StringComparer.Ordinal);

    private InProcessQueueRecords Records => Services.GetOrAdd(cluster.Value.ServiceId, _ => new());

    public Task SaveAsync(QueueIndexRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);
        Records.Save(record);
        return Task.CompletedTask;
    }

    public Task RemoveAsync(string taskId, CancellationToken cancellationToken = default)
    {
        Records.Remove(taskId);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(string queue, QueueEntry? after, int limit, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        return Task.FromResult(Records.Unfinished(queue, after, limit));
    }

    public Task<IReadOnlyList<string>> LoadExpiredAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(Records.Expired(queue, now, limit));

    public Task<IReadOnlyList<string>> LoadQueuesAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(Records.Queues());

    public Task<IReadOnlyList<string>> LoadQueuesToServeAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        Task.FromResult(Records.QueuesToServe(now));
}
