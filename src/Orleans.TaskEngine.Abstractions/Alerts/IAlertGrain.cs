using Orleans.Concurrency;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// The cluster's alerts (a single grain, key 0: one activation in the whole cluster, so the rules are evaluated once
/// per cluster, not once per silo). It evaluates the rules of <c>TaskEngine:Alerts</c> on a timer and keeps each
/// alert's state durable, so a restart does not send a transition again.
/// </summary>
public interface IAlertGrain : IGrainWithIntegerKey
{
    /// <summary>The alerts that ever fired (firing or resolved), by name.</summary>
    [AlwaysInterleave]
    Task<AlertStatus[]> GetAlerts();

    /// <summary>Makes sure the grain is active and evaluating (the silos' keeper calls it at start and then periodically).</summary>
    [AlwaysInterleave]
    Task Wake();
}
