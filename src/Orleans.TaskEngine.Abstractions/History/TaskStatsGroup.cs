namespace Orleans.TaskEngine.History;

[GenerateSerializer, Immutable]
public sealed record TaskStatsGroup
{
    [Id(0)] public required string Key { get; init; }
    [Id(1)] public required TaskStatsCounts Counts { get; init; }

    /// <summary>Tasks that finished (completed, failed, cancelled) in each minute of the window, oldest first.</summary>
    [Id(2)] public IReadOnlyList<int> PerMinute { get; init; } = [];

    /// <summary>Creation to start of the tasks that finished in the window (their last attempt's start).</summary>
    [Id(3)] public required TaskStatsPercentiles WaitMs { get; init; }

    /// <summary>Start to finish of the tasks that finished in the window (their last attempt).</summary>
    [Id(4)] public required TaskStatsPercentiles RunMs { get; init; }
    [Id(5)] public IReadOnlyList<TaskStatsError> TopErrors { get; init; } = [];
}
