namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Answer of <c>POST /api/agents</c> (201). Seconds as doubles so a test server may use fractions.</summary>
internal sealed record AgentRegistered(string Id, double HeartbeatSeconds, double LeaseSeconds);
