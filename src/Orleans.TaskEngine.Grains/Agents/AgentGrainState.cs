namespace Orleans.TaskEngine.Agents;

/// <summary>What an agent grain stores: its registration and where it stands. Leases live in memory (see AgentGrain).</summary>
[GenerateSerializer]
public sealed class AgentGrainState
{
    [Id(0)] public AgentRegistration? Registration { get; set; }
    [Id(1)] public AgentState State { get; set; }
    [Id(2)] public DateTimeOffset RegisteredAt { get; set; }

    /// <summary>The key that signs this agent's lease tokens.</summary>
    [Id(3)] public byte[] Secret { get; set; } = [];
    [Id(4)] public DateTimeOffset? DiedAt { get; set; }
}
