using Microsoft.Extensions.Configuration;
using Orleans.TaskEngine.Client;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>Builds and starts an in-process TestCluster whose silos use the PostgreSQL providers.</summary>
public static class PostgresTestCluster
{
    public static async Task<TestCluster> StartAsync(string connectionString, string serviceId, short silos = 1)
    {
        var builder = new TestClusterBuilder(silos);
        builder.Options.ServiceId = serviceId;
        builder.Options.ClusterId = serviceId;

        // Membership and the gateway list come from the PostgreSQL providers, not the test cluster's own.
        builder.Options.UseTestClusterMembership = false;
        builder.ConfigureHostConfiguration(c => c
            .AddInMemoryCollection(EngineCluster.CommonSettings)
            .AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["ConnectionStrings:TaskEngine"] = connectionString,
                ["TaskEngine:Tasks:WatchdogPeriod"] = "00:00:02",
            }));
        builder.AddSiloBuilderConfigurator<PostgresSiloConfigurator>();
        builder.AddClientBuilderConfigurator<PostgresClientConfigurator>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    public static TaskEngineClusterClient Engine(this TestCluster cluster) => new(cluster.GrainFactory);
}
