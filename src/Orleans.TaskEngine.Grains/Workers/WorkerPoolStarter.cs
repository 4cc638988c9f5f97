using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Starts this silo's worker grains when the silo becomes active (so a new silo brings new capacity), keeps them
/// started, and stops them first thing on shutdown, so their running tasks go back to their queues at once.
/// Keeping them started matters after a crash elsewhere: Orleans deactivates local activations whose grain directory
/// entry lived on the dead silo, so a worker can vanish from a healthy silo; the next start makes a fresh one.
/// </summary>
public sealed partial class WorkerPoolStarter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<WorkerOptions> options,
    ILogger<WorkerPoolStarter> logger) : ILifecycleParticipant<ISiloLifecycle>, IDisposable
{
    private readonly List<(string Id, WorkerConfiguration Configuration)> _workers = [];
    private readonly CancellationTokenSource _stopping = new();
    private Task _keeper = Task.CompletedTask;

    public void Participate(ISiloLifecycle lifecycle) =>
        lifecycle.Subscribe(nameof(WorkerPoolStarter), ServiceLifecycleStage.Active, StartAsync, StopAsync);

    public void Dispose() => _stopping.Dispose();

    private async Task StartAsync(CancellationToken cancellationToken)
    {
        var address = silo.SiloAddress.ToParsableString();
        foreach (var pool in options.Value.EffectivePools)
        {
            for (var i = 0; i < pool.Count; i++)
            {
                var id = WorkerKey.Create(silo.SiloAddress, pool.Name, i);
                var configuration = new WorkerConfiguration { Silo = address, Concurrency = pool.Concurrency, Queues = [.. pool.Queues] };
                await grains.GetGrainByKey<IWorkerGrain>(id).Start(configuration).WaitAsync(cancellationToken);
                _workers.Add((id, configuration));
            }
        }

        LogStarted(logger, _workers.Count, address);
        _keeper = KeepStartedAsync(_stopping.Token);
    }

    private async Task KeepStartedAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(options.Value.HeartbeatInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                foreach (var (id, configuration) in _workers)
                {
                    try
                    {
                        await grains.GetGrainByKey<IWorkerGrain>(id).Start(configuration).WaitAsync(cancellationToken);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        LogKeepFailed(logger, ex, id);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
    }

    private async Task StopAsync(CancellationToken cancellationToken)
    {
        // First the keeper, so it does not start again what is being stopped.
        await _stopping.CancelAsync();
        await _keeper;
        foreach (var (id, _) in _workers)
        {
            try
            {
                await grains.GetGrainByKey<IWorkerGrain>(id).Stop().WaitAsync(cancellationToken);
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make sure worker {WorkerId} runs; trying again at the next heartbeat")]
    private static partial void LogKeepFailed(ILogger logger, Exception exception, string workerId);
}
