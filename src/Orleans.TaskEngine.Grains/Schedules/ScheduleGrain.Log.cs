using Microsoft.Extensions.Logging;
using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Schedules;

public sealed partial class ScheduleGrain
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} created: '{Cron}' in {TimeZone}")]
    private partial void LogCreated(string scheduleId, string cron, string timeZone);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} deleted")]
    private partial void LogDeleted(string scheduleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} missed {Missed} firing(s) while it was down; missed policy {Policy}")]
    private partial void LogMissed(string scheduleId, int missed, ScheduleMissedPolicy policy);

    [LoggerMessage(Level = LogLevel.Information, Message = "Schedule {ScheduleId} skipped its firing of {FireTime:O}: the previous run's task {TaskId} has not finished")]
    private partial void LogOverlapSkipped(string scheduleId, DateTimeOffset fireTime, string taskId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId}: the task of its firing of {FireTime:O} was refused ({Outcome}): {Reason}")]
    private partial void LogRefused(string scheduleId, DateTimeOffset fireTime, SubmitOutcome outcome, string? reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId} could not fire; a fresh activation tries again")]
    private partial void LogTickFailed(Exception exception, string scheduleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schedule {ScheduleId}: its reminder could not be registered or removed")]
    private partial void LogReminderFailed(Exception exception, string scheduleId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Schedule {ScheduleId} has a stored cron that no longer parses ({Error}); it does not fire")]
    private partial void LogUnreadable(string scheduleId, string? error);
}
