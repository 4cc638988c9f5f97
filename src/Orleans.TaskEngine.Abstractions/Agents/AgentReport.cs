using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Agents;

/// <summary>An agent's report on a leased attempt: progress, its result, or its failure.</summary>
[GenerateSerializer, Immutable]
public sealed record AgentReport
{
    [Id(0)] public required AgentReportKind Kind { get; init; }
    [Id(1)] public required string TaskId { get; init; }
    [Id(2)] public required string LeaseToken { get; init; }

    /// <summary>For <see cref="AgentReportKind.Complete"/>: the result as JSON text.</summary>
    [Id(3)] public string? Result { get; init; }

    /// <summary>For <see cref="AgentReportKind.Fail"/>.</summary>
    [Id(4)] public TaskError? Error { get; init; }

    /// <summary>For <see cref="AgentReportKind.Progress"/>.</summary>
    [Id(5)] public TaskProgress? Progress { get; init; }
}
