namespace Orleans.TaskEngine.History;

/// <summary>
/// What a store hands the report: the incarnations that finished in the window, and the failed attempts recorded in it
/// (events with an error kind), each with its task's type and queue.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TaskStatsInput
{
    [Id(0)] public IReadOnlyList<TaskSummary> Finished { get; init; } = [];
    [Id(1)] public IReadOnlyList<AuditEvent> Failures { get; init; } = [];
}
