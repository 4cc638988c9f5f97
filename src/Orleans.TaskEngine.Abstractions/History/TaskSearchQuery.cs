using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>What <c>GET /api/tasks</c> asks for: filters (all optional, combined with AND), newest first, a page at a time.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskSearchQuery
{
    public const int MaxLimit = 500;
    public const int DefaultLimit = 50;

    [Id(0)] public TaskState? Status { get; init; }
    [Id(1)] public string? Type { get; init; }
    [Id(2)] public string? Queue { get; init; }
    [Id(3)] public string? Tag { get; init; }
    [Id(4)] public string? CreatedBy { get; init; }

    /// <summary>Created at or after.</summary>
    [Id(5)] public DateTimeOffset? From { get; init; }

    /// <summary>Created before.</summary>
    [Id(6)] public DateTimeOffset? To { get; init; }
    [Id(7)] public int Limit { get; init; } = DefaultLimit;

    /// <summary>The page starts strictly after this (creation time, id) in newest-first order; null: from the newest.</summary>
    [Id(8)] public TaskSearchCursor? After { get; init; }
}
