namespace Orleans.TaskEngine.History;

/// <summary>Percentiles in milliseconds; null when nothing was measured.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskStatsPercentiles
{
    [Id(0)] public double? P50 { get; init; }
    [Id(1)] public double? P95 { get; init; }
    [Id(2)] public double? P99 { get; init; }
}
