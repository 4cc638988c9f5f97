using System.Text.Json;
using Orleans.TaskEngine.Agents;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Http.Agents;

/// <summary>A task leased to an agent, as its poll answer carries it.</summary>
public sealed record AgentTaskResource
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public JsonElement Payload { get; init; }
    public int Attempt { get; init; }
    public required string LeaseToken { get; init; }
    public DateTimeOffset LeaseExpiresAt { get; init; }
    public int TimeoutSeconds { get; init; }
    public TaskPriority Priority { get; init; }
    public required string Queue { get; init; }

    public static AgentTaskResource From(AgentLease lease)
    {
        ArgumentNullException.ThrowIfNull(lease);
        using var payload = JsonDocument.Parse(lease.Payload);
        return new AgentTaskResource
        {
            Id = lease.TaskId,
            Type = lease.Type,
            Payload = payload.RootElement.Clone(),
            Attempt = lease.Attempt,
            LeaseToken = lease.LeaseToken,
            LeaseExpiresAt = lease.LeaseExpiresAt,
            TimeoutSeconds = lease.TimeoutSeconds,
            Priority = lease.Priority,
            Queue = lease.Queue,
        };
    }
}
