namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// One alert (one configured rule) as <c>GET /api/alerts</c> lists it and as its webhook POST carries it:
/// <c>{"name", "state", "since", "message", "labels"}</c>. <see cref="Since"/> is when it entered its state (UTC).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record AlertStatus
{
    /// <summary>The rule's name (<c>TaskEngine:Alerts:Rules:{name}</c>).</summary>
    [Id(0)] public required string Name { get; init; }

    [Id(1)] public required AlertState State { get; init; }

    [Id(2)] public required DateTimeOffset Since { get; init; }

    /// <summary>What tripped it (or that it no longer is), in words.</summary>
    [Id(3)] public required string Message { get; init; }

    /// <summary>The rule's kind, and its queue when it names one (<c>*</c> for every queue).</summary>
    [Id(4)] public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}
