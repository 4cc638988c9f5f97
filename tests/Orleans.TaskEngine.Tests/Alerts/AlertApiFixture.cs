using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Alerts;

/// <summary>
/// One embedded API host with a rule of each queue kind, each on its own queue, evaluated every second, and two
/// webhooks: one that answers at once and one that fails its first two POSTs.
/// </summary>
public sealed class AlertApiFixture : IAsyncLifetime
{
    public const string Secret = "alert-test-secret";
    public const string Waiting = "alerts.waiting";

    private WebApplicationFactory<Program>? _factory;

    public WebhookReceiver Receiver { get; } = new();

    public WebhookReceiver Flaky { get; } = new(failFirst: 2);

    public HttpClient Http { get; private set; } = null!;

    public HttpClient AgentHttp { get; private set; } = null!;

    public TaskEngineHttpClient Api => new(Http);

    public Task InitializeAsync()
    {
        _factory = KeyedApiFactory.Create(("ops", "ops-key", "submitter"), ("agent", "agent-key", "agent")).WithWebHostBuilder(b => b
            .UseSetting($"TaskEngine:TaskTypes:{Waiting}", "a type no worker runs: its tasks stay pending")
            .UseSetting("TaskEngine:Queues:MaintenanceInterval", "00:00:01")
            .UseSetting("TaskEngine:Queues:Overrides:alerts-lonely:Exclusive", "true")
            .UseSetting("TaskEngine:Alerts:EvaluationInterval", "00:00:01")
            .UseSetting("TaskEngine:Alerts:RetryBaseDelay", "00:00:00.100")
            .UseSetting("TaskEngine:Alerts:Secret", Secret)
            .UseSetting("TaskEngine:Alerts:Webhooks:0", Receiver.Url)
            .UseSetting("TaskEngine:Alerts:Webhooks:1", Flaky.Url)
            .UseSetting("TaskEngine:Alerts:Rules:deep:Kind", "QueueDepth")
            .UseSetting("TaskEngine:Alerts:Rules:deep:Queue", "alerts-depth")
            .UseSetting("TaskEngine:Alerts:Rules:deep:Threshold", "2")
            .UseSetting("TaskEngine:Alerts:Rules:stale:Kind", "OldestPending")
            .UseSetting("TaskEngine:Alerts:Rules:stale:Queue", "alerts-depth")
            .UseSetting("TaskEngine:Alerts:Rules:stale:Window", "00:00:02")
            .UseSetting("TaskEngine:Alerts:Rules:failing:Kind", "FailureRatio")
            .UseSetting("TaskEngine:Alerts:Rules:failing:Queue", "alerts-fail")
            .UseSetting("TaskEngine:Alerts:Rules:failing:Threshold", "0.5")
            .UseSetting("TaskEngine:Alerts:Rules:failing:Window", "01:00:00")
            .UseSetting("TaskEngine:Alerts:Rules:lonely:Kind", "NoWorker")
            .UseSetting("TaskEngine:Alerts:Rules:lonely:Queue", "alerts-lonely"));
        Http = _factory.CreateClient();
        Http.Timeout = TimeSpan.FromSeconds(90);
        Http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "ops-key");
        AgentHttp = _factory.CreateClient();
        AgentHttp.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "agent-key");
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        AgentHttp.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }

        Receiver.Dispose();
        Flaky.Dispose();
    }
}
