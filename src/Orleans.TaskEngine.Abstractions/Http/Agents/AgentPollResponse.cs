namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The answer to <c>POST /api/agents/{id}/poll</c>.</summary>
public sealed record AgentPollResponse(IReadOnlyList<AgentTaskResource> Tasks, IReadOnlyList<string> CancelledTaskIds);
