using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Http;

/// <summary>The answer to an accepted submit.</summary>
public sealed record TaskAccepted(string Id, TaskState Status)
{
    /// <summary>
    /// True when the submit created nothing: its idempotency key named a task that already existed (made by an earlier
    /// request, or by an earlier item of the same batch), which this is. Absent otherwise.
    /// </summary>
    public bool? Replayed { get; init; }
}
