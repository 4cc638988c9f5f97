namespace Orleans.TaskEngine.History;

[GenerateSerializer, Immutable]
public sealed record TaskStatsError
{
    [Id(0)] public required string Message { get; init; }
    [Id(1)] public int Count { get; init; }
}
