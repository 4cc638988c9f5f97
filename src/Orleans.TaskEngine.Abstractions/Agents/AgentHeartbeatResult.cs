namespace Orleans.TaskEngine.Agents;

[GenerateSerializer, Immutable]
public sealed record AgentHeartbeatResult
{
    /// <summary>Leased tasks that were cancelled (by a caller or their timeout): the agent stops them and drops their result.</summary>
    [Id(0)] public IReadOnlyList<string> CancelledTaskIds { get; init; } = [];
}
