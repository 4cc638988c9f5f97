namespace Orleans.TaskEngine.Agents;

/// <summary>An attempt an agent holds: its slot is taken until the agent reports, or the lease ends.</summary>
internal sealed class AgentLeaseRecord(string queue, int attempt, DateTimeOffset grantedAt)
{
    public string Queue { get; } = queue;

    public int Attempt { get; } = attempt;

    public DateTimeOffset GrantedAt { get; } = grantedAt;

    /// <summary>When the attempt was cancelled (by a caller or its timeout); the agent still holds the slot until it stops.</summary>
    public DateTimeOffset? CancelledAt { get; set; }
}
