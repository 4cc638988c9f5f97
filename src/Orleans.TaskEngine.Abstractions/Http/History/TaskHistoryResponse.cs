using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Http.History;

/// <summary>The answer to <c>GET /api/tasks/{id}/history</c>: one incarnation of a task, its summary and every event in order.</summary>
public sealed record TaskHistoryResponse(string Id, DateTimeOffset CreatedAt, TaskSummaryResource Summary, IReadOnlyList<TaskEvent> Events);
