namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// What <see cref="TaskStateMachine"/> decided for one command: refused (nothing changes, <see cref="Message"/> says
/// why), or applied with the next state to store and the effects the grain carries out around the write.
/// </summary>
public sealed record TaskTransition
{
    public required bool Applied { get; init; }

    /// <summary>Why it was refused, or what happened.</summary>
    public required string Message { get; init; }

    /// <summary>The state to store; a copy, so the current one stays what callers see until the write succeeds.</summary>
    public TaskGrainState? Next { get; init; }

    public TaskEffects Effects { get; init; }

    /// <summary>The attempt to cancel on its worker, with <see cref="TaskEffects.CancelOnWorker"/>.</summary>
    public WorkerCancellation? Cancel { get; init; }

    /// <summary>The error of an attempt that failed in this transition (for the metrics).</summary>
    public TaskError? FailedAttempt { get; init; }

    public bool Has(TaskEffects effect) => (Effects & effect) == effect;

    public static TaskTransition Refused(string message) => new() { Applied = false, Message = message };
}
