using System.Text.Json;

namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The body of <c>POST /api/tasks/{id}/complete</c>: the result is any JSON value, up to 1 MiB.</summary>
public sealed record AgentCompleteRequest
{
    public string? LeaseToken { get; init; }
    public JsonElement? Result { get; init; }
}
