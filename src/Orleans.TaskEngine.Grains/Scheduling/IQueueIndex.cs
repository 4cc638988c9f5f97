namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// The durable list of the tasks each queue owns, so that a queue survives the loss of its scheduler's silo and a
/// restart of the whole cluster: every pending or running task has a record (no expiry), and a finished task keeps
/// one (with its expiry) until its retention ends and it is purged.
/// Records are scoped by the cluster's service id. Writes from many grains are batched by the implementation, so a
/// record costs a share of one round trip, not one of its own. Operations on one task are issued one after another
/// (the task grain awaits each), so a batch never holds two writes of the same task.
/// Every failure of the store surfaces as <see cref="Tasks.TaskEngineUnavailableException"/>.
/// </summary>
public interface IQueueIndex
{
    /// <summary>Creates or replaces the record of <see cref="QueueIndexRecord.TaskId"/>; durable when the task completes.</summary>
    Task SaveAsync(QueueIndexRecord record, CancellationToken cancellationToken = default);

    /// <summary>Deletes the record of a task (purged, or never created); nothing happens if there is none.</summary>
    Task RemoveAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// One page of the unfinished tasks of a queue (records without expiry) in the order they run: highest priority
    /// first, then by sequence, then by task id. The page holds up to <paramref name="limit"/> tasks that come after
    /// <paramref name="after"/> in that order (from the start when it is null), so a queue of any length is read a page
    /// at a time, each page where the last one ended.
    /// </summary>
    Task<IReadOnlyList<QueueEntry>> LoadUnfinishedAsync(string queue, QueueEntry? after, int limit, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="limit"/> ids of a queue's finished tasks whose expiry is at or before <paramref name="now"/>.</summary>
    Task<IReadOnlyList<string>> LoadExpiredAsync(string queue, DateTimeOffset now, int limit, CancellationToken cancellationToken = default);

    /// <summary>The names of the queues that have any record: the queues that exist (counted against the cap on queues).</summary>
    Task<IReadOnlyList<string>> LoadQueuesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// The names of the queues that need their scheduler: those with an unfinished record (a task to run, or running),
    /// or with a finished one whose expiry is at or before <paramref name="now"/> (a task to purge). A queue whose records
    /// are all of finished tasks still within their retention needs none, and its scheduler may be let go.
    /// </summary>
    Task<IReadOnlyList<string>> LoadQueuesToServeAsync(DateTimeOffset now, CancellationToken cancellationToken = default);
}
