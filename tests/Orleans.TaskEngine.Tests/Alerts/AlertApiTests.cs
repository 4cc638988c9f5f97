using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Orleans.TaskEngine.Alerts;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Tests.Agents;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// Each queue rule trips on a workload made for it and resolves when the workload goes; <c>GET /api/alerts</c> shows
/// both states and each webhook receives one signed POST per transition (the flaky one after its retries).
/// </summary>
public sealed class AlertApiTests(AlertApiFixture fixture) : IClassFixture<AlertApiFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private async Task<AlertStatus[]> AlertsAsync() =>
        (await fixture.Http.GetFromJsonAsync<AlertStatus[]>("/api/alerts", TaskEngineJson.Options))!;

    private Task<AlertStatus[]> UntilAsync(string name, AlertState state) =>
        Eventually.Until(AlertsAsync, alerts => alerts.Any(a => a.Name == name && a.State == state), Timeout, $"alert {name} {state}");

    /// <summary>Both webhooks got exactly the transitions, in order, each body signed with the secret.</summary>
    private async Task AssertDeliveredAsync(string name, params AlertState[] states)
    {
        foreach (var receiver in new[] { fixture.Receiver, fixture.Flaky })
        {
            var delivered = await Eventually.Until(() => Task.FromResult(receiver.Delivered(name)), d => d.Count >= states.Length, Timeout, $"{states.Length} POSTs of {name}");
            Assert.Equal(states, delivered.Select(a => a.State));
            Assert.All(delivered, a => Assert.Equal(name, a.Name));
        }

        Assert.All(fixture.Receiver.Requests.Concat(fixture.Flaky.Requests), r =>
            Assert.Equal(AlertWebhooks.Sign(AlertApiFixture.Secret, Encoding.UTF8.GetBytes(r.Body)), r.Signature));
    }

    [Fact]
    public async Task Depth_and_oldest_pending_fire_on_tasks_nobody_runs_and_resolve_when_they_are_cancelled()
    {
        var ids = new List<string>();
        for (var i = 0; i < 3; i++)
        {
            ids.Add((await fixture.Api.SubmitAsync(new SubmitTaskRequest { Type = AlertApiFixture.Waiting, Queue = "alerts-depth" })).Id);
        }

        var alerts = await Eventually.Until(AlertsAsync, a => a.Count(x => x.State == AlertState.Firing && x.Name is "deep" or "stale") == 2, Timeout, "deep and stale firing");
        var deep = alerts.Single(a => a.Name == "deep");
        Assert.Contains("3 pending", deep.Message, StringComparison.Ordinal);
        Assert.Equal("QueueDepth", deep.Labels["kind"]);
        Assert.Equal("alerts-depth", deep.Labels["queue"]);
        Assert.Equal(TimeSpan.Zero, deep.Since.Offset);

        foreach (var id in ids)
        {
            await fixture.Api.CancelAsync(id);
        }

        await Eventually.Until(AlertsAsync, a => a.Count(x => x.State == AlertState.Resolved && x.Name is "deep" or "stale") == 2, Timeout, "deep and stale resolved");
        await AssertDeliveredAsync("deep", AlertState.Firing, AlertState.Resolved);
        await AssertDeliveredAsync("stale", AlertState.Firing, AlertState.Resolved);
    }

    [Fact]
    public async Task Failure_ratio_fires_on_failed_tasks_and_resolves_when_completed_ones_bring_it_down()
    {
        var failed = await fixture.Api.SubmitAndWaitAsync(new SubmitTaskRequest
        {
            Type = "delay", Queue = "alerts-fail", MaxAttempts = 1, Payload = JsonSerializer.SerializeToElement(new { ms = -1 }),
        }, Timeout);
        Assert.Equal(TaskState.Failed, failed!.Status);
        var firing = (await UntilAsync("failing", AlertState.Firing)).Single(a => a.Name == "failing");
        Assert.Contains("1 of 1", firing.Message, StringComparison.Ordinal);

        for (var i = 0; i < 2; i++)
        {
            var done = await fixture.Api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo", Queue = "alerts-fail", Payload = JsonSerializer.SerializeToElement(new { i }) }, Timeout);
            Assert.Equal(TaskState.Completed, done!.Status);
        }

        await UntilAsync("failing", AlertState.Resolved);
        await AssertDeliveredAsync("failing", AlertState.Firing, AlertState.Resolved);
    }

    [Fact]
    public async Task No_worker_fires_for_a_queue_no_pool_serves_and_resolves_when_an_agent_serves_it()
    {
        await UntilAsync("lonely", AlertState.Firing);
        await using (await new AgentHttp(fixture.AgentHttp).RegisterAliveAsync("lonely-agent", ["alerts.lonely"], queues: ["alerts-lonely"]))
        {
            await UntilAsync("lonely", AlertState.Resolved);
            await AssertDeliveredAsync("lonely", AlertState.Firing, AlertState.Resolved);
        }
    }

    [Fact]
    public async Task The_flaky_webhook_gets_its_posts_after_retries_and_only_reader_roles_see_the_alerts()
    {
        await UntilAsync("lonely", AlertState.Firing);
        await Eventually.Until(() => Task.FromResult(fixture.Flaky.Requests.Count(r => r.Answer == HttpStatusCode.NoContent)), n => n > 0, Timeout, "a POST the flaky webhook accepted");
        Assert.Equal(HttpStatusCode.InternalServerError, fixture.Flaky.Requests.First().Answer);
        Assert.Equal(fixture.Flaky.Requests.ElementAt(0).Body, fixture.Flaky.Requests.ElementAt(2).Body);

        Assert.Equal(HttpStatusCode.Forbidden, (await fixture.AgentHttp.GetAsync("/api/alerts")).StatusCode);
        var raw = await fixture.Http.GetStringAsync("/api/alerts");
        using var json = JsonDocument.Parse(raw);
        var first = json.RootElement.EnumerateArray().First();
        Assert.Equal(["name", "state", "since", "message", "labels"], first.EnumerateObject().Select(p => p.Name));
        Assert.Contains(first.GetProperty("state").GetString(), new[] { "firing", "resolved" });
    }
}
