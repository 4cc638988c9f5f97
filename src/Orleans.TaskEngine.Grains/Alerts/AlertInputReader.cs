using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.TaskEngine.Grains;
using Orleans.TaskEngine.History;
using Orleans.TaskEngine.Scheduling;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// Reads what the rules need, and only that: the status of the queues with work in the queue index (so an idle queue's
/// scheduler is not kept awake) and of the queues a rule names; the finished tasks of each failure-ratio window from
/// the history store (counted there); the membership. A part that fails is left unknown (see <see cref="AlertInputs"/>) and logged.
/// </summary>
public sealed partial class AlertInputReader(
    IGrainFactory grains, IQueueIndex index, ITaskHistory history, IClusterMembershipService membership, ILogger<AlertInputReader> logger)
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(10);

    public async Task<AlertInputs> ReadAsync(IReadOnlyList<AlertRule> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rules);
        var queueRules = rules.Where(r => r.Kind is AlertKind.QueueDepth or AlertKind.OldestPending or AlertKind.NoWorker).ToList();
        var windows = rules.Where(r => r.Kind == AlertKind.FailureRatio).Select(r => r.Window).Distinct().ToList();
        var finished = new Dictionary<TimeSpan, IReadOnlyDictionary<string, FinishedCounts>>();
        foreach (var window in windows)
        {
            if (await ReadFinishedAsync(now - window, now, cancellationToken) is { } counts)
            {
                finished[window] = counts;
            }
        }

        return new AlertInputs
        {
            Now = now,
            Queues = queueRules.Count == 0 ? [] : await ReadQueuesAsync(queueRules, now, cancellationToken),
            Finished = finished,
            DeadSilos = [.. Silos(SiloStatus.Dead)],
            LiveSilos = [.. Silos(SiloStatus.Active)],
        };
    }

    private IEnumerable<string> Silos(SiloStatus status) =>
        membership.CurrentSnapshot.Members.Values.Where(m => m.Status == status).Select(m => m.SiloAddress.ToParsableString());

    private async Task<IReadOnlyList<QueueStatus>?> ReadQueuesAsync(List<AlertRule> rules, DateTimeOffset now, CancellationToken cancellationToken)
    {
        try
        {
            var names = rules.Where(r => r.Queue is not null).Select(r => r.Queue!).ToHashSet(StringComparer.Ordinal);
            if (rules.Any(r => r.Queue is null))
            {
                names.UnionWith(await index.LoadQueuesToServeAsync(now, cancellationToken));
            }

            return await Task.WhenAll(names.Select(q => grains.GetGrainByKey<ISchedulerGrain>(q).GetStatus().WaitAsync(CallTimeout, cancellationToken)));
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogQueuesUnavailable(ex);
            return null;
        }
    }

    private async Task<IReadOnlyDictionary<string, FinishedCounts>?> ReadFinishedAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        try
        {
            var counts = await history.CountFinishedAsync(from, to, cancellationToken);
            return counts.ToDictionary(c => c.Queue, c => new FinishedCounts(c.Completed, c.Failed), StringComparer.Ordinal);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogHistoryUnavailable(ex);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the queues' status for the alerts; queue rules keep their state until the next evaluation")]
    private partial void LogQueuesUnavailable(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the finished tasks for the alerts; failure-ratio rules keep their state until the next evaluation")]
    private partial void LogHistoryUnavailable(Exception exception);
}
