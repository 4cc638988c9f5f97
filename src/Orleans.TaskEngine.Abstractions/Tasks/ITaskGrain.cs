using Orleans.Concurrency;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// One task (key: task id). The source of truth for its state machine, its history and its result.
/// Commands that make no sense in the current state change nothing and say so; they never throw.
/// This is what callers use; the engine's own calls between scheduler, worker and task are a separate interface in
/// the grains library, off the client's surface.
/// </summary>
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Creates the task. Returns at once; the task runs in the background.</summary>
    Task<SubmitResult> Submit(TaskSubmission submission);

    /// <summary>The task now, or null when there is no such task (or it expired).</summary>
    [AlwaysInterleave]
    Task<TaskSnapshot?> Get();

    /// <summary>
    /// Waits until the task is finished or <paramref name="timeout"/> passes, then returns it as it is.
    /// Keep the timeout under the Orleans response timeout (30 s by default); <c>TaskEngineClusterClient.WaitAsync</c> does.
    /// </summary>
    [AlwaysInterleave]
    Task<TaskSnapshot?> WaitForCompletion(TimeSpan timeout);

    /// <summary>
    /// Events after <paramref name="afterSequence"/>: at once if there are any, else as soon as one happens or
    /// <paramref name="timeout"/> passes. Null when there is no such task. The REST event stream is built on this.
    /// </summary>
    [AlwaysInterleave]
    Task<TaskEventPage?> WaitForEvents(long afterSequence, TimeSpan timeout);

    /// <param name="reason">Why, for the history.</param>
    /// <param name="actor">Who asks (the caller's identity), for the audit log; null: <c>system</c>.</param>
    Task<CommandResult> Cancel(string? reason, string? actor = null);

    /// <summary>Runs a failed or cancelled task again, keeping its history.</summary>
    Task<CommandResult> Retry(string? actor = null);
}
