using System.Globalization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Agents;

/// <summary>
/// One embedded API host for the agent tests, with short heartbeats (1 s, leases of 3 s) so that a silent agent is
/// declared dead within seconds. Tests keep out of each other's way by their own task types and queues.
/// </summary>
public sealed class AgentApiFixture : IAsyncLifetime
{
    public const int HeartbeatSeconds = 1;
    public const int LeaseSeconds = 3;
    public const int MaxConcurrency = 16;

    private WebApplicationFactory<Program>? _factory;

    public HttpClient Http { get; private set; } = null!;

    public AgentHttp Api => new(Http);

    public Task InitializeAsync()
    {
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:Api:Mode", "Embedded")
            .UseSetting("TaskEngine:Agents:HeartbeatSeconds", HeartbeatSeconds.ToString(CultureInfo.InvariantCulture))
            .UseSetting("TaskEngine:Agents:LeaseSeconds", LeaseSeconds.ToString(CultureInfo.InvariantCulture))
            .UseSetting("TaskEngine:Agents:MaxConcurrency", MaxConcurrency.ToString(CultureInfo.InvariantCulture))
            .UseSetting("TaskEngine:TaskTypes:configured.only", "run by agents not yet registered")
            .UseSetting("TaskEngine:Cluster:SiloPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture))
            .UseSetting("TaskEngine:Cluster:GatewayPort", EngineProcess.FreePort().ToString(CultureInfo.InvariantCulture)));
        Http = _factory.CreateClient();
        Http.Timeout = TimeSpan.FromSeconds(90);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        Http.Dispose();
        if (_factory is not null)
        {
            await _factory.DisposeAsync();
        }
    }
}
