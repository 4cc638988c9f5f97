namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// One POST owed to one webhook: a transition as it was when it happened, kept in the alert grain's state until the
/// webhook answers 2xx or the attempts run out, so a crash does not lose it.
/// </summary>
[GenerateSerializer]
public sealed class AlertDelivery
{
    /// <summary>The <c>X-TaskEngine-Delivery</c> header: the same on every attempt and after a restart, so a receiver can drop repeats.</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Url { get; init; }

    /// <summary>The body: the alert at its transition.</summary>
    [Id(2)] public required AlertStatus Alert { get; init; }
}
