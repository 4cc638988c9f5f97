using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Http.History;

/// <summary>One task incarnation as <c>GET /api/tasks</c> lists it.</summary>
public sealed record TaskSummaryResource
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required string Queue { get; init; }
    public TaskPriority Priority { get; init; }
    public TaskState Status { get; init; }
    public int Attempts { get; init; }
    public string? CreatedBy { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>The last error's kind and message (null for a completed task, or one that never failed).</summary>
    public TaskSummaryError? LastError { get; init; }

    public static TaskSummaryResource From(TaskSummary summary)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return new TaskSummaryResource
        {
            Id = summary.Id,
            Type = summary.Type,
            Queue = summary.Queue,
            Priority = summary.Priority,
            Status = summary.Status,
            Attempts = summary.Attempts,
            CreatedBy = summary.CreatedBy,
            CreatedAt = summary.CreatedAt,
            StartedAt = summary.StartedAt,
            FinishedAt = summary.FinishedAt,
            Tags = summary.Tags,
            LastError = summary.LastErrorKind is { } kind ? new TaskSummaryError(kind, summary.LastErrorMessage) : null,
        };
    }
}
