namespace Orleans.TaskEngine.Http;

/// <summary>The body of <c>POST /api/tasks/batch</c>: up to 1,000 tasks, accepted or refused as a whole.</summary>
public sealed record BatchSubmitRequest
{
    public const int MaxTasks = 1000;

    public IReadOnlyList<SubmitTaskRequest>? Tasks { get; init; }

    /// <summary>
    /// A task to run once, after every task of the batch has finished, with payload <c>{batchId, counts, payload}</c>
    /// (<c>payload</c>: this one's). With it the answer has a <c>batchId</c> (see <c>GET /api/batches/{id}</c>).
    /// </summary>
    public SubmitTaskRequest? Callback { get; init; }
}
