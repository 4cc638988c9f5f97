using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Agents;

/// <summary>A task a scheduler gave the agent that the agent has not polled yet (the task is still pending).</summary>
internal sealed record AgentOffer(string Queue, QueueEntry Entry, DateTimeOffset OfferedAt);
