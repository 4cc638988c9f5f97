using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>A ready task as its queue sees it: just enough to order it.</summary>
[GenerateSerializer, Immutable]
public sealed record QueueEntry
{
    [Id(0)] public required string TaskId { get; init; }
    [Id(1)] public TaskPriority Priority { get; init; }

    /// <summary>Orders tasks of one priority (the time the task became ready, in ticks): FIFO.</summary>
    [Id(2)] public long Sequence { get; init; }
}
