using Orleans.Concurrency;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// The agents the cluster knows (a single grain, key 0, durable): which exist, and every task type an agent ever
/// declared (a submit of such a type is accepted even while no agent serving it is live).
/// </summary>
public interface IAgentRegistryGrain : IGrainWithIntegerKey
{
    Task Add(string agentId, IReadOnlyList<string> taskTypes);

    /// <summary>An agent's state changed (draining, dead); dead agents are forgotten after a retention.</summary>
    Task Update(string agentId, AgentState state);

    [AlwaysInterleave]
    Task<string[]> GetAgentIds();

    [AlwaysInterleave]
    Task<string[]> GetDeclaredTaskTypes();
}
