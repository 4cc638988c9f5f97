using System.Diagnostics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Client;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Bench;

/// <summary>A silo in this process, driven through the Orleans client (the grain factory): no HTTP in the way.</summary>
public sealed class EmbeddedTarget : IBenchTarget
{
    private readonly IHost _host;
    private readonly TaskEngineClusterClient _engine;

    private EmbeddedTarget(IHost host)
    {
        _host = host;
        Grains = host.Services.GetRequiredService<IGrainFactory>();
        _engine = new TaskEngineClusterClient(Grains);
    }

    public IGrainFactory Grains { get; }

    public static async Task<EmbeddedTarget> StartAsync(BenchOptions options, CancellationToken cancellationToken)
    {
        var settings = new Dictionary<string, string?>
        {
            ["TaskEngine:Storage"] = options.StorageSetting,
            ["ConnectionStrings:TaskEngine"] = options.EffectiveConnection,
            ["TaskEngine:Sqlite:Synchronous"] = options.SqliteSync,
            ["TaskEngine:Database:InitializeOnStart"] = options.Storage == "postgres" ? "true" : null,
            ["TaskEngine:Queues:DefaultMaxPending"] = "1000000",
            ["TaskEngine:History:Enabled"] = options.History ? "true" : "false",
            ["TaskEngine:Queues:Overrides:backlog:Exclusive"] = "true",
            // The default pool as the engine ships it (2 workers × 8 slots per silo), plus one slot for the backlog runs.
            ["TaskEngine:Workers:Pools:0:Name"] = "default",
            ["TaskEngine:Workers:Pools:1:Name"] = "backlog",
            ["TaskEngine:Workers:Pools:1:Count"] = "1",
            ["TaskEngine:Workers:Pools:1:Concurrency"] = "1",
            ["TaskEngine:Workers:Pools:1:Queues:0"] = "backlog",
            ["TaskEngine:Cluster:SiloPort"] = FreePort(),
            ["TaskEngine:Cluster:GatewayPort"] = FreePort(),
        };
        var builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // stdout carries the one JSON line of figures; the engine's log goes to stderr.
        builder.Logging.AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.UseOrleans(silo => silo.ConfigureTaskEngineSilo(builder.Configuration));
        var host = builder.Build();
        await host.StartAsync(cancellationToken);
        return new EmbeddedTarget(host);
    }

    /// <summary>A loopback port free now (shared with the agents target).</summary>
    internal static string FreePort()
    {
        using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        listener.Start();
        return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<string> SubmitAsync(TaskSubmission submission, CancellationToken cancellationToken)
    {
        var result = await _engine.SubmitAsync(submission, cancellationToken: cancellationToken);
        return result.IsAccepted ? result.TaskId : throw new InvalidOperationException($"refused: {result.Outcome} {result.Reason}");
    }

    public async Task<TaskOutcome?> WaitAsync(string id, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var task = await _engine.WaitAsync(id, timeout, cancellationToken);
        return task is null ? null : new TaskOutcome(task.Status, task.CreatedAt, task.StartedAt, task.FinishedAt);
    }

    public long? EnginePeakWorkingSet
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.PeakWorkingSet64;
        }
    }

    public int Throttled => 0;

    public TimeSpan? EngineCpu
    {
        get
        {
            using var self = Process.GetCurrentProcess();
            return self.TotalProcessorTime;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
