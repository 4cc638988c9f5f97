using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Hosting;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Storage;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure;

/// <summary>
/// A test silo: the engine with the in-process storage and reminders (shared by the silos of this process), short timings, the test handlers, and on the
/// primary silo only two extra pools: <c>solo</c> (1 worker × 1 slot) and <c>trio</c> (1 worker × 3 slots), each
/// serving its exclusive queue of the same name.
/// </summary>
public sealed class EngineSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var services = siloBuilder.Services;
        siloBuilder.UseInProcessTaskStorage();
        services.AddFastTestTimings();

        // A fixture may shorten idle collection (Orleans' own settings, not bound from configuration by default).
        services.Configure<GrainCollectionOptions>(siloBuilder.Configuration.GetSection("Orleans:GrainCollection"));

        siloBuilder.AddTaskEngine(siloBuilder.Configuration);
        if (siloBuilder.Configuration["Orleans:Name"] == "Primary")
        {
            services.PostConfigure<WorkerOptions>(o =>
            {
                o.Pools.Add(new WorkerPoolOptions { Name = "solo", Count = 1, Concurrency = 1, Queues = ["solo"] });
                o.Pools.Add(new WorkerPoolOptions { Name = "trio", Count = 1, Concurrency = 3, Queues = ["trio"] });
            });
        }

        services.AddTaskHandler<RecordingHandler>("record");
        services.AddTaskHandler<FlakyHandler>("flaky");
        services.AddTaskHandler<PermanentFailureHandler>("bad-payload");
        services.AddTaskHandler<HangingHandler>("hang");
        services.AddTaskHandler<ProgressHandler>("progress");
        services.AddTaskHandler<StubbornHandler>("stubborn");
    }
}
