namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The optional body of <c>POST /api/agents/{id}/heartbeat</c>.</summary>
public sealed record AgentHeartbeatRequest
{
    public IReadOnlyList<string>? RunningTaskIds { get; init; }
    public double? CpuPercent { get; init; }
    public long? MemoryBytes { get; init; }
}
