namespace Orleans.TaskEngine.Http.Agents;

/// <summary>Why an agent's attempt failed. <c>permanent</c>: do not retry (kind <c>permanent</c>).</summary>
public sealed record AgentFailure
{
    public string? Message { get; init; }
    public string? Kind { get; init; }
    public bool? Permanent { get; init; }
}
