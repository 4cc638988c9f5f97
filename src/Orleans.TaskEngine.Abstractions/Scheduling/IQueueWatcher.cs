using Orleans.Concurrency;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// Told by a queue's scheduler of each task it takes in, so that a watcher (a WebSocket connection of an API host) can
/// follow that task's events. An observer: not durable, it must be renewed with <see cref="IQueueWatchGrain.Watch"/>.
/// </summary>
public interface IQueueWatcher : IGrainObserver
{
    /// <param name="queue">The queue that took the task in.</param>
    /// <param name="taskId">The task.</param>
    /// <param name="isNewSubmit">A task just submitted (its whole history is new), rather than one put back (retry, re-drive).</param>
    [OneWay]
    Task TaskEnqueued(string queue, string taskId, bool isNewSubmit);
}
