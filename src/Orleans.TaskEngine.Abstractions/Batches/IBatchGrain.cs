using Orleans.Concurrency;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Batches;

/// <summary>
/// A batch with a callback (key: batch id): its member tasks, which of them finished and how, and the callback task
/// it submits once, when every member has finished. Its state is stored before any member is submitted.
/// </summary>
public interface IBatchGrain : IGrainWithStringKey
{
    /// <summary>Stores the batch, or finds the one stored under this id (a replay of the same request, or a conflict).</summary>
    Task<BatchCreateResult> Create(BatchDefinition definition);

    /// <summary>Every member is submitted: the batch may now finish.</summary>
    Task Seal();

    /// <summary>The request that made the batch was refused and rolled back: the batch goes, as if never made.</summary>
    Task Abandon();

    /// <summary>The batch now (unfinished members asked for their status), or null when there is no such batch.</summary>
    Task<BatchStatus?> Get();

    /// <summary>Cancels every member that has not finished; null when there is no such batch.</summary>
    Task<BatchStatus?> Cancel(string? actor);

    /// <summary>A member reached a terminal state (told by the member; at least once, counted once per task id).</summary>
    [OneWay]
    Task MemberFinished(string taskId, TaskState status);
}
