namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The body of <c>POST /api/tasks/{id}/progress</c>; <c>percent</c> is 0–100.</summary>
public sealed record AgentProgressRequest
{
    public string? LeaseToken { get; init; }
    public double? Percent { get; init; }
    public string? Message { get; init; }
}
