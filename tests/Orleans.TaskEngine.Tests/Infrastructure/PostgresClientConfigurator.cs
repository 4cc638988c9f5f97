using Microsoft.Extensions.Configuration;
using Orleans.Configuration;
using Orleans.TaskEngine.Hosting;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>A test client that finds its gateways in the PostgreSQL membership table.</summary>
public sealed class PostgresClientConfigurator : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder)
    {
        clientBuilder.Services.AddTaskEngineDatabase(configuration);
        clientBuilder.UseTaskEnginePostgresClustering();
        clientBuilder.Configure<GatewayOptions>(o => o.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
    }
}
