using Orleans.Concurrency;

namespace Orleans.TaskEngine.History;

/// <summary>Answers the audit log's queries from this silo's store.</summary>
[StatelessWorker]
public sealed class TaskHistoryGrain(ITaskHistory history, TimeProvider time) : Grain, ITaskHistoryGrain
{
    public async Task<TaskStats> Stats(string window, string by)
    {
        if (!TaskStatsWindow.TryParse(window, out var name, out var length) || by is not ("type" or "queue"))
        {
            throw new ArgumentException($"window must be one of {string.Join(", ", TaskStatsWindow.Known.Keys)} and by type or queue.");
        }

        var to = time.GetUtcNow();
        var from = to - length;
        return TaskStatsCalculator.Compute(await history.LoadStatsInputAsync(from, to), name, by, from, to);
    }

    public Task<TaskSearchPage> Search(TaskSearchQuery query) => history.SearchAsync(query);

    public Task<TaskHistoryRecord?> Load(string taskId, DateTimeOffset? createdAt) => history.LoadAsync(taskId, createdAt);
}
