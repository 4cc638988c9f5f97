using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Tests.Infrastructure;

namespace Orleans.TaskEngine.Tests.Callbacks;

/// <summary>One embedded API host (in memory) with a callback secret, 127.0.0.1 allowed and quick retries; two receivers.</summary>
public sealed class CallbackApiFixture : IAsyncLifetime
{
    public const string Secret = "callback-test-secret";

    private WebApplicationFactory<Program>? _factory;

    public CallbackReceiver Receiver { get; } = new();

    public CallbackReceiver Flaky { get; } = new(failFirst: 2);

    public HttpClient Http { get; private set; } = null!;

    public TaskEngineHttpClient Api => new(Http);

    public Task InitializeAsync()
    {
        _factory = KeyedApiFactory.Create().WithWebHostBuilder(b => b
            .UseSetting("TaskEngine:Callbacks:Secret", Secret)
            .UseSetting("TaskEngine:Callbacks:RetryBaseDelay", "00:00:00.100")
            .UseSetting("TaskEngine:Callbacks:RetryMaxDelay", "00:00:00.500")
            .UseSetting("TaskEngine:Http:AllowedHosts:0", "127.0.0.1")
            .UseSetting("TaskEngine:Http:AllowedHosts:1", "localhost"));
        Http = _factory.CreateClient();
        Http.Timeout = TimeSpan.FromSeconds(90);
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        using (Http)
        {
            await (_factory?.DisposeAsync() ?? ValueTask.CompletedTask);
        }

        Receiver.Dispose();
        Flaky.Dispose();
    }
}
