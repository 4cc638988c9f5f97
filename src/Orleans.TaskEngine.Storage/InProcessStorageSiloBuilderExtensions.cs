using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Hosting;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Storage;

public static class InProcessStorageSiloBuilderExtensions
{
    /// <summary>Task state, the queue index and reminders in this process's memory (embedded mode and tests).</summary>
    public static ISiloBuilder UseInProcessTaskStorage(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddGrainStorage(TaskEngineStorage.Name, (sp, _) => ActivatorUtilities.CreateInstance<InProcessGrainStorage>(sp));
        silo.Services.AddSingleton<IQueueIndex, InProcessQueueIndex>();
        silo.Services.AddSingleton<InProcessTaskHistory>();
        silo.Services.AddSingleton<ITaskHistory>(sp => sp.GetRequiredService<InProcessTaskHistory>());
        silo.AddReminders();
        silo.Services.AddSingleton<IReminderTable, InProcessReminderTable>();
        return silo;
    }
}
