using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Agents;

/// <summary>One attempt given to an agent: what to run, and the token its reports must carry.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentLease
{
    [Id(0)] public required string TaskId { get; init; }
    [Id(1)] public required string Type { get; init; }
    [Id(2)] public string Payload { get; init; } = "null";
    [Id(3)] public int Attempt { get; init; }
    [Id(4)] public required string LeaseToken { get; init; }
    [Id(5)] public DateTimeOffset LeaseExpiresAt { get; init; }
    [Id(6)] public int TimeoutSeconds { get; init; }
    [Id(7)] public TaskPriority Priority { get; init; }
    [Id(8)] public required string Queue { get; init; }
}
