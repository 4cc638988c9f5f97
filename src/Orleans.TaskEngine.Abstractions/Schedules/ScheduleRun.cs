namespace Orleans.TaskEngine.Schedules;

/// <summary>One firing of a schedule: the task it submitted and the fire time it was for.</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleRun(
    [property: Id(0)] string TaskId,
    [property: Id(1)] DateTimeOffset FireTime);
