namespace Orleans.TaskEngine.Client.Agents;

/// <summary>One registration: the id the server gave and how often it wants a heartbeat. A new one after a 404.</summary>
internal sealed record AgentSession(string Id, TimeSpan HeartbeatInterval);
