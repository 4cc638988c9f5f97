using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Orleans.TaskEngine.Storage.Sqlite;

/// <summary>
/// Keeps the file from growing without bound: every <see cref="SqliteStoreOptions.VacuumInterval"/> it gives the file
/// system back the pages that purged tasks left free (incremental vacuum: a short step on the writer, no full rewrite).
/// </summary>
public sealed partial class SqliteVacuumService(SqliteDatabase database, IOptions<SqliteStoreOptions> options, TimeProvider time, ILogger<SqliteVacuumService> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.VacuumInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                var freed = await database.ReclaimFreePagesAsync(stoppingToken).ConfigureAwait(false);
                if (freed > 0)
                {
                    LogReclaimed(freed, database.FilePath);
                }
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogFailed(ex, database.FilePath);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "SQLite store: {Pages} free page(s) given back by {Path}")]
    private partial void LogReclaimed(long pages, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "SQLite store: the incremental vacuum of {Path} failed; it is tried again at the next interval")]
    private partial void LogFailed(Exception exception, string path);
}
