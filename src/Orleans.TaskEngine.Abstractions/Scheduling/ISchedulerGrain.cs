using Orleans.Concurrency;
using Orleans.TaskEngine.Workers;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// One queue (key: queue name). Keeps the ready tasks in priority order and hands each to the least-loaded
/// worker that serves the queue. Its queue lives in memory and is rebuilt from the durable queue index when it is lost.
/// </summary>
public interface ISchedulerGrain : IGrainWithStringKey
{
    /// <summary>
    /// Adds a ready task. A new submit (<paramref name="isNewSubmit"/>) is refused when the queue is full; a task
    /// that was accepted earlier (a retry, a re-drive after a crash) is always taken back.
    /// </summary>
    Task<EnqueueResult> Enqueue(QueueEntry entry, bool isNewSubmit);

    /// <summary>
    /// Whether the queue takes a new task that is not ready yet (run-at, dependencies): the same admission as a new
    /// submit's <see cref="Enqueue"/> (the cap on the number of queues), without adding anything.
    /// </summary>
    Task<EnqueueResult> Admit();

    /// <summary>Drops a task that will not run (cancelled).</summary>
    [OneWay]
    Task Remove(string taskId);

    /// <summary>A worker finished (or dropped) tasks this scheduler gave it; their slots are free. Sent in batches.</summary>
    [OneWay]
    Task TasksReleased(string workerId, string[] taskIds);

    /// <summary>A worker or agent joined (an agent registered): it is schedulable at once, without waiting for the directory.</summary>
    [OneWay]
    Task WorkerJoined(WorkerRegistration registration);

    /// <summary>A worker or agent left (deregistered, or declared dead): it gets no more work from this queue.</summary>
    [OneWay]
    Task WorkerLeft(string workerId);

    /// <summary>A worker that refused work earlier has free slots again.</summary>
    [OneWay]
    Task WorkerAvailable(string workerId, int freeSlots);

    [AlwaysInterleave]
    Task<QueueStatus> GetStatus();

    /// <summary>Tasks given to workers and not yet released, with the worker of each.</summary>
    [AlwaysInterleave]
    Task<IReadOnlyDictionary<string, string>> GetRunning();

    /// <summary>Does nothing but make sure the queue is active: activating it rebuilds it from the queue index.</summary>
    [AlwaysInterleave]
    Task Wake();

    /// <summary>Re-reads the worker directory at once (normally done on a timer).</summary>
    Task RefreshWorkers(WorkerRegistration[]? workers = null);
}
