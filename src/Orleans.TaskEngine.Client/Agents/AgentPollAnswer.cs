namespace Orleans.TaskEngine.Client.Agents;

/// <summary>Answer of <c>POST /api/agents/{id}/poll</c>: up to the agent's free slots of leased tasks.</summary>
internal sealed record AgentPollAnswer(IReadOnlyList<LeasedTask>? Tasks, IReadOnlyList<string>? CancelledTaskIds);
