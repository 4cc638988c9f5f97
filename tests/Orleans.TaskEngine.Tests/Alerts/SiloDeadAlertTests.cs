using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// SiloDead on a real membership: a two-silo test cluster, one silo killed. The alert fires once the silo is declared
/// dead (even when the alert grain itself lived on it: the keeper brings it back on the survivor, with its state) and
/// resolves once its window has passed; the webhook gets one POST per transition.
/// </summary>
public sealed class SiloDeadAlertTests
{
    private sealed class AlertCluster(IReadOnlyDictionary<string, string?> settings) : EngineCluster(2, settings);

    [Fact]
    public async Task A_killed_silo_fires_silo_dead_which_resolves_after_its_window()
    {
        using var receiver = new WebhookReceiver();
        var cluster = new AlertCluster(new Dictionary<string, string?>
        {
            ["TaskEngine:Alerts:EvaluationInterval"] = "00:00:01",
            ["TaskEngine:Alerts:Secret"] = "s",
            ["TaskEngine:Alerts:Webhooks:0"] = receiver.Url,
            ["TaskEngine:Alerts:Rules:dead:Kind"] = "SiloDead",
            ["TaskEngine:Alerts:Rules:dead:Window"] = "00:00:05",
        });
        await cluster.InitializeAsync();
        try
        {
            var alerts = cluster.Cluster.Client.GetGrain<IAlertGrain>(0);

            // The first evaluation reads the membership (all alive): only deaths after it are news.
            await alerts.Wake();
            Assert.Empty(await alerts.GetAlerts());
            await cluster.Cluster.KillSiloAsync(cluster.Cluster.SecondarySilos[0]);

            var firing = await Eventually.Until(alerts.GetAlerts, a => a.Any(x => x.State == AlertState.Firing), TimeSpan.FromSeconds(90), "dead firing");
            Assert.Contains("declared dead", firing.Single().Message, StringComparison.Ordinal);
            await Eventually.Until(alerts.GetAlerts, a => a.Any(x => x.State == AlertState.Resolved), TimeSpan.FromSeconds(60), "dead resolved");
            var delivered = await Eventually.Until(() => Task.FromResult(receiver.Delivered("dead")), d => d.Count >= 2, TimeSpan.FromSeconds(30), "two POSTs");
            Assert.Equal([AlertState.Firing, AlertState.Resolved], delivered.Select(a => a.State));
        }
        finally
        {
            await cluster.DisposeAsync();
        }
    }
}
