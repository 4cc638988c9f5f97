namespace Orleans.TaskEngine.Agents;

[GenerateSerializer, Immutable]
public sealed record AgentPollResult
{
    [Id(0)] public IReadOnlyList<AgentLease> Tasks { get; init; } = [];

    /// <summary>As in <see cref="AgentHeartbeatResult.CancelledTaskIds"/>.</summary>
    [Id(1)] public IReadOnlyList<string> CancelledTaskIds { get; init; } = [];
}
