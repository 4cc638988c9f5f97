using Orleans.TaskEngine.Callbacks;

namespace Orleans.TaskEngine.Tasks;

/// <summary>The persisted state of one task grain.</summary>
[GenerateSerializer]
public sealed class TaskGrainState
{
    /// <summary>What the caller submitted; null while the task does not exist.</summary>
    [Id(0)] public TaskSubmission? Submission { get; set; }
    [Id(1)] public TaskState Status { get; set; }
    [Id(2)] public DateTimeOffset CreatedAt { get; set; }

    /// <summary>For a scheduled task: when it becomes ready (run-at time or retry backoff).</summary>
    [Id(3)] public DateTimeOffset? RunAt { get; set; }
    [Id(4)] public DateTimeOffset? StartedAt { get; set; }
    [Id(5)] public DateTimeOffset? FinishedAt { get; set; }

    /// <summary>How many times a worker started the task (the attempt number handlers see).</summary>
    [Id(6)] public int Attempts { get; set; }

    /// <summary>Attempts that failed (error or timeout): what <c>maxAttempts</c> limits.</summary>
    [Id(7)] public int FailedAttempts { get; set; }

    /// <summary>Workers lost in a row (the poison guard); they go back to the queue and do not count as failures.</summary>
    [Id(8)] public int WorkerLosses { get; set; }

    [Id(9)] public string? Result { get; set; }
    [Id(10)] public List<TaskError> Errors { get; set; } = [];
    [Id(11)] public string? WorkerId { get; set; }
    [Id(12)] public string? Silo { get; set; }
    [Id(13)] public List<TaskEvent> History { get; set; } = [];
    [Id(14)] public long LastSequence { get; set; }
    [Id(15)] public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>Dependencies that have not completed yet.</summary>
    [Id(16)] public List<string> WaitingOn { get; set; } = [];

    /// <summary>Tasks to tell when this one finishes.</summary>
    [Id(17)] public List<string> Dependents { get; set; } = [];

    /// <summary>When the task last became pending: its place in the queue (FIFO within a priority).</summary>
    [Id(18)] public long QueueSequence { get; set; }

    /// <summary>Whether the watchdog reminder may be registered (it is only while the task waits for a time or a dependency).</summary>
    [Id(19)] public bool WatchdogRegistered { get; set; }

    /// <summary>
    /// The last event of the state stored before this one: the audit log takes the events after it with this write
    /// (a write that is repeated after it did land adds nothing: the log's key is task, incarnation, sequence).
    /// </summary>
    [Id(20)] public long AuditedThrough { get; set; }

    /// <summary>The completion callback of the last finish, while the task has a <c>callbackUrl</c>; null before it finished.</summary>
    [Id(21)] public CallbackDelivery? Callback { get; set; }

    /// <summary>Whether a completion callback still waits to be delivered: the task is kept (not purged) until it is not.</summary>
    public bool CallbackPending => Callback is { Status: CallbackStatus.Pending };

    /// <summary>
    /// A copy for a transition to change, never the state callers see. It shares the lists: a transition that changes a
    /// list gives the copy a new one (<c>[.. list, item]</c>), never changes one in place, so a transition costs one
    /// list (its history event), not five. The state machine's tests check every command leaves its input unchanged.
    /// </summary>
    public TaskGrainState Copy() => new()
    {
        Submission = Submission,
        Status = Status,
        CreatedAt = CreatedAt,
        RunAt = RunAt,
        StartedAt = StartedAt,
        FinishedAt = FinishedAt,
        Attempts = Attempts,
        FailedAttempts = FailedAttempts,
        WorkerLosses = WorkerLosses,
        Result = Result,
        Errors = Errors,
        WorkerId = WorkerId,
        Silo = Silo,
        History = History,
        LastSequence = LastSequence,
        ExpiresAt = ExpiresAt,
        WaitingOn = WaitingOn,
        Dependents = Dependents,
        QueueSequence = QueueSequence,
        WatchdogRegistered = WatchdogRegistered,
        AuditedThrough = AuditedThrough,
        Callback = Callback,
    };
}
