namespace Orleans.TaskEngine.Tasks;

/// <summary>Why one attempt of a task did not complete.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskError
{
    /// <summary>One of <see cref="TaskErrorKinds"/>.</summary>
    [Id(0)] public required string Kind { get; init; }

    [Id(1)] public required string Message { get; init; }

    /// <summary>The attempt that failed (1-based).</summary>
    [Id(2)] public int Attempt { get; init; }

    [Id(3)] public DateTimeOffset At { get; init; }
}
