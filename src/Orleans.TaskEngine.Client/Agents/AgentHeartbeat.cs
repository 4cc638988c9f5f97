namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Body of <c>POST /api/agents/{id}/heartbeat</c>.</summary>
internal sealed record AgentHeartbeat(IReadOnlyList<string> RunningTaskIds, double? CpuPercent, long? MemoryBytes);
