namespace Orleans.TaskEngine.Tasks;

/// <summary>One entry of a task's history: a transition or a progress report.</summary>
[GenerateSerializer, Immutable]
public sealed record TaskEvent
{
    /// <summary>Position in the task's history, from 1.</summary>
    [Id(0)] public long Sequence { get; init; }

    [Id(1)] public TaskEventKind Kind { get; init; }

    /// <summary>The status after the event.</summary>
    [Id(2)] public TaskState Status { get; init; }

    [Id(3)] public DateTimeOffset At { get; init; }

    [Id(4)] public int Attempt { get; init; }

    [Id(5)] public string? WorkerId { get; init; }

    /// <summary>The worker or agent of this event's attempt (the same id as <see cref="WorkerId"/>).</summary>
    public string? AssignedTo => WorkerId;

    [Id(6)] public string? Silo { get; init; }

    /// <summary>Why the transition happened, the error, or the progress message.</summary>
    [Id(7)] public string? Message { get; init; }

    /// <summary>For progress events: the fraction done, 0..1, when the handler gave one.</summary>
    [Id(8)] public double? Percent { get; init; }

    /// <summary>Who caused it: the caller's identity (as in <c>createdBy</c>) for a submit, cancel or retry; <c>system</c> otherwise.</summary>
    [Id(9)] public string? Actor { get; init; }

    /// <summary>For an event that records a failed attempt or a failure: the error's kind.</summary>
    [Id(10)] public string? ErrorKind { get; init; }
}
