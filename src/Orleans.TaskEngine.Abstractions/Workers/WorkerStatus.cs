namespace Orleans.TaskEngine.Workers;

/// <summary>A worker as an operator sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerStatus
{
    [Id(0)] public required string WorkerId { get; init; }
    [Id(1)] public string? Silo { get; init; }
    [Id(2)] public int Concurrency { get; init; }
    /// <summary>Tasks whose handler runs now (not those whose outcome is only being reported).</summary>
    [Id(3)] public IReadOnlyList<string> RunningTaskIds { get; init; } = [];
    [Id(4)] public IReadOnlyList<string> Queues { get; init; } = [];

    /// <summary>False for a worker grain that is not (or no longer) started by its silo.</summary>
    [Id(5)] public bool Active { get; init; }

    [Id(6)] public long Completed { get; init; }
    [Id(7)] public long Failed { get; init; }

    /// <summary>
    /// Tasks whose handler ignored its cancellation past the grace period and still holds a thread here: their slot is
    /// free and their attempt is no longer this worker's, and whatever they return is dropped.
    /// </summary>
    [Id(8)] public IReadOnlyList<string> AbandonedTaskIds { get; init; } = [];
}
