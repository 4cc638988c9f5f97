using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Silo.Storage;

namespace Orleans.TaskEngine.Silo.Hosting;

/// <summary>Configures a silo the way <c>silo-config/</c> says: clustering, storage, reminders and the engine.</summary>
public static class TaskEngineSiloConfiguration
{
    public const string StorageKey = "TaskEngine:Storage";

    public static StorageMode ReadStorageMode(IConfiguration configuration)
    {
        var text = configuration[StorageKey];
        if (string.IsNullOrWhiteSpace(text))
        {
            return StorageMode.Memory;
        }

        return Enum.TryParse<StorageMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode)
            ? mode
            : throw new InvalidOperationException($"{StorageKey} is '{text}'; it must be Memory or Postgres.");
    }

    public static ISiloBuilder ConfigureTaskEngineSilo(this ISiloBuilder silo, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(silo);
        var cluster = configuration.GetSection(TaskEngineClusterOptions.Section).Get<TaskEngineClusterOptions>() ?? new TaskEngineClusterOptions();
        var mode = ReadStorageMode(configuration);
        switch (mode)
        {
            case StorageMode.Memory:
                silo.UseLocalhostClustering(cluster.SiloPort, cluster.GatewayPort, serviceId: cluster.ServiceId, clusterId: cluster.ClusterId);
                silo.UseInProcessTaskStorage();
                break;
            default:
                throw new InvalidOperationException($"{StorageKey}={mode} is not available in this build; use Memory.");
        }

        return silo.AddTaskEngine(configuration);
    }

    /// <summary>Says plainly at start-up what the storage mode means for the user's data.</summary>
    public static void LogStorageMode(ILogger logger, IConfiguration configuration)
    {
        if (ReadStorageMode(configuration) == StorageMode.Memory)
        {
            logger.LogWarning(
                "Embedded mode: tasks, queues and reminders are kept in memory only. State does not survive a restart of this process. Set TaskEngine__Storage=Postgres for a durable cluster.");
        }
    }
}
