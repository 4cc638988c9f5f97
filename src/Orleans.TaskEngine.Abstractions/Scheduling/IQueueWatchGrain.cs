namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The watchers of one queue (key: queue name), kept by the queue's scheduler, the one place in the cluster that sees
/// each task the queue takes in. Nothing is kept or sent when nobody watches.
/// </summary>
public interface IQueueWatchGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds or renews <paramref name="watcher"/> for <paramref name="lease"/>; a watcher not renewed within it is
    /// dropped. Returns the queue's tasks now (pending or running), which will not be announced again.
    /// </summary>
    Task<string[]> Watch(IQueueWatcher watcher, TimeSpan lease);

    Task Unwatch(IQueueWatcher watcher);
}
