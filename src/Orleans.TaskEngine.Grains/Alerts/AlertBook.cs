namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// The alerts' durable state (the alert grain's): each alert that ever fired, and what the evaluator needs to remember
/// between evaluations. Written when an alert changes state, with the POSTs it owes the webhooks, before they are sent.
/// </summary>
[GenerateSerializer]
public sealed class AlertBook
{
    /// <summary>By rule name: the alert's state, as listed and sent.</summary>
    [Id(0)] public Dictionary<string, AlertStatus> Alerts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>By rule name: since when a rule with a grace period (NoWorker's Window) has been tripped.</summary>
    [Id(1)] public Dictionary<string, DateTimeOffset> TrippedSince { get; set; } = new(StringComparer.Ordinal);

    /// <summary>By silo address: when the evaluator first saw the silo dead (MinValue: dead before alerts first ran).</summary>
    [Id(2)] public Dictionary<string, DateTimeOffset> Deaths { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the membership has been read once: deaths seen at the first read are old news.</summary>
    [Id(3)] public bool MembershipSeen { get; set; }

    /// <summary>The webhook POSTs not yet settled, in the order of their transitions (<see cref="AlertOutbox"/>).</summary>
    [Id(4)] public List<AlertDelivery> Outbox { get; set; } = [];

    public AlertBook Copy() => new()
    {
        Alerts = new(Alerts, StringComparer.Ordinal),
        TrippedSince = new(TrippedSince, StringComparer.Ordinal),
        Deaths = new(Deaths, StringComparer.Ordinal),
        MembershipSeen = MembershipSeen,
        Outbox = [.. Outbox],
    };
}
