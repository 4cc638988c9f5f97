using System.ComponentModel;

namespace Orleans.TaskEngine.Http.Schedules;

/// <summary>One firing of a schedule: its task, the fire time it was for, and the task's status now.</summary>
public sealed record ScheduleRunResource(
    string TaskId,
    DateTimeOffset FireTime,
    [property: Description("The task's status (scheduled, pending, running, completed, failed, cancelled), or purged once the task is gone.")] string Status)
{
    /// <summary>The status of a run whose task is gone (purged after its retention time).</summary>
    public const string Purged = "purged";
}
