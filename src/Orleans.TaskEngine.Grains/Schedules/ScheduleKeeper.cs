using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// Wakes every schedule: at silo start (a cluster restarted from its store fires again without waiting for a caller,
/// and sooner than the schedules' one-minute reminders) and then every <see cref="KeepPeriod"/> (a schedule lost with
/// its silo comes back on another). A schedule's grain timer does the firing; one call per schedule per silo per period.
/// </summary>
public sealed partial class ScheduleKeeper(IGrainFactory grains, ILogger<ScheduleKeeper> logger) : SiloKeeper
{
    public static readonly TimeSpan KeepPeriod = TimeSpan.FromSeconds(30);

    protected override TimeSpan Period => KeepPeriod;

    protected override async Task KeepOnceAsync(CancellationToken cancellationToken)
    {
        string[] ids;
        try
        {
            ids = await grains.GetGrain<IScheduleDirectoryGrain>(0).List().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogListFailed(ex);
            return;
        }

        foreach (var id in ids)
        {
            try
            {
                await grains.GetGrainByKey<IScheduleGrain>(id).Wake().WaitAsync(cancellationToken);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogWakeFailed(ex, id);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not list the schedules; trying again at the next interval")]
    private partial void LogListFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake schedule {ScheduleId}; trying again at the next interval")]
    private partial void LogWakeFailed(Exception exception, string scheduleId);
}
