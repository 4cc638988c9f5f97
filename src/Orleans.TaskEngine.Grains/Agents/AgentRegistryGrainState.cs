namespace Orleans.TaskEngine.Agents;

[GenerateSerializer]
public sealed class AgentRegistryGrainState
{
    /// <summary>Each agent's last known state, and when it changed.</summary>
    [Id(0)] public Dictionary<string, AgentRegistryEntry> Agents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Every task type an agent ever declared.</summary>
    [Id(1)] public HashSet<string> TaskTypes { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The agents' audit log, oldest first, kept for the history's retention (at most MaxAuditEvents).</summary>
    [Id(2)] public List<AgentAuditEvent> Events { get; set; } = [];

    /// <summary>The last sequence given to an event.</summary>
    [Id(3)] public long LastSequence { get; set; }
}
