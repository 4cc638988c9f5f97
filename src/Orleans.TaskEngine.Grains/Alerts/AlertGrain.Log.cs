using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Alerts;

public sealed partial class AlertGrain
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {Name} firing since {Since:O}: {Message}")]
    private partial void LogFiring(string name, string message, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Information, Message = "Alert {Name} resolved at {Since:O}: {Message}")]
    private partial void LogResolved(string name, string message, DateTimeOffset since);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store the alerts' state; nothing is sent, and the alerts are evaluated again from what is stored")]
    private partial void LogWriteFailed(Exception exception);
}
