namespace Orleans.TaskEngine.Tasks;

/// <summary>The answer to a submit: the task when accepted, otherwise why not.</summary>
[GenerateSerializer, Immutable]
public sealed record SubmitResult
{
    [Id(0)] public SubmitOutcome Outcome { get; init; }
    [Id(1)] public required string TaskId { get; init; }

    /// <summary>The task's status after an accepted submit, or the existing task's status.</summary>
    [Id(4)] public TaskState Status { get; init; }

    /// <summary>
    /// The existing task, for <see cref="SubmitOutcome.AlreadyExists"/> only (so an idempotent repeat can be compared);
    /// an accepted submit does not carry it, which keeps the hot path light.
    /// </summary>
    [Id(2)] public TaskSnapshot? Task { get; init; }

    /// <summary>Why the submit was refused, in words a caller can act on.</summary>
    [Id(3)] public string? Reason { get; init; }

    public bool IsAccepted => Outcome == SubmitOutcome.Accepted;

    public static SubmitResult Refused(string taskId, SubmitOutcome outcome, string reason) =>
        new() { TaskId = taskId, Outcome = outcome, Reason = reason };
}
