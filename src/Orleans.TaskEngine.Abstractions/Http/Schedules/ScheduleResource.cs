using System.Text.Json;
using Orleans.TaskEngine.Schedules;

namespace Orleans.TaskEngine.Http.Schedules;

/// <summary>A schedule as the REST API shows it.</summary>
public sealed record ScheduleResource
{
    public required string Id { get; init; }
    public required string Cron { get; init; }
    public required string TimeZone { get; init; }
    public required SubmitTaskRequest Task { get; init; }
    public ScheduleMissedPolicy MissedPolicy { get; init; }
    public ScheduleOverlap Overlap { get; init; }
    public bool Paused { get; init; }

    /// <summary>The next 5 fire times (UTC); empty while paused.</summary>
    public IReadOnlyList<DateTimeOffset> NextFireTimes { get; init; } = [];

    public static ScheduleResource From(ScheduleInfo schedule)
    {
        ArgumentNullException.ThrowIfNull(schedule);
        var definition = schedule.Definition;
        return new ScheduleResource
        {
            Id = schedule.Id,
            Cron = definition.Cron,
            TimeZone = definition.TimeZone,
            Task = JsonSerializer.Deserialize<SubmitTaskRequest>(definition.TaskJson, TaskEngineJson.Options)!,
            MissedPolicy = definition.MissedPolicy,
            Overlap = definition.Overlap,
            Paused = schedule.Paused,
            NextFireTimes = schedule.NextFireTimes,
        };
    }
}
