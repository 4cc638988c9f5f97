namespace Orleans.TaskEngine.Http.Agents;

public sealed record AgentHeartbeatResponse(IReadOnlyList<string> CancelledTaskIds);
