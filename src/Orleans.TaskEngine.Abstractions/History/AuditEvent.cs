using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>One entry of the audit log: a task's event, with the task and incarnation it belongs to.</summary>
[GenerateSerializer, Immutable]
public sealed record AuditEvent
{
    [Id(0)] public required string TaskId { get; init; }

    /// <summary>The incarnation: the task's creation time.</summary>
    [Id(1)] public DateTimeOffset CreatedAt { get; init; }
    [Id(2)] public required string Type { get; init; }
    [Id(3)] public required string Queue { get; init; }
    [Id(4)] public required TaskEvent Event { get; init; }
}
