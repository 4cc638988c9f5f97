using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Starts this silo's worker grains when the silo becomes active (so a new silo brings new capacity) and stops
/// them first thing on shutdown, so their running tasks go back to their queues at once.
/// </summary>
public sealed partial class WorkerPoolStarter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<WorkerOptions> options,
    ILogger<WorkerPoolStarter> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly List<string> _started = [];

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkerPoolStarter), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = silo.SiloAddress.ToParsableString();
        foreach (var pool in options.Value.EffectivePools)
        {
            for (var i = 0; i < pool.Count; i++)
            {
                var id = WorkerKey.Create(silo.SiloAddress, pool.Name, i);
                await grains.GetGrain<IWorkerGrain>(id).Start(new WorkerConfiguration
                {
                    Silo = address,
                    Concurrency = pool.Concurrency,
                    Queues = [.. pool.Queues],
                }).WaitAsync(cancellationToken);
                _started.Add(id);
            }
        }

        LogStarted(logger, _started.Count, address);
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        foreach (var id in _started)
        {
            try
            {
                await grains.GetGrain<IWorkerGrain>(id).Stop().WaitAsync(cancellationToken);
            }
            catch (Exception ex)
            {
                LogStopFailed(logger, ex, id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Count} worker(s) on silo {Silo}")]
    private static partial void LogStarted(ILogger logger, int count, string silo);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop worker {WorkerId}")]
    private static partial void LogStopFailed(ILogger logger, Exception exception, string workerId);
}
