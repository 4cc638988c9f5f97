using Orleans.Concurrency;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Runs tasks (key: <c>{silo}/{pool}/{index}</c>). Started by its silo and placed on it, with a concurrency limit.
/// Handlers run off the grain's turn so it keeps answering while they work.
/// </summary>
public interface IWorkerGrain : ITaskRunnerGrain
{
    Task Start(WorkerConfiguration configuration);

    /// <summary>
    /// Stops taking work, and returns. Running handlers get the shutdown grace period to finish; then they are cancelled,
    /// and their attempts are handed back (error kind <c>handed_back</c>) to run again elsewhere. While an attempt's end
    /// has not reached its task, <see cref="ITaskRunnerGrain.IsRunning"/> still says the worker runs it.
    /// </summary>
    Task Stop();

    /// <summary>
    /// A scheduler hands the worker tasks of <paramref name="queue"/>, in order: one call for all it gives this worker
    /// in one pass, so under load a message carries several.
    /// </summary>
    Task<AssignResult> Assign(string queue, string[] taskIds);

    [AlwaysInterleave]
    Task<WorkerStatus> GetStatus();
}
