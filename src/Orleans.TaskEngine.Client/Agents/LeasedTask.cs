using System.Text.Json;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Client.Agents;

/// <summary>One task of a poll answer, as the wire carries it.</summary>
internal sealed record LeasedTask(
    string Id,
    string Type,
    JsonElement Payload,
    int Attempt,
    string LeaseToken,
    DateTimeOffset LeaseExpiresAt,
    int TimeoutSeconds,
    TaskPriority Priority,
    string Queue);
