using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench;

/// <summary>What the load tool drives: the engine in this process, or a REST API.</summary>
public interface IBenchTarget : IAsyncDisposable
{
    /// <summary>Submits and returns the task id, or throws when the engine refuses.</summary>
    Task<string> SubmitAsync(TaskSubmission submission, CancellationToken cancellationToken);

    /// <summary>Waits for the task to finish; returns its times and status (null: unknown id).</summary>
    Task<TaskOutcome?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken);

    /// <summary>Peak working set of the engine process in bytes, when this tool can see it.</summary>
    long? EnginePeakWorkingSet { get; }

    /// <summary>Submits the engine refused with 429 and that were retried.</summary>
    int Throttled { get; }

    /// <summary>CPU time the engine process used so far, when this tool can see it.</summary>
    TimeSpan? EngineCpu { get; }
}

/// <summary>The times of one finished task, from the engine's own clock.</summary>
public sealed record TaskOutcome(TaskState Status, DateTimeOffset CreatedAt, DateTimeOffset? StartedAt, DateTimeOffset? FinishedAt);
