namespace Orleans.TaskEngine.Agents;

/// <summary>The answer to a registration: how often to heartbeat, and how long a lease lasts without one.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentRegistered
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public int HeartbeatSeconds { get; init; }
    [Id(2)] public int LeaseSeconds { get; init; }
}
