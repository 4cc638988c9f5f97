namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The body of <c>POST /api/tasks/{id}/fail</c>.</summary>
public sealed record AgentFailRequest
{
    public string? LeaseToken { get; init; }
    public AgentFailure? Error { get; init; }
}
