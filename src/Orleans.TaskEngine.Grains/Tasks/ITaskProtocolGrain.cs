using Orleans.Concurrency;

namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// The engine's own protocol with a task (key: task id), between scheduler, worker and task grains: not for callers,
/// so it lives here rather than in the abstractions a client references. Every command that does not apply in the
/// task's state changes nothing and says so.
/// </summary>
public interface ITaskProtocolGrain : IGrainWithStringKey
{
    /// <summary>A worker asks to start the task; only a pending task starts.</summary>
    Task<StartResult> TryStart(string workerId, string silo);

    /// <summary>The attempt's result; <paramref name="withSnapshot"/>: the answer carries the task as it is then (an agent's caller is shown it; a worker needs none).</summary>
    Task<CommandResult> ReportCompleted(int attempt, string? result, bool withSnapshot = false);

    /// <summary>The attempt's failure; <paramref name="withSnapshot"/> as for <see cref="ReportCompleted"/>.</summary>
    Task<CommandResult> ReportFailed(int attempt, TaskError error, bool withSnapshot = false);

    /// <summary>Recorded (and stored) in order; a report the task cannot store is dropped.</summary>
    [OneWay]
    Task ReportProgress(int attempt, TaskProgress progress);

    /// <summary>The scheduler says the worker that runs this task is gone; the task goes back to pending.</summary>
    Task<CommandResult> WorkerLost(string workerId);

    /// <summary>The stored status, or null when there is no such task: what a new dependent checks before it is created.</summary>
    [AlwaysInterleave]
    Task<TaskState?> GetStoredStatus();

    /// <summary>A task that depends on this one asks to be told when it finishes; returns this task's status (null: no such task).</summary>
    Task<TaskState?> AddDependent(string dependentTaskId);

    /// <summary>A task this one depends on finished.</summary>
    [OneWay]
    Task DependencyFinished(string dependencyTaskId, TaskState status);

    /// <summary>The queue index lists this task as expired: it is purged if it is finished and its retention is over.</summary>
    [OneWay]
    Task Expire();

    /// <summary>
    /// An attempt of the task's completion callback ended (<paramref name="failure"/> null: delivered). Sent by the task
    /// grain to itself once the POST, made off the grain's turn, is over; lost, the watchdog makes up for it.
    /// </summary>
    [OneWay]
    Task CallbackAttempted(string deliveryId, string? failure);
}
