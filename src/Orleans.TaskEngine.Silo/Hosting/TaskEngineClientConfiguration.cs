using Microsoft.Extensions.Configuration;

namespace Orleans.TaskEngine.Silo.Hosting;

/// <summary>Configures an Orleans client of the engine's cluster from the same settings the silos use.</summary>
public static class TaskEngineClientConfiguration
{
    public static IClientBuilder ConfigureTaskEngineClient(this IClientBuilder client, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(client);
        var cluster = configuration.GetSection(TaskEngineClusterOptions.Section).Get<TaskEngineClusterOptions>() ?? new TaskEngineClusterOptions();
        var mode = TaskEngineSiloConfiguration.ReadStorageMode(configuration);
        switch (mode)
        {
            case StorageMode.Memory:
                client.UseLocalhostClustering(cluster.GatewayPort, cluster.ServiceId, cluster.ClusterId);
                break;
            default:
                throw new InvalidOperationException($"{TaskEngineSiloConfiguration.StorageKey}={mode} is not available in this build; use Memory.");
        }

        return client;
    }
}
