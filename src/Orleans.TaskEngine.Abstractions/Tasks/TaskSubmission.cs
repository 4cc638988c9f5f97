namespace Orleans.TaskEngine.Tasks;

/// <summary>What a caller asks the engine to run. Only <see cref="Type"/> is required.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskSubmission
{
    /// <summary>The handler that runs the task (e.g. <c>echo</c>, <c>delay</c>, <c>http</c>).</summary>
    [Id(0)] public required string Type { get; init; }

    /// <summary>The input, as JSON text.</summary>
    [Id(1)] public string Payload { get; init; } = "null";

    [Id(2)] public string Queue { get; init; } = TaskDefaults.Queue;

    [Id(3)] public TaskPriority Priority { get; init; } = TaskPriority.Normal;

    [Id(4)] public int TimeoutSeconds { get; init; } = TaskDefaults.TimeoutSeconds;

    [Id(5)] public int MaxAttempts { get; init; } = TaskDefaults.MaxAttempts;

    /// <summary>Do not start before this time (UTC). Wins over <see cref="DelaySeconds"/>.</summary>
    [Id(6)] public DateTimeOffset? RunAt { get; init; }

    [Id(7)] public double? DelaySeconds { get; init; }

    /// <summary>Tasks that must complete before this one starts.</summary>
    [Id(8)] public IReadOnlyList<string> DependsOn { get; init; } = [];

    [Id(9)] public string? IdempotencyKey { get; init; }

    [Id(10)] public IReadOnlyList<string> Tags { get; init; } = [];

    /// <summary>Who submitted the task: set by the API from the caller's key, never from the request body.</summary>
    [Id(11)] public string? CreatedBy { get; init; }

    /// <summary>Where the finished task is POSTed (completion callback); null: nowhere.</summary>
    [Id(12)] public string? CallbackUrl { get; init; }

    /// <summary>
    /// The batch with a callback this task belongs to: the task tells it when it finishes. Set by the API. (Id 20, clear
    /// of the ids other new fields take next.)
    /// </summary>
    [Id(20)] public string? BatchId { get; init; }
}
