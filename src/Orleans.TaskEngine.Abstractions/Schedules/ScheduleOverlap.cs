namespace Orleans.TaskEngine.Schedules;

/// <summary>Whether a firing starts a task while the previous firing's task has not finished.</summary>
[GenerateSerializer]
public enum ScheduleOverlap
{
    /// <summary>Fire on time whatever the previous run is doing.</summary>
    Allow = 0,

    /// <summary>Skip the firing while the previous run's task is not finished.</summary>
    Skip = 1,
}
