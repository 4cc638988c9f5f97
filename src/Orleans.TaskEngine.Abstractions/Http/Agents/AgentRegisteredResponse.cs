namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The answer to <c>POST /api/agents</c> (201).</summary>
public sealed record AgentRegisteredResponse(string Id, int HeartbeatSeconds, int LeaseSeconds);
