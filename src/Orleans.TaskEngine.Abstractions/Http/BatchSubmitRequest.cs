namespace Orleans.TaskEngine.Http;

/// <summary>The body of <c>POST /api/tasks/batch</c>: up to 1,000 tasks, accepted or refused as a whole.</summary>
public sealed record BatchSubmitRequest
{
    public const int MaxTasks = 1000;

    public IReadOnlyList<SubmitTaskRequest>? Tasks { get; init; }
}
