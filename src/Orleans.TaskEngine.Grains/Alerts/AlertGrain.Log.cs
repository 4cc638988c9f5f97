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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not store the alerts' webhook outbox; a settled POST may be sent again after a restart")]
    private partial void LogOutboxWriteFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} webhook POSTs owed to URLs no longer in TaskEngine:Alerts:Webhooks were dropped")]
    private partial void LogForgotten(int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Alert {Name} ({State}) dropped for {Url}: more than {Limit} POSTs are waiting for it")]
    private partial void LogDropped(string name, AlertState state, string url, int limit);
}
