using Microsoft.Extensions.DependencyInjection;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Hosting;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// A test silo on the real ADO.NET providers: membership, grain state and reminders in the PostgreSQL named by
/// <c>ConnectionStrings:TaskEngine</c> in the cluster's configuration. TestCluster keeps its own ports and ids.
/// </summary>
public sealed class PostgresSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var services = siloBuilder.Services;
        services.AddTaskEngineDatabase(siloBuilder.Configuration);
        siloBuilder.UseTaskEnginePostgresClustering().UseTaskEnginePostgresPersistence();
        services.AddFastTestTimings();
        siloBuilder.AddTaskEngine(siloBuilder.Configuration);
    }
}
