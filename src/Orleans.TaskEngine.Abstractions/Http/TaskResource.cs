using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Http;

/// <summary>A task as the REST API shows it.</summary>
public sealed record TaskResource
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public required string Queue { get; init; }
    public TaskPriority Priority { get; init; }
    public TaskState Status { get; init; }
    public JsonElement Payload { get; init; }
    public int TimeoutSeconds { get; init; }
    public int MaxAttempts { get; init; }
    public int Attempts { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? RunAt { get; init; }
    public DateTimeOffset? StartedAt { get; init; }
    public DateTimeOffset? FinishedAt { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public JsonElement? Result { get; init; }
    public TaskError? Error { get; init; }
    public IReadOnlyList<TaskError> Errors { get; init; } = [];
    public string? WorkerId { get; init; }

    /// <summary>The worker or agent that runs (or last ran) the task: the same id as <see cref="WorkerId"/>.</summary>
    public string? AssignedTo => WorkerId;
    public string? Silo { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> DependsOn { get; init; } = [];
    public string? IdempotencyKey { get; init; }

    /// <summary>The API key's name (or <c>key-…</c> id) that submitted the task; <c>anonymous</c> when the API has no keys.</summary>
    public string? CreatedBy { get; init; }

    /// <summary>Where the finished task is POSTed; see the README's "Completion callbacks".</summary>
    public string? CallbackUrl { get; init; }

    public IReadOnlyList<TaskEvent> History { get; init; } = [];

    public static TaskResource From(TaskSnapshot task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return new TaskResource
        {
            Id = task.Id,
            Type = task.Type,
            Queue = task.Queue,
            Priority = task.Priority,
            Status = task.Status,
            Payload = Parse(task.Payload) ?? default,
            TimeoutSeconds = task.TimeoutSeconds,
            MaxAttempts = task.MaxAttempts,
            Attempts = task.Attempts,
            CreatedAt = task.CreatedAt,
            RunAt = task.RunAt,
            StartedAt = task.StartedAt,
            FinishedAt = task.FinishedAt,
            ExpiresAt = task.ExpiresAt,
            Result = Parse(task.Result),
            Error = task.Error,
            Errors = task.Errors,
            WorkerId = task.WorkerId,
            Silo = task.Silo,
            Tags = task.Tags,
            DependsOn = task.DependsOn,
            IdempotencyKey = task.IdempotencyKey,
            CreatedBy = task.CreatedBy,
            CallbackUrl = task.CallbackUrl,
            History = task.History,
        };
    }

    private static JsonElement? Parse(string? json)
    {
        if (json is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
