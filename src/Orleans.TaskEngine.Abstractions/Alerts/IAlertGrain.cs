using Orleans.Concurrency;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// The cluster's alerts (a single grain, key 0: one activation in the whole cluster, so the rules are evaluated once
/// per cluster, not once per silo). It evaluates the rules of <c>TaskEngine:Alerts</c> on a timer and keeps each
/// alert's state durable, with the webhook POSTs each transition owes until they are settled: a restart neither
/// repeats a transition nor loses its POSTs.
/// </summary>
public interface IAlertGrain : IGrainWithIntegerKey
{
    /// <summary>The alerts that ever fired (firing or resolved), by name.</summary>
    [AlwaysInterleave]
    Task<AlertStatus[]> GetAlerts();

    /// <summary>Makes sure the grain is active and evaluating (the silos' keeper calls it at start and then periodically).</summary>
    [AlwaysInterleave]
    Task Wake();

    /// <summary>
    /// The silo that sent the webhook POST <paramref name="deliveryId"/> says it is settled (delivered, or given up
    /// after its attempts): it leaves the stored outbox and is not sent again.
    /// </summary>
    Task Settled(string deliveryId);
}
