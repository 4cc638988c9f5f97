using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>A queue index that fails the writes <see cref="StoreFaults"/> says; reads pass through.</summary>
public sealed class FaultInjectingQueueIndex(IQueueIndex inner) : IQueueIndex
{
    public Task SaveAsync(QueueIndexRecord record, CancellationToken cancellationToken = default) =>
        GuardAsync(StoreOperation.IndexSave, record.TaskId, record, () => inner.SaveAsync(record, cancellationToken));

    public Task RemoveAsync(string taskId, CancellationToken cancellationToken = default) =>
        GuardAsync(StoreOperation.IndexRemove, taskId, null, () => inner.RemoveAsync(taskId, cancellationToken));

    public Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(string queue, QueueEntry? after, int limit, CancellationToken cancellationToken = default) =>
        inner.LoadUnfinishedAsync(queue, after, limit, cancellationToken);

    public Task<IReadOnlyList<string>> LoadExpiredAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken = default) =>
        inner.LoadExpiredAsync(queue, now, limit, cancellationToken);

    public Task<IReadOnlyList<string>> LoadQueuesAsync(CancellationToken cancellationToken = default) =>
        inner.LoadQueuesAsync(cancellationToken);

    public Task<IReadOnlyList<string>> LoadQueuesToServeAsync(DateTimeOffset now, CancellationToken cancellationToken = default) =>
        inner.LoadQueuesToServeAsync(now, cancellationToken);

    private static Task GuardAsync(StoreOperation operation, string taskId, object? state, Func<Task> action) =>
        StoreFaults.RunAsync(operation, taskId, state, action, m => new TaskEngineUnavailableException($"The queue index is unavailable ({m})."));
}
