using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Scheduling;

public sealed partial class SchedulerGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: worker {WorkerId} on {Silo} serves it")]
    private partial void LogWorkerAdded(string queue, string workerId, string silo);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue}: worker {WorkerId} is gone")]
    private partial void LogWorkerRemoved(string queue, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: task {TaskId} ran on {WorkerId}, whose silo is dead; it goes back to pending")]
    private partial void LogTaskOfDeadWorker(string queue, string taskId, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: task {TaskId} was given to {WorkerId} but is pending again; its release never arrived")]
    private partial void LogStaleAssignment(string queue, string taskId, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: could not hand task {TaskId} (of {Count}) to worker {WorkerId}; they go back to the queue")]
    private partial void LogAssignFailed(Exception exception, string queue, string taskId, int count, string workerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue {Queue} rebuilt from the queue index: {Added} of {Read} unfinished task(s) read added")]
    private partial void LogRebuilt(string queue, int added, int read);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue}: worker {WorkerId} did not say which of its tasks it runs ({Reason}); the rebuild may queue them again, which costs a refused start each")]
    private partial void LogRunningTasksUnknown(string queue, string workerId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} could not read the queue index; it tries again at the next maintenance")]
    private partial void LogRebuildFailed(Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} could not learn whether it may take new tasks (the count of queues); it serves what it has and asks again at the next new task")]
    private partial void LogAdmissionUnknown(Exception exception, string queue);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Queue {Queue} could not list its expired tasks; it tries again at the next maintenance")]
    private partial void LogPurgeFailed(Exception exception, string queue);
}
