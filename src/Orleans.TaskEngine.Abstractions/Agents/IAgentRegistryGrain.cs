using Orleans.Concurrency;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// The agents the cluster knows (a single grain, key 0, durable): which exist, and every task type an agent ever
/// declared (a submit of such a type is accepted even while no agent serving it is live), and the agents' audit log:
/// each change is logged in the same write that stores it.
/// </summary>
public interface IAgentRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>An agent registered; <paramref name="audit"/> is logged with it (its sequence is the registry's to give).</summary>
    Task Add(string agentId, IReadOnlyList<string> taskTypes, AgentAuditEvent audit);

    /// <summary>An agent's state changed (draining, dead); dead agents are forgotten after a retention.</summary>
    Task Update(string agentId, AgentState state, AgentAuditEvent? audit = null);

    /// <summary>The audit log, newest first: up to <paramref name="limit"/> events, of one agent or of all.</summary>
    [AlwaysInterleave]
    Task<AgentAuditEvent[]> GetEvents(string? agentId, int limit);

    [AlwaysInterleave]
    Task<string[]> GetAgentIds();

    [AlwaysInterleave]
    Task<string[]> GetDeclaredTaskTypes();
}
