namespace Orleans.TaskEngine.History;

[GenerateSerializer, Immutable]
public sealed record TaskSearchPage
{
    [Id(0)] public IReadOnlyList<TaskSummary> Items { get; init; } = [];

    /// <summary>Where the next page starts; null when this page is the last.</summary>
    [Id(1)] public TaskSearchCursor? Next { get; init; }

    /// <summary>
    /// The page of a search that read one item more than <paramref name="limit"/> when it could: that extra item says
    /// there is a next page (it is dropped; the cursor is the page's last item).
    /// </summary>
    public static TaskSearchPage FromOneMore(List<TaskSummary> items, int limit)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count <= limit)
        {
            return new TaskSearchPage { Items = items };
        }

        items.RemoveRange(limit, items.Count - limit);
        var last = items[^1];
        return new TaskSearchPage { Items = items, Next = new TaskSearchCursor(last.CreatedAt, last.Id) };
    }
}
