namespace Orleans.TaskEngine.Agents;

/// <summary>
/// One entry of the agents' audit log: an agent registered, deregistered (draining), finished draining or was declared
/// dead; who did it (the caller's identity, or <c>system</c> for the engine's own transitions) and on which silo.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AgentAuditEvent
{
    /// <summary>Its place in the log, from 1.</summary>
    [Id(0)] public long Sequence { get; init; }
    [Id(1)] public DateTimeOffset At { get; init; }
    [Id(2)] public required string AgentId { get; init; }

    /// <summary><c>registered</c>, <c>deregistered</c>, <c>drained</c> or <c>dead</c>.</summary>
    [Id(3)] public required string Kind { get; init; }
    [Id(4)] public required string Actor { get; init; }
    [Id(5)] public string? Silo { get; init; }

    /// <summary>The agent's name and declared task types, on <c>registered</c>.</summary>
    [Id(6)] public string? Name { get; init; }
    [Id(7)] public IReadOnlyList<string>? TaskTypes { get; init; }
}
