using System.Net;
using System.Text;
using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// Alert webhooks are delivered at least once across a crash: the default host on its SQLite file, killed while the
/// receiver refuses the POST of a firing alert, started again on the same file.
/// </summary>
public sealed class AlertCrashTests : IDisposable
{
    private const string Secret = "alert-crash-secret";
    private const string Waiting = "alerts.crash.waiting";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(120);
    private readonly TemporaryFolder _folder = new("taskengine-alerts-");

    public void Dispose() => _folder.Dispose();

    private static Dictionary<string, string> Settings(string webhook) => new()
    {
        [$"TaskEngine__TaskTypes__{Waiting}"] = "a type no worker runs: its tasks stay pending",
        ["TaskEngine__Queues__MaintenanceInterval"] = "00:00:01",
        ["TaskEngine__Alerts__EvaluationInterval"] = "00:00:01",
        ["TaskEngine__Alerts__RetryBaseDelay"] = "00:00:00.200",
        ["TaskEngine__Alerts__RetryMaxDelay"] = "00:00:01",
        ["TaskEngine__Alerts__MaxAttempts"] = "100",
        ["TaskEngine__Alerts__Secret"] = Secret,
        ["TaskEngine__Alerts__Webhooks__0"] = webhook,
        ["TaskEngine__Alerts__Rules__backlog__Kind"] = "QueueDepth",
        ["TaskEngine__Alerts__Rules__backlog__Queue"] = "alerts-crash",
        ["TaskEngine__Alerts__Rules__backlog__Threshold"] = "0",
    };

    [Fact]
    public async Task A_transition_refused_until_the_host_is_killed_is_delivered_after_the_restart_with_the_same_delivery_id()
    {
        using var receiver = new WebhookReceiver { Refusing = true };
        var settings = Settings(receiver.Url);

        var (first, baseUrl) = await EngineProcess.StartEmbeddedApiAsync(settings, workingDirectory: _folder.Path);
        await using (first)
        {
            using var http = new HttpClient { BaseAddress = baseUrl };
            await new TaskEngineHttpClient(http).SubmitAsync(new SubmitTaskRequest { Type = Waiting, Queue = "alerts-crash" });
            await Eventually.Until(() => Task.FromResult(receiver.For("backlog")), r => r.Count >= 2, Patience, "two refused POSTs of backlog");
            first.Kill();
            await first.WaitForExitAsync(TimeSpan.FromSeconds(30));
        }

        var refused = receiver.For("backlog");
        Assert.All(refused, r => Assert.Equal(HttpStatusCode.InternalServerError, r.Answer));
        Assert.Equal(AlertState.Firing, WebhookReceiver.Parse(refused[0].Body).State);
        receiver.Refusing = false;

        var (second, _) = await EngineProcess.StartEmbeddedApiAsync(settings, workingDirectory: _folder.Path);
        await using (second)
        {
            var delivered = await Eventually.Until(() => Task.FromResult(receiver.Delivered("backlog")), d => d.Count >= 1, Patience, "the firing POST after the restart");
            Assert.Equal(AlertState.Firing, delivered[0].State);
            var accepted = receiver.Requests.First(r => r.Answer == HttpStatusCode.NoContent);
            Assert.Equal(refused[0].Body, accepted.Body);
            Assert.NotNull(accepted.DeliveryId);
            Assert.Equal(refused[0].DeliveryId, accepted.DeliveryId);
            Assert.Equal(AlertWebhooks.Sign(Secret, Encoding.UTF8.GetBytes(accepted.Body)), accepted.Signature);
        }
    }
}
