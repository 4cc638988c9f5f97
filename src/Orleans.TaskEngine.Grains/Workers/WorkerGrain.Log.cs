using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Workers;

public sealed partial class WorkerGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started with {Concurrency} slots")]
    private partial void LogStarted(string workerId, int concurrency);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} started with {Concurrency} slots, taking over {Running} running task(s) of its previous activation")]
    private partial void LogStartedWithRunning(string workerId, int concurrency, int running);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stops: it takes no new work, and its {Running} running task(s) have {Grace} to finish")]
    private partial void LogStopping(string workerId, int running, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} stopped: {Finished} task(s) finished within the grace period, {HandedBack} cancelled and handed back")]
    private partial void LogStopped(string workerId, int finished, int handedBack);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} failed stopping")]
    private partial void LogStopFailed(Exception exception, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} could not start task {TaskId}")]
    private partial void LogStartFailed(Exception exception, string taskId, string workerId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} failed running task {TaskId}; its liveness check will re-drive it")]
    private partial void LogRunFailed(Exception exception, string taskId, string workerId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} could not report the end of attempt {Attempt} of task {TaskId}; it keeps the attempt and tries again")]
    private partial void LogReportRetrying(Exception exception, string taskId, string workerId, int attempt);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Worker {WorkerId} could not report the end of attempt {Attempt} of task {TaskId} (try {Try})")]
    private partial void LogReportFailedAgain(Exception exception, string taskId, string workerId, int attempt, int @try);

    [LoggerMessage(Level = LogLevel.Information, Message = "Worker {WorkerId} reported the end of attempt {Attempt} of task {TaskId} at try {Try}: {Answer}")]
    private partial void LogReportDelivered(string taskId, string workerId, int attempt, int @try, string answer);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} gave up reporting the end of attempt {Attempt} of task {TaskId} after {Tries} tries over {Limit} (TaskEngine:Workers:ReportRetryLimit); the task's liveness check will run it again")]
    private partial void LogReportAbandoned(Exception exception, string taskId, string workerId, int attempt, int tries, TimeSpan limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId} gave up reporting the end of attempt {Attempt} of task {TaskId} after {Tries} tries: its silo has stopped; the task's liveness check will find the worker gone")]
    private partial void LogReportAbandonedAtStop(Exception exception, string taskId, string workerId, int attempt, int tries);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}'s activation is going ({Reason}) while {Running} task(s) run; they go on, and its next activation owns them")]
    private partial void LogDeactivatedWhileRunning(string workerId, Orleans.DeactivationReasonCode reason, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: the handler of attempt {Attempt} of task {TaskId} ignored its cancellation ({Reason}) for {Grace}; its slot is free again, it keeps its thread, and whatever it returns will be dropped")]
    private partial void LogAbandoned(string taskId, string workerId, int attempt, string reason, TimeSpan grace);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: the abandoned handler of attempt {Attempt} of task {TaskId} returned at last ({Outcome}); its result is dropped")]
    private partial void LogLateResult(string taskId, string workerId, int attempt, string outcome);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Worker {WorkerId}: attempt {Attempt} of task {TaskId} runs past its timeout of {TimeoutSeconds} s and the cancellation grace period, and no cancel came; the worker cancels it")]
    private partial void LogOverdue(string taskId, string workerId, int attempt, int timeoutSeconds);

    [LoggerMessage(Level = LogLevel.Error, Message = "Worker {WorkerId} failed letting go of the handler of task {TaskId}")]
    private partial void LogAbandonFailed(Exception exception, string taskId, string workerId);
}
