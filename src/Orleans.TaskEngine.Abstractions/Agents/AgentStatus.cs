namespace Orleans.TaskEngine.Agents;

/// <summary>An agent as an operator sees it.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentStatus
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public AgentState State { get; init; }
    [Id(3)] public IReadOnlyList<string> Queues { get; init; } = [];
    [Id(4)] public IReadOnlyList<string> TaskTypes { get; init; } = [];
    [Id(5)] public int Concurrency { get; init; }
    [Id(6)] public int SlotsInUse { get; init; }
    [Id(7)] public DateTimeOffset? LastHeartbeat { get; init; }
    [Id(8)] public double? CpuPercent { get; init; }
    [Id(9)] public long? MemoryBytes { get; init; }
    [Id(10)] public long Completed { get; init; }
    [Id(11)] public long Failed { get; init; }
    [Id(12)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    [Id(13)] public DateTimeOffset RegisteredAt { get; init; }
}
