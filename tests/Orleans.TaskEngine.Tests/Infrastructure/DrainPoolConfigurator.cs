using Microsoft.Extensions.DependencyInjection;
using Orleans.TaskEngine.Hosting;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>The pool of <see cref="WorkerLifecycleCluster.Queue"/>: small on the primary silo, larger on the others.</summary>
public sealed class DrainPoolConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var primary = siloBuilder.Configuration["Orleans:Name"] == "Primary";
        siloBuilder.Services.PostConfigure<WorkerOptions>(o => o.Pools.Add(new WorkerPoolOptions
        {
            Name = WorkerLifecycleCluster.Queue,
            Count = 1,
            Concurrency = primary ? WorkerLifecycleCluster.PrimarySlots : WorkerLifecycleCluster.SecondarySlots,
            Queues = [WorkerLifecycleCluster.Queue],
        }));
    }
}
