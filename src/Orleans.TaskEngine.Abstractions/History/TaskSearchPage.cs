namespace Orleans.TaskEngine.History;

[GenerateSerializer, Immutable]
public sealed record TaskSearchPage
{
    [Id(0)] public IReadOnlyList<TaskSummary> Items { get; init; } = [];

    /// <summary>Where the next page starts; null when this page is the last.</summary>
    [Id(1)] public TaskSearchCursor? Next { get; init; }
}
