namespace Orleans.TaskEngine.Tasks;

/// <summary>What a worker needs to run one attempt; handed out by the task grain when the attempt starts.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskWorkItem
{
    [Id(0)] public required string TaskId { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public string Payload { get; init; } = "null";
    [Id(3)] public int Attempt { get; init; }
    [Id(4)] public int MaxAttempts { get; init; }
    [Id(5)] public int TimeoutSeconds { get; init; }
}
