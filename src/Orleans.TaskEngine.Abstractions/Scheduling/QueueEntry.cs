using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>A ready task as its queue sees it: just enough to order it and to choose who may run it.</summary>
[GenerateSerializer, Immutable]
public sealed record QueueEntry
{
    [Id(0)] public required string TaskId { get; init; }
    [Id(1)] public TaskPriority Priority { get; init; }

    /// <summary>Orders tasks of one priority (the time the task became ready, in ticks): FIFO.</summary>
    [Id(2)] public long Sequence { get; init; }

    /// <summary>The task's type: only a worker or agent that declares it is given the task. Null only for an entry rebuilt
    /// from an index record written before types were recorded; any worker may take it.</summary>
    [Id(3)] public string? Type { get; init; }
}
