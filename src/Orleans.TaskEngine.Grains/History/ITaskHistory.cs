namespace Orleans.TaskEngine.History;

/// <summary>
/// The audit log's query side: every task incarnation's summary and events, written with the task's state (see
/// <see cref="TaskAuditProjection"/>) and kept for <c>TaskEngine:History:Retention</c>. One implementation per store;
/// <c>HistoryContract</c> in the tests runs on each. Failures surface as <see cref="Tasks.TaskEngineUnavailableException"/>.
/// </summary>
public interface ITaskHistory
{
    Task<TaskSearchPage> SearchAsync(TaskSearchQuery query, CancellationToken cancellationToken = default);

    /// <summary>
    /// The events of one incarnation of a task in order: the newest incarnation, or the one created at
    /// <paramref name="createdAt"/>. Null when there is none.
    /// </summary>
    Task<TaskHistoryRecord?> LoadAsync(string taskId, DateTimeOffset? createdAt, CancellationToken cancellationToken = default);

    /// <summary>
    /// For an execution report: the incarnations that finished in [<paramref name="from"/>, <paramref name="to"/>) and the
    /// events with an error kind recorded in it (<see cref="TaskStatsCalculator"/> makes the report).
    /// </summary>
    Task<TaskStatsInput> LoadStatsInputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// By queue, the incarnations that finished completed or failed in [<paramref name="from"/>, <paramref name="to"/>):
    /// counted by the store, for the failure-ratio alerts, which read it on every evaluation.
    /// </summary>
    Task<IReadOnlyList<FinishedByQueue>> CountFinishedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>
    /// By wall-clock minute, the incarnations that finished (completed, failed or cancelled) in [<paramref name="from"/>,
    /// <paramref name="to"/>), counted by the store; minutes with none are left out. For the task dashboard's counts
    /// and throughput chart (<see cref="ThroughputMinutes"/>), which poll it.
    /// </summary>
    Task<IReadOnlyList<FinishedInMinute>> CountFinishedByMinuteAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default);

    /// <summary>Purges up to <paramref name="limit"/> incarnations created before <paramref name="before"/>, oldest first, with their events; returns how many.</summary>
    Task<int> PurgeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken = default);
}
