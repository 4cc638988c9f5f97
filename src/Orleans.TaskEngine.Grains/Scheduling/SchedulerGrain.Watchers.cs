using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// Watchers of the queue (WebSocket queue subscriptions): told of each task the queue takes in. With no watcher this
/// costs one null check per enqueue: no call, no write.
/// </summary>
public sealed partial class SchedulerGrain : IQueueWatchGrain
{
    // The longest lease a watcher may ask for: one that forgets to renew is gone within it.
    private static readonly TimeSpan MaxWatchLease = TimeSpan.FromMinutes(5);

    private QueueWatchers? _watchers;

    public Task<string[]> Watch(IQueueWatcher watcher, TimeSpan lease)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        var length = lease <= TimeSpan.Zero || lease > MaxWatchLease ? MaxWatchLease : lease;
        (_watchers ??= new QueueWatchers()).Renew(watcher, _time.GetUtcNow() + length);
        LogWatched(Queue, _watchers.Count);
        return Task.FromResult<string[]>([.. _ready.TaskIds, .. _running.Keys]);
    }

    public Task Unwatch(IQueueWatcher watcher)
    {
        ArgumentNullException.ThrowIfNull(watcher);
        _watchers?.Remove(watcher);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Queue {Queue}: a watcher subscribed or renewed; {Count} watcher(s)")]
    private partial void LogWatched(string queue, int count);

    private void AnnounceToWatchers(string taskId, bool isNewSubmit)
    {
        if (_watchers is not { Count: > 0 } watchers)
        {
            return;
        }

        foreach (var watcher in watchers.Live(_time.GetUtcNow()))
        {
            // One-way: a watcher that has gone away costs nothing here; its lease ends.
            watcher.TaskEnqueued(Queue, taskId, isNewSubmit).Ignore();
        }
    }
}
