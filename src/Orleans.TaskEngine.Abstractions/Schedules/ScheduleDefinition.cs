using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Schedules;

/// <summary>What a caller asked for when it created a schedule; validated before it gets here.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleDefinition
{
    /// <summary>5 fields (minute precision) or 6 (with seconds first).</summary>
    [Id(0)] public required string Cron { get; init; }

    /// <summary>An IANA (or Windows) time zone id the cron is read in.</summary>
    [Id(1)] public required string TimeZone { get; init; }

    /// <summary>What each firing submits; its id is derived from the schedule and the fire time.</summary>
    [Id(2)] public required TaskSubmission Task { get; init; }

    /// <summary>The template as the caller sent it (JSON), so the schedule answers with the body it was given.</summary>
    [Id(3)] public required string TaskJson { get; init; }

    [Id(4)] public ScheduleMissedPolicy MissedPolicy { get; init; }

    [Id(5)] public ScheduleOverlap Overlap { get; init; }
}
