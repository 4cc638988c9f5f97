namespace Orleans.TaskEngine.Api.WebSockets;

public sealed partial class WebSocketConnection
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket: queue {Queue} could not be watched (or unwatched)")]
    private static partial void LogWatchFailed(ILogger logger, Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "WebSocket: the events of task {TaskId} stopped")]
    private static partial void LogFollowFailed(ILogger logger, Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "WebSocket: queue {Queue} took in task {TaskId}")]
    private static partial void LogAnnounced(ILogger logger, string queue, string taskId);

    [LoggerMessage(Level = LogLevel.Trace, Message = "WebSocket: task {TaskId} after {After}: {Count} event(s), finished: {Finished}")]
    private static partial void LogPage(ILogger logger, string taskId, long after, int count, bool finished);

    [LoggerMessage(Level = LogLevel.Information, Message = "WebSocket closed: the client left {Capacity} frames unread")]
    private static partial void LogTooSlow(ILogger logger, int capacity);
}
