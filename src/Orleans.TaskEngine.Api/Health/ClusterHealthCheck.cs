using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.TaskEngine.Scheduling;

namespace Orleans.TaskEngine.Api.Health;

/// <summary>Ready only while a grain call reaches the cluster.</summary>
public sealed class ClusterHealthCheck(IGrainFactory grains) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var queues = await grains.GetGrain<IQueueDirectoryGrain>(0).GetQueues().WaitAsync(Timeout, cancellationToken);
            return HealthCheckResult.Healthy($"Connected to the cluster ({queues.Length} queue(s) known).");
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("The cluster does not answer.", ex);
        }
    }
}
