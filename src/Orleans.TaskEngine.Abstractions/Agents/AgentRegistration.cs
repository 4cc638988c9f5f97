namespace Orleans.TaskEngine.Agents;

/// <summary>What an agent declares when it registers (validated by the API before it reaches the grain).</summary>
[GenerateSerializer, Immutable]
public sealed record AgentRegistration
{
    [Id(0)] public required string Name { get; init; }
    [Id(1)] public IReadOnlyList<string> Queues { get; init; } = ["default"];
    [Id(2)] public required IReadOnlyList<string> TaskTypes { get; init; }
    [Id(3)] public int Concurrency { get; init; } = 3;
    [Id(4)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    /// <summary>Who registered it (the caller's identity, as <c>createdBy</c> on tasks).</summary>
    [Id(5)] public string? RegisteredBy { get; init; }
}
