using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.History;

/// <summary>
/// Purges the audit log past <see cref="HistoryOptions.Retention"/>, a batch at a time (one short transaction each on
/// PostgreSQL), every <see cref="HistoryOptions.PurgeInterval"/>. Each silo runs one; a purge two silos both make deletes
/// nothing twice. A silo whose store keeps no log runs none.
/// </summary>
public sealed partial class HistoryPurger(IServiceProvider services, IOptions<HistoryOptions> options, TimeProvider time, ILogger<HistoryPurger> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (services.GetService<ITaskHistory>() is not { } history)
        {
            return;
        }

        using var timer = new PeriodicTimer(options.Value.PurgeInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await PurgeOnceAsync(history, stoppingToken);
            }
            catch (TaskEngineUnavailableException ex)
            {
                // The next tick tries again; nothing is lost by waiting.
                LogPurgeFailed(ex);
            }
        }
    }

    /// <summary>Purges batch after batch until one comes back short; returns how many incarnations went.</summary>
    public async Task<int> PurgeOnceAsync(ITaskHistory history, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(history);
        var before = time.GetUtcNow() - options.Value.Retention;
        var batch = options.Value.PurgeBatchSize;
        var total = 0;
        int purged;
        do
        {
            purged = await history.PurgeAsync(before, batch, cancellationToken);
            total += purged;
        }
        while (purged == batch && !cancellationToken.IsCancellationRequested);

        if (total > 0)
        {
            LogPurged(total, before);
        }

        return total;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged {Count} task incarnations created before {Before:O} from the audit log")]
    private partial void LogPurged(int count, DateTimeOffset before);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not purge the audit log; trying again at the next tick")]
    private partial void LogPurgeFailed(Exception exception);
}
