namespace Orleans.TaskEngine.Scheduling;

[GenerateSerializer, Immutable]
public sealed record EnqueueResult
{
    [Id(0)] public bool Accepted { get; init; }

    /// <summary>Why the queue refused the task.</summary>
    [Id(1)] public string? Reason { get; init; }

    [Id(2)] public int Pending { get; init; }

    /// <summary>Refused because the queue is new and the cluster already has its maximum number of queues.</summary>
    [Id(3)] public bool QueueLimitReached { get; init; }
}
