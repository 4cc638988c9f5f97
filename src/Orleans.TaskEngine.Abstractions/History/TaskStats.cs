namespace Orleans.TaskEngine.History;

/// <summary>An execution report: per group (task type or queue), what finished in the window and how long it took.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskStats
{
    [Id(0)] public required string Window { get; init; }
    [Id(1)] public required string By { get; init; }
    [Id(2)] public DateTimeOffset From { get; init; }
    [Id(3)] public DateTimeOffset To { get; init; }
    [Id(4)] public IReadOnlyList<TaskStatsGroup> Groups { get; init; } = [];
}
