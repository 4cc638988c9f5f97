using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// What the rules are evaluated on, read once per evaluation. A part that could not be read is null (or missing): the
/// rules that need it keep their state until the next evaluation instead of resolving on no data.
/// </summary>
public sealed record AlertInputs
{
    public required DateTimeOffset Now { get; init; }

    /// <summary>The queues with work, and those the rules name.</summary>
    public IReadOnlyList<QueueStatus>? Queues { get; init; }

    /// <summary>By window length: finished tasks by queue in the window that ends <see cref="Now"/>.</summary>
    public IReadOnlyDictionary<TimeSpan, IReadOnlyDictionary<string, FinishedCounts>> Finished { get; init; } =
        new Dictionary<TimeSpan, IReadOnlyDictionary<string, FinishedCounts>>();

    /// <summary>Silos the membership declares dead (parsable addresses: <c>endpoint@generation</c>).</summary>
    public IReadOnlyList<string>? DeadSilos { get; init; }

    /// <summary>Silos the membership has as active (parsable addresses).</summary>
    public IReadOnlyList<string> LiveSilos { get; init; } = [];
}
