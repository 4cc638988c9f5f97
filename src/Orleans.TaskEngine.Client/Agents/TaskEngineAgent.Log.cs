using Microsoft.Extensions.Logging;

namespace Orleans.TaskEngine.Client.Agents;

public sealed partial class TaskEngineAgent
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {Name} registered as {AgentId} (heartbeat every {Interval})")]
    private static partial void LogRegistered(ILogger logger, string name, string agentId, TimeSpan interval);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} is unknown to the server (declared dead?): registering again")]
    private static partial void LogUnknownAgent(ILogger logger, string agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Call} failed; trying again in {Delay}")]
    private static partial void LogTransientFailure(ILogger logger, string call, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat of {AgentId} failed")]
    private static partial void LogHeartbeatFailed(ILogger logger, string agentId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} cancelled by the server: its result will be dropped")]
    private static partial void LogTaskCancelled(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId}: the lease is stale (409), result dropped")]
    private static partial void LogStaleLease(ILogger logger, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: {Verb} refused with {Status}: {Detail}")]
    private static partial void LogReportRefused(ILogger logger, string taskId, string verb, int status, string detail);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: {Verb} not delivered after retries; the lease will expire and the task run again")]
    private static partial void LogReportGaveUp(ILogger logger, string taskId, string verb, Exception? exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {TaskId}: progress report failed")]
    private static partial void LogProgressFailed(ILogger logger, string taskId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "OnTaskReceived threw for task {TaskId}")]
    private static partial void LogReceivedHookFailed(ILogger logger, string taskId, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} stopping: deregistered, waiting up to {Grace} for {Running} running tasks")]
    private static partial void LogStopping(ILogger logger, string? agentId, TimeSpan grace, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stop grace period passed with {Running} tasks running: cancelling them")]
    private static partial void LogHardStop(ILogger logger, int running);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deregistering {AgentId} failed; its leases expire on their own")]
    private static partial void LogDeregisterFailed(ILogger logger, string agentId, Exception exception);
}
