namespace Orleans.TaskEngine.Workers;

/// <summary>A worker as the directory and the schedulers know it.</summary>
[GenerateSerializer, Immutable]
public sealed record WorkerRegistration
{
    [Id(0)] public required string WorkerId { get; init; }

    /// <summary>The silo the worker runs on (its address as text).</summary>
    [Id(1)] public required string Silo { get; init; }

    /// <summary>How many tasks it runs at once.</summary>
    [Id(2)] public int Concurrency { get; init; }

    /// <summary>The queues it serves; empty means every queue that is not exclusive.</summary>
    [Id(3)] public IReadOnlyList<string> Queues { get; init; } = [];

    [Id(4)] public DateTimeOffset LastSeen { get; init; }

    /// <summary>The task types it runs (its capabilities): a scheduler gives it only tasks of these types.</summary>
    [Id(5)] public IReadOnlyList<string> TaskTypes { get; init; } = [];

    /// <summary>
    /// For an agent: how long after its last registration or heartbeat the directory drops it. Null for in-silo workers,
    /// whose silo's membership and the worker heartbeat interval say it.
    /// </summary>
    [Id(6)] public TimeSpan? StaleAfter { get; init; }

    public bool IsAgent => Agents.AgentKey.IsAgent(WorkerId);

    public bool Runs(string? taskType) => taskType is null || TaskTypes.Contains(taskType, StringComparer.Ordinal);

    public bool Serves(string queue, bool queueIsExclusive) =>
        Queues.Count == 0 ? !queueIsExclusive : Queues.Contains(queue, StringComparer.Ordinal);
}
