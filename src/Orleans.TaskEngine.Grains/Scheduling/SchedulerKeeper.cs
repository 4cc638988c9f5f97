using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;
using Orleans.TaskEngine.Grains;

namespace Orleans.TaskEngine.Scheduling;

/// <summary>
/// Keeps the scheduler of every queue that has work in the queue index active: at silo start (so a cluster restarted
/// from its database resumes its queues without waiting for a submit) and then every maintenance interval (so a
/// scheduler lost with its silo comes back on another as soon as membership has declared the silo dead). Activating a
/// scheduler rebuilds its queue from the index. Work is a task to run (or running) or a finished one to purge; a
/// queue whose records are all of finished tasks within their retention is not woken, so its idle scheduler can go.
/// </summary>
public sealed partial class SchedulerKeeper(
    IGrainFactory grains,
    IQueueIndex index,
    IOptions<QueueOptions> options,
    TimeProvider time,
    ILogger<SchedulerKeeper> logger) : SiloKeeper
{
    protected override TimeSpan Period => options.Value.MaintenanceInterval;

    protected override Task KeepOnceAsync(CancellationToken cancellationToken) => WakeSchedulersAsync(cancellationToken);

    private async Task WakeSchedulersAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> queues;
        try
        {
            queues = await index.LoadQueuesToServeAsync(time.GetUtcNow(), cancellationToken);
        }
        catch (TaskEngineUnavailableException ex)
        {
            LogIndexUnavailable(logger, ex);
            return;
        }

        foreach (var queue in queues)
        {
            try
            {
                await grains.GetGrainByKey<ISchedulerGrain>(queue).Wake().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWakeFailed(logger, ex, queue);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the queues of the queue index; trying again at the next interval")]
    private static partial void LogIndexUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake the scheduler of queue {Queue}; trying again at the next interval")]
    private static partial void LogWakeFailed(ILogger logger, Exception exception, string queue);
}
