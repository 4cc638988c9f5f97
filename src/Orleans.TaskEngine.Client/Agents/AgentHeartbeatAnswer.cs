namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Answer of <c>POST /api/agents/{id}/heartbeat</c>: tasks of this agent cancelled since.</summary>
internal sealed record AgentHeartbeatAnswer(IReadOnlyList<string>? CancelledTaskIds);
