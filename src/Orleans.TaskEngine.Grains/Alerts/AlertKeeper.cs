using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.TaskEngine.Hosting;

namespace Orleans.TaskEngine.Alerts;

/// <summary>
/// Keeps the alert grain active when rules are configured: every silo calls it at start (a restarted cluster evaluates
/// again without waiting for a caller) and then every evaluation interval (an alert grain lost with its silo comes
/// back on another as soon as the silo is declared dead). One call per silo per interval; the grain's own timer does
/// the work. No reminder: this covers both failures, and a reminder's one-minute minimum would be slower.
/// </summary>
public sealed partial class AlertKeeper(IGrainFactory grains, IOptions<AlertOptions> options, ILogger<AlertKeeper> logger)
    : SiloKeeper
{
    protected override TimeSpan Period => options.Value.EvaluationInterval;

    protected override bool Enabled => options.Value.Rules.Count > 0;

    protected override async Task KeepOnceAsync(CancellationToken cancellationToken)
    {
        try
        {
            await grains.GetGrain<IAlertGrain>(0).Wake().WaitAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogWakeFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not wake the alert grain; trying again at the next interval")]
    private partial void LogWakeFailed(Exception exception);
}
