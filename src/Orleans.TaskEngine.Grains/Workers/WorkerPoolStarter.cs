using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Workers;

/// <summary>
/// Starts this silo's worker grains when the silo becomes active (so a new silo brings new capacity), keeps them
/// started, and stops them first thing on shutdown: they take no new work at once, their running handlers get the
/// shutdown grace period to finish, and what is still running then is handed back to its queue.
/// Keeping them started matters after a crash elsewhere: Orleans deactivates local activations whose grain directory
/// entry lived on the dead silo, so a worker can vanish from a healthy silo; the next start makes a fresh one, which
/// takes over the handlers still running (they are in the worker's <see cref="WorkerLedger"/>, not in the activation).
/// </summary>
public sealed partial class WorkerPoolStarter(
    IGrainFactory grains,
    ILocalSiloDetails silo,
    IOptions<WorkerOptions> options,
    WorkerLedgers ledgers,
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

    /// <summary>
    /// Runs at the start of the silo's stop (the <see cref="ServiceLifecycleStage.Active"/> stage), while the silo still
    /// carries messages: the handlers' reports and hand-backs reach their tasks. The host's shutdown timeout leaves room
    /// for <see cref="WorkerOptions.StopBudget"/> (see <c>AddTaskEngine</c>).
    /// </summary>
    private async Task StopAsync(CancellationToken cancellationToken)
    {
        // First the keeper, so it does not start again what is being stopped.
        await _stopping.CancelAsync();
        await _keeper;

        // All workers stop taking work at once and drain together: the grace period is spent once, not once per worker.
        await Task.WhenAll(_workers.Select(w => StopWorkerAsync(w.Id, cancellationToken)));
        var running = _workers.Sum(w => ledgers.For(w.Id).Running.Count);
        if (running > 0)
        {
            var budget = options.Value.StopBudget;
            try
            {
                await Task.WhenAll(_workers.Select(w => ledgers.For(w.Id).WhenEmpty())).WaitAsync(budget, cancellationToken);
                LogDrained(logger, running);
            }
            catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
            {
                // What is left ends with the process; the tasks' liveness checks find their worker gone then.
                LogNotDrained(logger, _workers.Sum(w => ledgers.For(w.Id).Running.Count), running, budget);
            }
        }

        ledgers.MarkStopped();
    }

    private async Task StopWorkerAsync(string id, CancellationToken cancellationToken)
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Started {Count} worker(s) on silo {Silo}")]
    private static partial void LogStarted(ILogger logger, int count, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "This silo's workers are stopped: their {Running} running task(s) finished or were handed back")]
    private static partial void LogDrained(ILogger logger, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "This silo's workers still hold {Left} of their {Running} task(s) after {Budget}; the silo stops anyway")]
    private static partial void LogNotDrained(ILogger logger, int left, int running, TimeSpan budget);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not stop worker {WorkerId}")]
    private static partial void LogStopFailed(ILogger logger, Exception exception, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not make sure worker {WorkerId} runs; trying again at the next heartbeat")]
    private static partial void LogKeepFailed(ILogger logger, Exception exception, string workerId);
}
