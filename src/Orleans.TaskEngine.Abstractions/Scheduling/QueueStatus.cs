namespace Orleans.TaskEngine.Scheduling;

/// <summary>A queue as an operator sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record QueueStatus
{
    [Id(0)] public required string Queue { get; init; }

    /// <summary>Pending tasks by priority name (low, normal, high, urgent).</summary>
    [Id(1)] public IReadOnlyDictionary<string, int> PendingByPriority { get; init; } = new Dictionary<string, int>();

    [Id(2)] public int Pending { get; init; }

    /// <summary>Tasks handed to a worker and not yet reported finished.</summary>
    [Id(3)] public int Running { get; init; }

    /// <summary>The most pending tasks the queue accepts.</summary>
    [Id(4)] public int Capacity { get; init; }

    [Id(5)] public IReadOnlyList<string> Workers { get; init; } = [];

    /// <summary>Free slots the scheduler knows of across its workers.</summary>
    [Id(6)] public int FreeSlots { get; init; }

    /// <summary>The silo that holds the queue's scheduler now.</summary>
    [Id(7)] public string? Silo { get; init; }

    /// <summary>Pending tasks, by type, that no live worker or agent of this queue serves: they wait, they are not failed.</summary>
    [Id(8)] public IReadOnlyDictionary<string, int> WaitingForCapability { get; init; } = new Dictionary<string, int>();

    /// <summary>When the task waiting longest became ready; null when nothing is pending.</summary>
    [Id(9)] public DateTimeOffset? OldestPendingSince { get; init; }
}
