using Orleans.Concurrency;

namespace Orleans.TaskEngine.History;

/// <summary>Answers the audit log's queries from this silo's store.</summary>
[StatelessWorker]
public sealed class TaskHistoryGrain(ITaskHistory history, TimeProvider time) : Grain, ITaskHistoryGrain
{
    // Each activation keeps the minutes it has counted: a dashboard's poll then counts only the minutes since.
    private readonly ThroughputMinutes _minutes = new();

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

    public async Task<TaskThroughput> Throughput(string window)
    {
        if (!TaskStatsWindow.TryParse(window, out var name, out var length))
        {
            throw new ArgumentException($"window must be one of {string.Join(", ", TaskStatsWindow.Known.Keys)}.");
        }

        var now = time.GetUtcNow();
        var from = _minutes.CountFrom(now, length);
        var counted = from < now ? await history.CountFinishedByMinuteAsync(from, now) : [];
        return _minutes.Report(name, now, length, from, counted);
    }

    public Task<TaskSearchPage> Search(TaskSearchQuery query) => history.SearchAsync(query);

    public Task<TaskHistoryRecord?> Load(string taskId, DateTimeOffset? createdAt) => history.LoadAsync(taskId, createdAt);
}
