using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;
using Orleans.TaskEngine.Handlers;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Storage;
using Orleans.TestingHost;

namespace Orleans.TaskEngine.Tests.Infrastructure.Faults;

/// <summary>
/// Runs after <see cref="EngineSiloConfigurator"/>: the in-process task storage, queue index and reminder table, each
/// wrapped in its fault-injecting store. The later registrations win.
/// </summary>
public sealed class FaultInjectionSiloConfigurator : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var services = siloBuilder.Services;
        services.AddKeyedSingleton<IGrainStorage>(
            TaskEngineStorage.Name,
            (sp, _) => new FaultInjectingGrainStorage(ActivatorUtilities.CreateInstance<InProcessGrainStorage>(sp)));
        services.AddSingleton<IQueueIndex>(sp => new FaultInjectingQueueIndex(ActivatorUtilities.CreateInstance<InProcessQueueIndex>(sp)));
        services.AddSingleton<IReminderTable>(sp => new FaultInjectingReminderTable(ActivatorUtilities.CreateInstance<InProcessReminderTable>(sp)));
        services.AddTaskHandler<GatedProgressHandler>("progress-gate");
    }
}
