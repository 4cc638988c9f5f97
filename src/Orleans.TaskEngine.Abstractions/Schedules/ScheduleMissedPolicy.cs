namespace Orleans.TaskEngine.Schedules;

/// <summary>What a schedule does with the firings it missed while its grain was down (a silo died, the cluster was stopped).</summary>
[GenerateSerializer]
public enum ScheduleMissedPolicy
{
    /// <summary>Drop them: the next firing is the next one on time.</summary>
    Skip = 0,

    /// <summary>Fire once for all of them (as the latest missed fire time), then go on on time.</summary>
    RunOnce = 1,
}
