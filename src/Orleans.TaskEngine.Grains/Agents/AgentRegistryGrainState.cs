namespace Orleans.TaskEngine.Agents;

[GenerateSerializer]
public sealed class AgentRegistryGrainState
{
    /// <summary>Each agent's last known state, and when it changed.</summary>
    [Id(0)] public Dictionary<string, AgentRegistryEntry> Agents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every task type an agent ever declared.</summary>
    [Id(1)] public HashSet<string> TaskTypes { get; set; } = new(StringComparer.Ordinal);
}
