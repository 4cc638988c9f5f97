using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>
/// One incarnation of a task as search lists it; kept past the task grain's retention, for the history's. A task id that
/// comes back after its task was purged (an idempotency key, a schedule) is a new incarnation, told apart by
/// <see cref="CreatedAt"/>.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record TaskSummary
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string Queue { get; init; }
    [Id(3)] public TaskPriority Priority { get; init; }
    [Id(4)] public TaskState Status { get; init; }
    [Id(5)] public int Attempts { get; init; }
    [Id(6)] public string? CreatedBy { get; init; }
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    [Id(8)] public DateTimeOffset? StartedAt { get; init; }
    [Id(9)] public DateTimeOffset? FinishedAt { get; init; }
    [Id(10)] public IReadOnlyList<string> Tags { get; init; } = [];
    [Id(11)] public string? LastErrorKind { get; init; }
    [Id(12)] public string? LastErrorMessage { get; init; }
}
