namespace Orleans.TaskEngine.Tasks;

/// <summary>
/// What the task grain must do for a transition, besides storing its new state. The first two come before the state
/// write and a failure of either refuses the transition (nothing is stored); the rest come after the write succeeded.
/// </summary>
[Flags]
public enum TaskEffects
{
    None = 0,

    /// <summary>Before the write: register the watchdog reminder (the task waits for a time or a dependency, and nothing else would wake it).</summary>
    RegisterWatchdog = 1 << 0,

    /// <summary>Before the write: save the task's unfinished queue index record, so its queue keeps its place whatever crashes next.</summary>
    SaveReadyRecord = 1 << 1,

    /// <summary>Hand the task to its queue's scheduler (it became pending).</summary>
    Enqueue = 1 << 2,

    /// <summary>Take the task out of its queue's scheduler (cancelled while pending).</summary>
    Dequeue = 1 << 3,

    /// <summary>Tell the worker that ran the attempt to cancel its handler (<see cref="TaskTransition.Cancel"/>).</summary>
    CancelOnWorker = 1 << 4,

    /// <summary>Arm the timeout and the worker liveness check (the task started).</summary>
    ArmRunTimers = 1 << 5,

    /// <summary>Stop the timeout and the liveness check (the attempt ended).</summary>
    StopRunTimers = 1 << 6,

    /// <summary>Arm the timer for the next moment the task acts on its own: its run-at time, or the end of its retention.</summary>
    ArmWake = 1 << 7,

    /// <summary>Ask each dependency still waited on to say when it finishes.</summary>
    SubscribeToDependencies = 1 << 8,

    /// <summary>The task finished: wake waiters, tell dependents, record its expiry in the queue index, count it.</summary>
    AnnounceFinished = 1 << 9,

    /// <summary>
    /// Remove the unfinished queue index record: the task waits for a retry, and its watchdog, not its queue, wakes it,
    /// so a rebuilt queue does not hold it as a ghost.
    /// </summary>
    RemoveRecord = 1 << 10,

    /// <summary>Remove the task's state and its queue index record (its retention is over).</summary>
    Purge = 1 << 11,

    /// <summary>Arm the timer of the next completion callback attempt (<see cref="TaskGrainState.Callback"/>).</summary>
    DeliverCallback = 1 << 12,
}
