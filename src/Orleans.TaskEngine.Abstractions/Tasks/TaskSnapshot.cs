namespace Orleans.TaskEngine.Tasks;

/// <summary>What a caller sees of a task at one moment.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskSnapshot
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public required string Queue { get; init; }
    [Id(3)] public TaskPriority Priority { get; init; }
    [Id(4)] public TaskState Status { get; init; }
    [Id(5)] public string Payload { get; init; } = "null";
    [Id(6)] public int TimeoutSeconds { get; init; }
    [Id(7)] public int MaxAttempts { get; init; }

    /// <summary>How many times a worker started the task.</summary>
    [Id(8)] public int Attempts { get; init; }

    [Id(9)] public DateTimeOffset CreatedAt { get; init; }
    [Id(10)] public DateTimeOffset? RunAt { get; init; }
    [Id(11)] public DateTimeOffset? StartedAt { get; init; }
    [Id(12)] public DateTimeOffset? FinishedAt { get; init; }

    /// <summary>The handler's result as JSON text, once completed.</summary>
    [Id(13)] public string? Result { get; init; }

    /// <summary>The last error, when the task failed or is waiting for a retry.</summary>
    [Id(14)] public TaskError? Error { get; init; }

    /// <summary>Every failed attempt's error, oldest first.</summary>
    [Id(15)] public IReadOnlyList<TaskError> Errors { get; init; } = [];

    [Id(16)] public string? WorkerId { get; init; }
    [Id(17)] public string? Silo { get; init; }
    [Id(18)] public IReadOnlyList<string> Tags { get; init; } = [];
    [Id(19)] public IReadOnlyList<string> DependsOn { get; init; } = [];
    [Id(20)] public string? IdempotencyKey { get; init; }

    /// <summary>Every transition and progress report, oldest first.</summary>
    [Id(21)] public IReadOnlyList<TaskEvent> History { get; init; } = [];

    /// <summary>When a finished task's state will be removed.</summary>
    [Id(22)] public DateTimeOffset? ExpiresAt { get; init; }

    /// <summary>Who submitted the task (<see cref="TaskSubmission.CreatedBy"/>).</summary>
    [Id(23)] public string? CreatedBy { get; init; }

    /// <summary>Where the finished task is POSTed (<see cref="TaskSubmission.CallbackUrl"/>).</summary>
    [Id(24)] public string? CallbackUrl { get; init; }
}
