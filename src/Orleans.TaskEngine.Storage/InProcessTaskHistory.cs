using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Storage;

/// <summary>
/// The audit log in this process's memory (embedded mode and tests), written by <see cref="InProcessGrainStorage"/> in
/// the same call that stores a task's state. Keyed by service id outside any silo, like the other in-process stores.
/// Bounded: past <see cref="HistoryOptions.MaxTasks"/> incarnations, the oldest go first.
/// </summary>
public sealed class InProcessTaskHistory(IOptions<ClusterOptions> cluster, IOptions<HistoryOptions> options) : ITaskHistory
{
    private static readonly ConcurrentDictionary<string, InProcessHistoryBook> Services = new();

    private InProcessHistoryBook Book => Services.GetOrAdd(cluster.Value.ServiceId, _ => new InProcessHistoryBook());

    /// <summary>Whether writes add to the log (<see cref="HistoryOptions.Enabled"/>).</summary>
    public bool Enabled => options.Value.Enabled;

    public void Record(TaskAuditRows rows) => Book.Record(rows, options.Value.MaxTasks);

    public Task<TaskSearchPage> SearchAsync(TaskSearchQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        return Task.FromResult(Book.Search(query));
    }

    public Task<TaskHistoryRecord?> LoadAsync(string taskId, DateTimeOffset? createdAt, CancellationToken cancellationToken = default) =>
        Task.FromResult(Book.Load(taskId, createdAt));

    public Task<TaskStatsInput> LoadStatsInputAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Task.FromResult(Book.StatsInput(from, to));

    public Task<IReadOnlyList<FinishedByQueue>> CountFinishedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Task.FromResult(Book.CountFinished(from, to));

    public Task<IReadOnlyList<FinishedInMinute>> CountFinishedByMinuteAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken = default) =>
        Task.FromResult(Book.CountFinishedByMinute(from, to));

    public Task<int> PurgeAsync(DateTimeOffset before, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(Book.Purge(before, limit));
}
