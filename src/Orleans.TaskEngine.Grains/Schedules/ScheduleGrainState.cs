namespace Orleans.TaskEngine.Schedules;

/// <summary>A schedule's durable state (its grain's, in the engine's storage); no definition: no schedule.</summary>
[GenerateSerializer]
public sealed class ScheduleGrainState
{
    [Id(0)] public ScheduleDefinition? Definition { get; set; }

    [Id(1)] public bool Paused { get; set; }

    /// <summary>The latest fire time handled (fired, skipped or missed); firings after it are due. Creation or resume time at first.</summary>
    [Id(2)] public DateTimeOffset LastFireTime { get; set; }

    /// <summary>The most recent runs, oldest first, at most <see cref="ScheduleGrain.MaxRuns"/>.</summary>
    [Id(3)] public List<ScheduleRun> Runs { get; set; } = [];

    [Id(4)] public DateTimeOffset CreatedAt { get; set; }
}
