using Orleans.TaskEngine.Agents;

namespace Orleans.TaskEngine.Http.Agents;

/// <summary>An agent as <c>GET /api/agents</c> shows it.</summary>
public sealed record AgentResource
{
    public required string Id { get; init; }
    public required string Name { get; init; }

    /// <summary><c>active</c>, <c>draining</c> or <c>dead</c>.</summary>
    public required string State { get; init; }
    public IReadOnlyList<string> Queues { get; init; } = [];
    public IReadOnlyList<string> TaskTypes { get; init; } = [];
    public int Concurrency { get; init; }
    public int SlotsInUse { get; init; }
    public DateTimeOffset? LastHeartbeat { get; init; }
    public double? CpuPercent { get; init; }
    public long? MemoryBytes { get; init; }
    public long Completed { get; init; }
    public long Failed { get; init; }
    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
    public DateTimeOffset RegisteredAt { get; init; }

    public static AgentResource From(AgentStatus status)
    {
        ArgumentNullException.ThrowIfNull(status);
        return new AgentResource
        {
            Id = status.Id,
            Name = status.Name,
            State = status.State.ToString().ToLowerInvariant(),
            Queues = status.Queues,
            TaskTypes = status.TaskTypes,
            Concurrency = status.Concurrency,
            SlotsInUse = status.SlotsInUse,
            LastHeartbeat = status.LastHeartbeat,
            CpuPercent = status.CpuPercent,
            MemoryBytes = status.MemoryBytes,
            Completed = status.Completed,
            Failed = status.Failed,
            Labels = status.Labels,
            RegisteredAt = status.RegisteredAt,
        };
    }
}
