using Orleans.Concurrency;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Runs tasks (key: <c>{silo}/{pool}/{index}</c>). Started by its silo and placed on it, with a concurrency limit.
/// Handlers run off the grain's turn so it keeps answering while they work.
/// </summary>
public interface IWorkerGrain : IGrainWithStringKey
{
    Task Start(WorkerConfiguration configuration);

    /// <summary>
    /// Stops taking work, and returns. Running handlers get the shutdown grace period to finish; then they are cancelled,
    /// and their attempts are handed back (error kind <c>handed_back</c>) to run again elsewhere. While an attempt's end
    /// has not reached its task, <see cref="IsRunning"/> still says the worker runs it.
    /// </summary>
    Task Stop();

    /// <summary>
    /// A scheduler hands the worker tasks of <paramref name="queue"/>, in order: one call for all it gives this worker
    /// in one pass, so under load a message carries several.
    /// </summary>
    Task<AssignResult> Assign(string queue, string[] taskIds);

    /// <summary>Cancels the handler of a running attempt (cancel or timeout).</summary>
    [OneWay]
    Task Cancel(string taskId, int attempt, string reason);

    /// <summary>Whether the worker runs this attempt now (the task grain's liveness check).</summary>
    [AlwaysInterleave]
    Task<bool> IsRunning(string taskId, int attempt);

    [AlwaysInterleave]
    Task<WorkerStatus> GetStatus();

    /// <summary>
    /// The tasks of <paramref name="queue"/> whose handler runs here now: a scheduler that starts afresh learns them
    /// before it rebuilds its queue from the index, which lists running tasks as unfinished too.
    /// </summary>
    [AlwaysInterleave]
    Task<string[]> GetRunningTasks(string queue);
}
