using Orleans.Concurrency;

namespace Orleans.TaskEngine.History;

/// <summary>
/// The audit log's queries, answered by whichever silo the call lands on (a stateless worker over the silo's store), so
/// the API host reads it the same way embedded and as a cluster client.
/// </summary>
public interface ITaskHistoryGrain : IGrainWithIntegerKey
{
    [AlwaysInterleave]
    Task<TaskSearchPage> Search(TaskSearchQuery query);

    /// <summary>One incarnation of a task (the newest, or the one created at <paramref name="createdAt"/>); null: none.</summary>
    [AlwaysInterleave]
    Task<TaskHistoryRecord?> Load(string taskId, DateTimeOffset? createdAt);

    /// <summary>The execution report of the window that ends now (<see cref="TaskStatsWindow"/>), by <c>type</c> or <c>queue</c>.</summary>
    [AlwaysInterleave]
    Task<TaskStats> Stats(string window, string by);

    /// <summary>What finished in the window that ends now (<see cref="TaskStatsWindow"/>), per wall-clock minute, counted by the store.</summary>
    [AlwaysInterleave]
    Task<TaskThroughput> Throughput(string window);
}
