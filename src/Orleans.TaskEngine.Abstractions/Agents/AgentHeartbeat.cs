namespace Orleans.TaskEngine.Agents;

/// <summary>An agent's heartbeat: what it runs, and how loaded its machine is.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentHeartbeat
{
    [Id(0)] public IReadOnlyList<string>? RunningTaskIds { get; init; }
    [Id(1)] public double? CpuPercent { get; init; }
    [Id(2)] public long? MemoryBytes { get; init; }
}
