namespace Orleans.TaskEngine.Callbacks;

/// <summary>
/// The completion callback of one finish of a task, stored with the task's state: what makes delivery at-least-once
/// across crashes. A task retried and finished again gets a new delivery (a new id).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record CallbackDelivery
{
    /// <summary>The <c>X-TaskEngine-Delivery</c> header: the same on every attempt, so a receiver can drop repeats.</summary>
    [Id(0)] public required string DeliveryId { get; init; }

    [Id(1)] public CallbackStatus Status { get; init; }

    /// <summary>Attempts made so far.</summary>
    [Id(2)] public int Attempts { get; init; }

    /// <summary>When the next attempt is due (while pending).</summary>
    [Id(3)] public DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>Why the last attempt failed, if it did.</summary>
    [Id(4)] public string? LastError { get; init; }
}
