namespace Orleans.TaskEngine.Tasks;

/// <summary>The lifecycle of a task. <see cref="Completed"/>, <see cref="Failed"/> and <see cref="Cancelled"/> are terminal.</summary>
[GenerateSerializer]
public enum TaskState
{
    /// <summary>Waits for its run-at time, a retry backoff or its dependencies.</summary>
    Scheduled = 0,

    /// <summary>Ready and queued for a worker.</summary>
    Pending = 1,

    /// <summary>A worker runs it.</summary>
    Running = 2,

    Completed = 3,
    Failed = 4,
    Cancelled = 5,
}
