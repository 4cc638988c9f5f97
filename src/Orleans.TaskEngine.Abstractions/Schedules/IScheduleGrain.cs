using Orleans.Concurrency;

namespace Orleans.TaskEngine.Schedules;

/// <summary>
/// One recurring schedule (key: its id, <c>sch-</c> + 32 hex digits). It submits its task template at each fire time
/// with an id derived from the schedule and the fire time, so a firing repeated anywhere in the cluster is a no-op.
/// </summary>
public interface IScheduleGrain : IGrainWithStringKey
{
    /// <summary>Creates the schedule; an id in use answers the existing one unchanged.</summary>
    Task<ScheduleInfo> Create(ScheduleDefinition definition);

    /// <summary>The schedule, or null if there is none with this id.</summary>
    Task<ScheduleInfo?> Get();

    Task<ScheduleInfo?> Pause();

    /// <summary>Resumes from now: the fire times that passed while paused are not missed firings.</summary>
    Task<ScheduleInfo?> Resume();

    /// <summary>Fires now, paused or not and whatever the overlap rule; null if there is no schedule.</summary>
    Task<ScheduleTriggerResult?> Trigger();

    /// <summary>Deletes the schedule (its tasks stay); false if there was none.</summary>
    Task<bool> Delete();

    /// <summary>The recent runs, newest first; null if there is no schedule.</summary>
    Task<ScheduleRun[]?> GetRuns();

    /// <summary>Makes sure the grain is active and firing (the silos' keeper and the reminder call it).</summary>
    [AlwaysInterleave]
    Task Wake();
}
