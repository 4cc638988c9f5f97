using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>One task's record in the <see cref="IQueueIndex"/>.</summary>
/// <param name="TaskId">The task.</param>
/// <param name="Queue">The queue the task belongs to.</param>
/// <param name="Priority">Its priority, for the order a rebuilt queue takes.</param>
/// <param name="Sequence">When it last became pending (ticks): FIFO within a priority.</param>
/// <param name="ExpiresAt">Null while the task is unfinished; for a finished task, when it is purged.</param>
/// <param name="Type">The task's type: a rebuilt queue gives the task only to a worker or agent that runs it.</param>
public sealed record QueueIndexRecord(string TaskId, string Queue, TaskPriority Priority, long Sequence, DateTimeOffset? ExpiresAt, string? Type = null);
