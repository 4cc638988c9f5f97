using System.ComponentModel;

namespace Orleans.TaskEngine.Http.Schedules;

/// <summary>The body of <c>POST /api/schedules</c>. <see cref="Cron"/> and <see cref="Task"/> are required.</summary>
public sealed record CreateScheduleRequest
{
    [Description("5 fields (minute hour day-of-month month day-of-week) or 6 with seconds first, e.g. */5 * * * *.")]
    public string? Cron { get; init; }

    [Description("The time zone the cron is read in, an IANA id such as Europe/Paris; UTC by default.")]
    public string? TimeZone { get; init; }

    /// <summary>The task each firing submits, as for <c>POST /api/tasks</c>; without an idempotencyKey (each firing's id is derived).</summary>
    public SubmitTaskRequest? Task { get; init; }

    [Description("skip (the default) or runOnce: what to do with firings missed while the cluster was down.")]
    public string? MissedPolicy { get; init; }

    [Description("allow (the default) or skip: whether to fire while the previous run's task has not finished.")]
    public string? Overlap { get; init; }
}
