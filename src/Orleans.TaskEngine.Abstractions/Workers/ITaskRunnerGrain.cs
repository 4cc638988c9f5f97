using Orleans.Concurrency;

namespace Orleans.TaskEngine.Workers;

/// <summary>What a task grain asks of whoever runs its attempt: an in-silo worker or an agent.</summary>
public interface ITaskRunnerGrain : IGrainWithStringKey
{
    /// <summary>Cancels a running attempt (cancel or timeout).</summary>
    [OneWay]
    Task Cancel(string taskId, int attempt, string reason);

    /// <summary>Whether this runner runs this attempt now (the task grain's liveness check).</summary>
    [AlwaysInterleave]
    Task<bool> IsRunning(string taskId, int attempt);

    /// <summary>
    /// The tasks of <paramref name="queue"/> that this runner runs now: a scheduler that starts afresh learns them
    /// before it rebuilds its queue from the index, which lists running tasks as unfinished too.
    /// </summary>
    [AlwaysInterleave]
    Task<string[]> GetRunningTasks(string queue);
}
