namespace Orleans.TaskEngine.History;

/// <summary>
/// What finished in the last minutes (<c>GET /api/stats/throughput</c>): counts by outcome and finishes per wall-clock
/// minute, oldest first, the last being the current minute so far. Counted by the store, with no task read whole.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TaskThroughput
{
    [Id(0)] public required string Window { get; init; }

    /// <summary>The start of the window's first minute.</summary>
    [Id(1)] public DateTimeOffset From { get; init; }

    [Id(2)] public DateTimeOffset To { get; init; }

    [Id(3)] public int Completed { get; init; }

    [Id(4)] public int Failed { get; init; }

    [Id(5)] public int Cancelled { get; init; }

    /// <summary>Tasks finished (completed, failed or cancelled) per minute, oldest first; one entry per minute of the window.</summary>
    [Id(6)] public IReadOnlyList<int> PerMinute { get; init; } = [];
}
