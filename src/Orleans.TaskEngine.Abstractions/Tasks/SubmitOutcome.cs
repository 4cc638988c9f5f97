namespace Orleans.TaskEngine.Tasks;

[GenerateSerializer]
public enum SubmitOutcome
{
    /// <summary>The task was created and persisted.</summary>
    Accepted = 0,

    /// <summary>A task with this id exists already; nothing was created.</summary>
    AlreadyExists = 1,

    /// <summary>The queue holds its maximum of pending tasks; nothing was created.</summary>
    QueueFull = 2,

    /// <summary>No handler is registered for the task type; nothing was created.</summary>
    UnknownType = 3,

    /// <summary>A field is out of range; nothing was created.</summary>
    Invalid = 4,

    /// <summary>The queue is new and the cluster already has its maximum number of queues; nothing was created.</summary>
    QueueLimitReached = 5,
}
