namespace Orleans.TaskEngine.Http.Agents;

/// <summary>The body of <c>POST /api/agents</c>.</summary>
public sealed record RegisterAgentRequest
{
    public string? Name { get; init; }

    /// <summary>The queues it serves; default <c>["default"]</c>.</summary>
    public IReadOnlyList<string>? Queues { get; init; }

    /// <summary>The task types it runs: at least one.</summary>
    public IReadOnlyList<string>? TaskTypes { get; init; }

    /// <summary>How many tasks it runs at once; default 3.</summary>
    public int? Concurrency { get; init; }

    public IReadOnlyDictionary<string, string>? Labels { get; init; }
}
