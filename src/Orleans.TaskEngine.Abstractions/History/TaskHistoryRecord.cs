using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>One incarnation of a task: its summary and every event, in order.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskHistoryRecord
{
    [Id(0)] public required TaskSummary Summary { get; init; }
    [Id(1)] public IReadOnlyList<TaskEvent> Events { get; init; } = [];
}
