using Orleans.Concurrency;

namespace Orleans.TaskEngine.History;

/// <summary>Answers the audit log's queries from this silo's store.</summary>
[StatelessWorker]
public sealed class TaskHistoryGrain(ITaskHistory history) : Grain, ITaskHistoryGrain
{
    public Task<TaskSearchPage> Search(TaskSearchQuery query) => history.SearchAsync(query);

    public Task<TaskHistoryRecord?> Load(string taskId, DateTimeOffset? createdAt) => history.LoadAsync(taskId, createdAt);
}
