using Orleans.TaskEngine.Tasks;

namespace Orleans.TaskEngine.Schedules;

/// <summary>The answer to a manual trigger: the run, or why its task was refused (no schedule: null instead).</summary>
[GenerateSerializer, Immutable]
public sealed record ScheduleTriggerResult
{
    [Id(0)] public required ScheduleRun Run { get; init; }

    [Id(1)] public required SubmitResult Submit { get; init; }
}
