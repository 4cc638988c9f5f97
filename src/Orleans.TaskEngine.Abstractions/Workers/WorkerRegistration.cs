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

    public bool Serves(string queue, bool queueIsExclusive) =>
        Queues.Count == 0 ? !queueIsExclusive : Queues.Contains(queue, StringComparer.Ordinal);
}
