using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Workers;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Client;

/// <summary>
/// The engine through the Orleans client (or from inside a silo): submit, get, wait, cancel, retry.
/// The REST API and the tests use this; it holds no state.
/// </summary>
public sealed class TaskEngineClusterClient(IGrainFactory grains)
{
    /// <summary>The longest single wait call; longer waits are made of several, each under the Orleans response timeout.</summary>
    public static readonly TimeSpan MaxWaitPerCall = TimeSpan.FromSeconds(20);

    public static string NewTaskId() => Guid.CreateVersion7().ToString("N");

    public Task<SubmitResult> SubmitAsync(TaskSubmission submission, string? taskId = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(submission);
        return Task(taskId ?? NewTaskId()).Submit(submission).WaitAsync(cancellationToken);
    }

    public Task<TaskSnapshot?> GetAsync(string taskId, CancellationToken cancellationToken = default) =>
        Task(taskId).Get().WaitAsync(cancellationToken);

    /// <summary>Waits for the task to finish, up to <paramref name="timeout"/>; returns it as it is then (null if unknown).</summary>
    public async Task<TaskSnapshot?> WaitAsync(string taskId, TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        var deadline = DateTimeOffset.UtcNow + timeout;
        while (true)
        {
            var left = deadline - DateTimeOffset.UtcNow;
            var slice = left < MaxWaitPerCall ? left : MaxWaitPerCall;
            if (slice < TimeSpan.Zero)
            {
                slice = TimeSpan.Zero;
            }

            var snapshot = await Task(taskId).WaitForCompletion(slice).WaitAsync(cancellationToken);
            if (snapshot is null || snapshot.Status.IsTerminal() || DateTimeOffset.UtcNow >= deadline)
            {
                return snapshot;
            }
        }
    }

    public Task<CommandResult> CancelAsync(string taskId, string? reason = null, CancellationToken cancellationToken = default) =>
        CancelAsync(taskId, reason, actor: null, cancellationToken);

    /// <param name="actor">Who asks, for the audit log (the API passes its caller's identity).</param>
    public Task<CommandResult> CancelAsync(string taskId, string? reason, string? actor, CancellationToken cancellationToken = default) =>
        Task(taskId).Cancel(reason, actor).WaitAsync(cancellationToken);

    public Task<CommandResult> RetryAsync(string taskId, CancellationToken cancellationToken = default) =>
        RetryAsync(taskId, actor: null, cancellationToken);

    public Task<CommandResult> RetryAsync(string taskId, string? actor, CancellationToken cancellationToken = default) =>
        Task(taskId).Retry(actor).WaitAsync(cancellationToken);

    public Task<QueueStatus> GetQueueAsync(string queue, CancellationToken cancellationToken = default) =>
        grains.GetGrainByKey<ISchedulerGrain>(queue).GetStatus().WaitAsync(cancellationToken);

    public async Task<IReadOnlyList<WorkerStatus>> GetWorkersAsync(CancellationToken cancellationToken = default)
    {
        var registrations = await grains.GetGrain<IWorkerDirectoryGrain>(0).GetWorkers().WaitAsync(cancellationToken);
        var statuses = await System.Threading.Tasks.Task.WhenAll(
            registrations.Select(r => grains.GetGrainByKey<IWorkerGrain>(r.WorkerId).GetStatus()));
        return statuses;
    }

    /// <summary>The task's grain; a malformed id is refused here, before any grain is called, with the reason.</summary>
    private ITaskGrain Task(string taskId)
    {
        EngineIds.ThrowIfInvalid(taskId);
        return grains.GetGrainByKey<ITaskGrain>(taskId);
    }
}
