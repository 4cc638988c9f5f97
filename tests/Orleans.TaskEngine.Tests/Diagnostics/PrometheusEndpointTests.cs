using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.RegularExpressions;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Http;
using Orleans.TaskEngine.Tasks;
using Microsoft.AspNetCore.Hosting;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Diagnostics;

/// <summary><c>/metrics</c> on the API host: the engine's counts after a known workload, and the keys in front of it.</summary>
public sealed partial class PrometheusEndpointTests
{
    [Fact]
    public async Task A_scrape_after_a_known_workload_finds_its_counts_and_needs_a_key_when_keys_are_configured()
    {
        await using var factory = KeyedApiFactory.Create(("prometheus", "scrape-secret", "submitter")).WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:TaskTypes:metrics.waiting", "a type no worker runs: its tasks stay pending")
            .UseSetting("TaskEngine:Queues:MaintenanceInterval", "00:00:01")
            .UseSetting("TaskEngine:Tasks:RetryBaseDelay", "00:00:00.100"));
        using var http = factory.CreateClient();
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "scrape-secret");
        var api = new TaskEngineHttpClient(http);
        var queue = "metrics-" + Guid.NewGuid().ToString("N")[..8];
        for (var i = 0; i < 7; i++)
        {
            var task = await api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "echo", Queue = queue, Payload = JsonSerializer.SerializeToElement(new { i }) }, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.Completed, task!.Status);
        }

        for (var i = 0; i < 3; i++)
        {
            var task = await api.SubmitAndWaitAsync(new SubmitTaskRequest { Type = "delay", Queue = queue, MaxAttempts = 1, Payload = JsonSerializer.SerializeToElement(new { ms = -1 }) }, TimeSpan.FromSeconds(30));
            Assert.Equal(TaskState.Failed, task!.Status);
        }

        // Two attempts that each run past a 1 s timeout: one retry, two timeouts, then failed for good.
        var slow = await api.SubmitAndWaitAsync(new SubmitTaskRequest
        {
            Type = "delay", Queue = queue, MaxAttempts = 2, TimeoutSeconds = 1, Payload = JsonSerializer.SerializeToElement(new { ms = 60_000 }),
        }, TimeSpan.FromSeconds(60));
        Assert.Equal(TaskState.Failed, slow!.Status);

        for (var i = 0; i < 4; i++)
        {
            await api.SubmitAsync(new SubmitTaskRequest { Type = "metrics.waiting", Queue = queue, Priority = "high" });
        }

        // The exporter collects on scrape (cached for a moment): wait for the counts to reach what was done.
        var text = await Eventually.Until(
            async () => await http.GetStringAsync("/metrics"),
            t => Count(t, "taskengine_tasks_finished_total", queue, "completed") == 7 && Count(t, "taskengine_tasks_finished_total", queue, "failed") == 4
                && Gauge(t, "taskengine_queue_depth", queue, "priority=\"high\"") == 4,
            TimeSpan.FromSeconds(30),
            "the workload's counts in /metrics");

        Assert.Equal(15, Count(text, "taskengine_tasks_submitted_total", queue, status: null));
        Assert.Equal(12, Count(text, "taskengine_tasks_started_total", queue, status: null));
        Assert.Equal(1, Count(text, "taskengine_tasks_retries_total", queue, status: null));
        Assert.Equal(2, Count(text, "taskengine_tasks_timeouts_total", queue, status: null));
        Assert.Equal(1, Count(text, "taskengine_tasks_finished_total", queue, "failed", ("error_kind", "timeout")));
        Assert.Equal(3, Count(text, "taskengine_tasks_finished_total", queue, "failed", ("error_kind", "permanent")));
        Assert.Equal(7, Count(text, "taskengine_tasks_finished_total", queue, "completed", ("type", "echo")));
        Assert.Contains("taskengine_run_time_milliseconds_bucket", text, StringComparison.Ordinal);
        Assert.Equal(0, Gauge(text, "taskengine_queue_depth", queue, "priority=\"normal\""));
        Assert.Equal(0, Gauge(text, "taskengine_queue_running", queue, label: null));
        Assert.InRange(Gauge(text, "taskengine_queue_oldest_pending_age_seconds", queue, label: null), 0.001, 600);
        Assert.Contains("taskengine_dispatch_latency_milliseconds_bucket", text, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds", text, StringComparison.Ordinal); // ASP.NET Core's
        Assert.Contains("dotnet_gc_", text, StringComparison.Ordinal); // the runtime's

        using var anonymous = factory.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/metrics")).StatusCode);
    }

    private static double Gauge(string text, string name, string queue, string? label) =>
        Series().Matches(text)
            .Where(m => m.Groups["name"].Value == name && m.Groups["labels"].Value.Contains($"queue=\"{queue}\"", StringComparison.Ordinal)
                && (label is null || m.Groups["labels"].Value.Contains(label, StringComparison.Ordinal)))
            .Select(m => double.Parse(m.Groups["value"].Value, CultureInfo.InvariantCulture))
            .DefaultIfEmpty(double.NaN)
            .Sum();

    /// <summary>The value of a counter's series for a queue (and a status, and other labels), summed over the rest.</summary>
    private static double Count(string text, string name, string queue, string? status, params (string Name, string Value)[] other)
    {
        var total = 0.0;
        foreach (Match line in Series().Matches(text))
        {
            var labels = line.Groups["labels"].Value;
            if (line.Groups["name"].Value == name && labels.Contains($"queue=\"{queue}\"", StringComparison.Ordinal)
                && (status is null || labels.Contains($"status=\"{status}\"", StringComparison.Ordinal))
                && other.All(l => labels.Contains($"{l.Name}=\"{l.Value}\"", StringComparison.Ordinal)))
            {
                total += double.Parse(line.Groups["value"].Value, CultureInfo.InvariantCulture);
            }
        }

        return total;
    }

    [GeneratedRegex(@"^(?<name>[a-z_]+)\{(?<labels>[^}]*)\} (?<value>[0-9.eE+-]+)", RegexOptions.Multiline)]
    private static partial Regex Series();
}
