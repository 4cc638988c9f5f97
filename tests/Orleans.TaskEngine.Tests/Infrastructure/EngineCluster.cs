using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Client;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>A TestCluster running the engine, with the settings every test cluster shares plus per-fixture ones.</summary>
public abstract class EngineCluster : IAsyncLifetime
{
    public static readonly Dictionary<string, string?> CommonSettings = new()
    {
        ["TaskEngine:Tasks:RetryBaseDelay"] = "00:00:00.050",
        ["TaskEngine:Tasks:RetryMaxDelay"] = "00:00:00.200",
        ["TaskEngine:Tasks:WatchdogPeriod"] = "00:00:05",
        ["TaskEngine:Tasks:LivenessCheckInterval"] = "00:00:01",
        ["TaskEngine:Workers:HeartbeatInterval"] = "00:00:01",
        // Short, so a stopping test silo or a handler that ignores its token costs seconds (defaults 30 s and 10 s).
        ["TaskEngine:Workers:ShutdownGracePeriod"] = "00:00:03",
        ["TaskEngine:Workers:CancellationGracePeriod"] = "00:00:02",
        ["TaskEngine:Workers:Pools:0:Name"] = "default",
        ["TaskEngine:Workers:Pools:0:Count"] = "2",
        ["TaskEngine:Workers:Pools:0:Concurrency"] = "3",
        ["TaskEngine:Queues:MaintenanceInterval"] = "00:00:01",
        ["TaskEngine:Queues:Overrides:solo:Exclusive"] = "true",
        ["TaskEngine:Queues:Overrides:trio:Exclusive"] = "true",
        ["TaskEngine:Queues:Overrides:tiny:Exclusive"] = "true",
        ["TaskEngine:Queues:Overrides:tiny:MaxPending"] = "2",
        ["TaskEngine:Http:AllowedHosts:0"] = "localhost",
    };

    private readonly short _silos;
    private readonly IReadOnlyDictionary<string, string?> _settings;

    protected EngineCluster(short silos, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _silos = silos;
        _settings = settings ?? new Dictionary<string, string?>();
    }

    public TestCluster Cluster { get; private set; } = null!;

    public TaskEngineClusterClient Engine { get; private set; } = null!;

    public virtual async Task InitializeAsync()
    {
        var builder = new TestClusterBuilder(_silos);
        builder.Options.ServiceId = $"engine-{Guid.NewGuid():N}";
        builder.ConfigureHostConfiguration(c => c.AddInMemoryCollection(CommonSettings).AddInMemoryCollection(_settings));
        builder.AddSiloBuilderConfigurator<EngineSiloConfigurator>();
        builder.AddClientBuilderConfigurator<EngineClientConfigurator>();
        Configure(builder);
        Cluster = builder.Build();
        await Cluster.DeployAsync();
        Engine = new TaskEngineClusterClient(Cluster.GrainFactory);
    }

    /// <summary>Adds to the cluster's configuration; runs after the engine's own configurators.</summary>
    protected virtual void Configure(TestClusterBuilder builder)
    {
    }

    public virtual async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }
}

/// <summary>The cluster most tests share: two silos.</summary>
public sealed class SharedEngineCluster() : EngineCluster(2);

[CollectionDefinition(Name)]
public sealed class SharedClusterCollection : ICollectionFixture<SharedEngineCluster>
{
    public const string Name = "shared cluster";
}
