using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace Orleans.TaskEngine.Hosting;

/// <summary>Configures an Orleans client of the engine's cluster from the same settings the silos use.</summary>
public static class TaskEngineClientConfiguration
{
    /// <summary>The client's gateway settings (e.g. <c>GatewayListRefreshPeriod</c>), bound as <see cref="GatewayOptions"/>.</summary>
    public const string GatewaySection = "TaskEngine:Cluster:Gateway";

    public static IClientBuilder ConfigureTaskEngineClient(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        var cluster = TaskEngineSiloConfiguration.ReadClusterOptions(configuration);
        var mode = TaskEngineSiloConfiguration.ReadStorageMode(configuration);
        switch (mode)
        {
            case StorageMode.Memory:
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
                break;
            case StorageMode.Postgres:
                // The gateways are the active silos in the membership table; the client only reads it.
                client.Services.AddTaskEngineDatabase(configuration);
                client.Services.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = cluster.ClusterId;
                    o.ServiceId = cluster.ServiceId;
                });
                client.UseTaskEnginePostgresClustering();
                break;
            case StorageMode.Sqlite:
                // The SQLite file belongs to the one process that runs the engine on it; a client has no cluster to join.
                throw new InvalidOperationException(
                    "TaskEngine:Storage is Sqlite, which runs the engine inside this host: Client mode (TaskEngine:Api:Mode=Client) " +
                    "needs a cluster of silos. Set TaskEngine__Api__Mode=Embedded to run on the SQLite file, or TaskEngine__Storage=Postgres " +
                    "(with ConnectionStrings__TaskEngine) to join a cluster.");
        }

        client.Services.Configure<GatewayOptions>(configuration.GetSection(GatewaySection));
        return client;
    }

    /// <summary>The gateway list from the PostgreSQL membership table (needs <see cref="TaskEngineDatabaseServiceCollectionExtensions.AddTaskEngineDatabase"/>).</summary>
    public static IClientBuilder UseTaskEnginePostgresClustering(this IClientBuilder client) =>
        client.UseAdoNetClustering(o => o.Configure<IOptions<TaskEngineDatabaseOptions>>((ado, db) =>
        {
            ado.Invariant = TaskEngineDatabaseOptions.Invariant;
            ado.ConnectionString = db.Value.EffectiveConnectionString();
        }));
}
