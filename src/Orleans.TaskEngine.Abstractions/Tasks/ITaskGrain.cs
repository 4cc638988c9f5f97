using Orleans.Concurrency;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// One task (key: task id). The source of truth for its state machine, its history and its result.
/// Commands that make no sense in the current state change nothing and say so; they never throw.
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

    Task<CommandResult> Cancel(string? reason);

    /// <summary>Runs a failed or cancelled task again, keeping its history.</summary>
    Task<CommandResult> Retry();

    // The calls below are the engine's own protocol between scheduler, worker and task.

    /// <summary>A worker asks to start the task; only a pending task starts.</summary>
    Task<StartResult> TryStart(string workerId, string silo);

    Task<CommandResult> ReportCompleted(int attempt, string? result);

    Task<CommandResult> ReportFailed(int attempt, TaskError error);

    [OneWay]
    Task ReportProgress(int attempt, TaskProgress progress);

    /// <summary>The scheduler says the worker that runs this task is gone; the task goes back to pending.</summary>
    Task<CommandResult> WorkerLost(string workerId);

    /// <summary>A task that depends on this one asks to be told when it finishes; returns this task's status (null: no such task).</summary>
    Task<TaskState?> AddDependent(string dependentTaskId);

    /// <summary>A task this one depends on finished.</summary>
    [OneWay]
    Task DependencyFinished(string dependencyTaskId, TaskState status);

    /// <summary>The queue index lists this task as expired: it is purged if it is finished and its retention is over.</summary>
    [OneWay]
    Task Expire();
}
