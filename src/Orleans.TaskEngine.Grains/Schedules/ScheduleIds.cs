using System.Globalization;

namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// Schedule ids and the ids of the tasks their firings submit, within <see cref="Tasks.EngineIds.Grammar"/>. A firing's
/// task id is the schedule id and the fire time's UTC ticks: the same firing submitted twice (a failover, a crash before
/// the grain stored it) names the same task, and the second submit answers the existing one.
/// </summary>
public static class ScheduleIds
{
    public const string Prefix = "sch-";

    public static string NewId() => Prefix + Guid.NewGuid().ToString("N");

    public static string TaskIdFor(string scheduleId, DateTimeOffset fireTime) =>
        string.Create(CultureInfo.InvariantCulture, $"{scheduleId}.{fireTime.UtcTicks}");
}
