using System.Text.Json.Serialization;

namespace Orleans.TaskEngine.Http.History;

/// <summary>The answer to <c>GET /api/tasks</c>: a page, newest first, and where the next one starts (null: no more).</summary>
public sealed record TaskSearchResponse(
    IReadOnlyList<TaskSummaryResource> Items,

    // Written even when null: a client reads "no more pages" from it.
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? NextCursor);
