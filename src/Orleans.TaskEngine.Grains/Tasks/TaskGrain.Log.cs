using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Tasks;

public sealed partial class TaskGrain
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} ({Type}) submitted to queue {Queue}: {Status}")]
    private partial void LogSubmitted(string taskId, string type, string queue, TaskState status);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} finished {Status} after {Attempts} attempt(s)")]
    private partial void LogFinished(string taskId, TaskState status, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} lost its worker {WorkerId} on {Silo}; it goes back to its queue")]
    private partial void LogWorkerLost(string taskId, string? workerId, string? silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} could not reach its worker {WorkerId}: {Reason}")]
    private partial void LogWorkerUnreachable(string taskId, string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} reached the end of its retention and was removed")]
    private partial void LogExpired(string taskId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} could not be persisted")]
    private partial void LogStorageFailed(Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not register its watchdog reminder")]
    private partial void LogWatchdogFailed(Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not update its queue index record")]
    private partial void LogIndexWriteFailed(Exception exception, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not store a progress report of attempt {Attempt}; the report is dropped")]
    private partial void LogProgressDropped(Exception exception, string taskId, int attempt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} is pending but could not reach the scheduler of queue {Queue}; the queue's rebuild puts it back in line")]
    private partial void LogEnqueueFailed(Exception exception, string taskId, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not subscribe to its dependency {Dependency}; its watchdog asks again")]
    private partial void LogSubscribeFailed(Exception exception, string taskId, string dependency);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} delivered its callback {DeliveryId} at attempt {Attempts}")]
    private partial void LogCallbackDelivered(string taskId, string deliveryId, int attempts);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not deliver its callback {DeliveryId} at attempt {Attempts} ({Failure}); trying again in {Delay}")]
    private partial void LogCallbackRetrying(string taskId, string deliveryId, int attempts, string? failure, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Error, Message = "Task {TaskId} gave up its callback {DeliveryId} after {Attempts} attempts ({Failure}); see TaskEngine:Callbacks:MaxAttempts")]
    private partial void LogCallbackGivenUp(string taskId, string deliveryId, int attempts, string? failure);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not store the outcome of its callback {DeliveryId}; its watchdog sends it again")]
    private partial void LogCallbackNotStored(Exception exception, string taskId, string deliveryId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId} could not take the outcome of its callback {DeliveryId}; its watchdog sends it again")]
    private partial void LogCallbackOutcomeLost(Exception exception, string taskId, string deliveryId);
}
