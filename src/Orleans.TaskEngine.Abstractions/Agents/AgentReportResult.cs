using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Agents;

/// <summary>
/// How a report went: accepted (or the same report accepted before: its answer was lost), or stale (the lease expired,
/// the task was cancelled or went elsewhere), which changes nothing.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AgentReportResult
{
    [Id(0)] public bool Accepted { get; init; }
    [Id(1)] public required string Message { get; init; }
    [Id(2)] public TaskSnapshot? Task { get; init; }
}
